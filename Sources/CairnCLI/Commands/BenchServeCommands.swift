import ArgumentParser
import CairnBench
import CairnEmbedding
import CairnVectorMath
import Foundation

/// `cairn bench serve`: retrieve latency of `cairn serve` over loopback, idle and during a bulk upload.
struct BenchServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Benchmark the retrieval service: retrieve latency idle and while 1,000 uploaded files are ingested.",
        discussion: """
            Builds (once, under Benchmarks/data/serve-N/) an index of --passages study-note passages with the \
            built-in model, serves a fresh copy with this executable's `serve`, and sends --requests retrieves one \
            after another from a client on loopback with a coach key (tenant-filtered, top_k 5): first idle, then \
            while --load-files uploaded files are being ingested. Reports client p50/p99, the server's embed, filter, \
            search and fetch times, and its own overhead (client latency minus embed and search; target under 20 % \
            at p50) and p99 under load against idle (target at most 3×). With --peers, Benchmarks/peers/serve_peer.py \
            then loads this server and a Chroma server holding the same chunks and vectors from worker threads of a \
            separate process at each --concurrency (top 10; Chroma's client embeds each question with its ONNX \
            embedder, as applications using it do), and measures recall@10 of both against exact search; set the \
            peers up once with Benchmarks/peers/setup_serve.sh. Build this executable in release mode \
            (scripts/run.sh does).
            """)

    @Option(help: "Passages in the index (about one chunk each).") var passages = 10_000
    @Option(help: "Retrieves per phase.") var requests = 1_000
    @Option(help: "Files uploaded for the loaded phase.") var loadFiles = 1_000
    @Option(help: "Directory with documents.txt and queries.txt.") var texts = "Benchmarks/texts"
    @Option(help: "The harness directory (data and results go under it).") var benchmarks = "Benchmarks"
    @Option(help: "Write the JSON report to this file.") var json: String?
    @Flag(help: ArgumentHelp("Also load Cairn and a Chroma server at --concurrency (Benchmarks/peers/serve_peer.py; "
        + "set up by Benchmarks/peers/setup_serve.sh), with recall@10 of each against exact search."))
    var peers = false
    @Option(help: "The chunker's token limit for the index (default: ingestion's, 200).") var chunkTokens: Int?
    @Option(help: "Concurrencies of the peer comparison.") var concurrency = "1,8,32"
    @Option(help: "Seconds of load per concurrency in the peer comparison.") var seconds = 20.0

    func run() async throws {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        log(BLASInfo.summary)
        let executable = ModelLocator.executablePath() ?? CommandLine.arguments[0]
        let settings = ServeBenchRunner.Settings(
            executable: executable, benchmarksDirectory: benchmarks, textsDirectory: texts,
            modelDirectory: EmbedderFactory.modelDirectory(dataDirectory: "index-data"), passages: passages,
            requests: requests, loadFiles: loadFiles, chunkTokens: chunkTokens)
        let report = try await ServeBenchRunner(settings: settings, log: log).run()
        print("Retrieve over loopback: \(report.chunks) chunks (\(report.materials) materials), top_k \(report.topK), coach key")
        print("")
        print("| phase | requests | client p50 ms | client p99 ms | server handling p50 | embed p50 | filter p50 | search p50 | fetch p50 | server overhead p50 | end-to-end overhead p50 |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (name, p) in [("idle", report.idle), ("during a \(report.loadFiles)-file upload", report.loaded)] {
            print(String(format: "| %@ | %d | %.2f | %.2f | %.2f | %.2f | %.3f | %.3f | %.3f | %.2f ms (%.1f %%) | %.1f %% |",
                         name, p.requests, p.clientP50, p.clientP99, p.serverHandlingP50, p.embedP50, p.filterP50,
                         p.searchP50, p.fetchP50, p.overheadP50Milliseconds, p.overheadP50 * 100,
                         p.endToEndOverheadP50 * 100))
        }
        print("")
        print(String(format: "under load / idle: p50 %.2f×, p99 %.2f× (target ≤ 3×: %@); %d chunks of the upload ingested "
                     + "during the loaded phase", report.loaded.clientP50 / report.idle.clientP50,
                     report.loaded.clientP99 / report.idle.clientP99,
                     report.loaded.clientP99 <= 3 * report.idle.clientP99 ? "met" : "not met", report.loadChunksIngested))
        print(String(format: "an empty request's round trip (GET /healthz, same client): p50 %.2f ms", report.emptyRoundTripP50))
        print("server overhead at p50 (idle; handling minus embed and search): "
            + "\(String(format: "%.1f", report.idle.overheadP50 * 100)) % — target < 20 %: " + (report.met ? "met" : "not met"))
        if let json { try Self.write(report, to: json) }
        if peers { try comparePeers(executable: executable, data: settings.preparedDirectory) }
    }

    /// Runs serve_peer.py and prints Cairn against Chroma per concurrency.
    func comparePeers(executable: String, data: String) throws {
        let python = "\(benchmarks)/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ValidationError("\(python) is missing: run bash Benchmarks/peers/setup_serve.sh first")
        }
        let output = "\(benchmarks)/results/serve-peers.json"
        try FileManager.default.createDirectory(atPath: "\(benchmarks)/results", withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["\(benchmarks)/peers/serve_peer.py", "--cairn", executable, "--data", data, "--texts", texts,
                             "--chroma-onnx", "\(benchmarks)/.venv/chroma-onnx",
                             "--concurrency", concurrency, "--seconds", String(seconds), "--json", output]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output)))
                as? [String: Any],
              let cairn = report["cairn"] as? [[String: Any]], let chroma = report["chroma"] as? [[String: Any]]
        else { throw ValidationError("serve_peer.py failed (status \(process.terminationStatus))") }
        func n(_ row: [String: Any], _ key: String) -> Double { (row[key] as? NSNumber)?.doubleValue ?? .nan }
        print("")
        print("Under load from a separate process (\(report["chunks"] ?? "?") chunks, top 10, \(seconds) s per level):")
        print("")
        print("| concurrency | Cairn req/s | Chroma req/s | Cairn/Chroma req/s | Cairn p50 ms | Chroma p50 ms | "
            + "Chroma/Cairn p50 | Cairn p99 ms | Chroma p99 ms | errors (Cairn, Chroma) | Cairn server overhead p50 |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (a, b) in zip(cairn, chroma) {
            print(String(format: "| %d | %.1f | %.1f | %.2f× | %.2f | %.2f | %.2f× | %.2f | %.2f | %d, %d | %.1f %% |",
                         Int(n(a, "concurrency")), n(a, "rps"), n(b, "rps"), n(a, "rps") / n(b, "rps"), n(a, "p50_ms"),
                         n(b, "p50_ms"), n(b, "p50_ms") / n(a, "p50_ms"), n(a, "p99_ms"), n(b, "p99_ms"),
                         Int(n(a, "errors")), Int(n(b, "errors")), n(a, "server_overhead_p50") * 100))
        }
        func line(_ rows: [[String: Any]]) -> String {
            rows.map { String(format: "c=%d: %.1f req/s, p50 %.2f ms, p99 %.2f ms", Int(n($0, "concurrency")), n($0, "rps"),
                              n($0, "p50_ms"), n($0, "p99_ms")) }.joined(separator: "; ")
        }
        print("")
        print("Chroma holds the tenant in a collection of its own (no filter per query), the layout that serves it best.")
        if let server = report["chroma_server_only"] as? [[String: Any]], !server.isEmpty {
            print("Chroma's server alone (query vectors computed before the run, so its client does not embed): "
                + line(server))
        }
        if let filtered = report["chroma_where"] as? [[String: Any]], !filtered.isEmpty {
            print("Chroma with the tenant as a metadata filter in one shared collection: " + line(filtered))
        }
        print(String(format: "recall@10 against exact search: Cairn %.3f, Chroma %.3f (%@)", n(report, "cairn_recall_at_10"),
                     n(report, "chroma_recall_at_10"), "\(report["versions"] ?? "")"))
    }

    static func write<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: URL(fileURLWithPath: path))
        FileHandle.standardError.write(Data("wrote \(path)\n".utf8))
    }
}

/// `cairn bench startup`: time to ready for a 100,000-chunk data directory.
struct BenchStartupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "startup",
        abstract: "Benchmark how fast `cairn serve` is ready after a clean shutdown and after kill -9.",
        discussion: """
            Builds (once, under Benchmarks/data/startup-N/) a data directory of --chunks synthetic chunks whose last \
            ones are still in the write-ahead log (the longest log the checkpoint policy allows), then measures the \
            time from spawning `cairn serve` to its first 200 on /readyz: after kill -9 with that log, after kill -9 \
            in the middle of an ingest job, and after a clean shutdown. Targets: at most 1 s after a clean shutdown, \
            10 s after a kill.
            """)

    @Option(help: "Chunks in the data directory.") var chunks = 100_000
    @Option(help: "Rounds of the three measurements.") var repeats = 3
    @Option(help: "Directory with documents.txt (for the uploads).") var texts = "Benchmarks/texts"
    @Option(help: "The harness directory (data goes under it).") var benchmarks = "Benchmarks"
    @Option(help: "Write the JSON report to this file.") var json: String?

    func run() async throws {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        log(BLASInfo.summary)
        let executable = ModelLocator.executablePath() ?? CommandLine.arguments[0]
        let settings = StartupBenchRunner.Settings(executable: executable, benchmarksDirectory: benchmarks,
                                                   textsDirectory: texts, chunks: chunks, repeats: repeats)
        let report = try await StartupBenchRunner(settings: settings, log: log).run()
        func list(_ values: [Double]) -> String { values.map { String(format: "%.2f", $0) }.joined(separator: ", ") }
        print("Time to ready (spawn → /readyz 200), \(report.chunks) chunks:")
        print("")
        print("| after | seconds (each round) | target |")
        print("|---|---|---|")
        print("| a clean shutdown | \(list(report.cleanSeconds)) | ≤ 1 |")
        print("| kill -9 mid-ingest (log records: \(report.killedMidIngestWALRecords.map(String.init).joined(separator: ", "))) | "
            + "\(list(report.killedMidIngestSeconds)) | ≤ 10 |")
        print("| kill -9 with the longest log the policy allows (\(report.worstCaseWALRecords) records) | "
            + "\(list(report.worstCaseSeconds)) | ≤ 10 |")
        print("")
        print("targets: " + (report.met ? "met" : "not met"))
        if let json { try BenchServeCommand.write(report, to: json) }
    }
}
