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
            at p50). Build this executable in release mode (scripts/run.sh does).
            """)

    @Option(help: "Passages in the index (about one chunk each).") var passages = 10_000
    @Option(help: "Retrieves per phase.") var requests = 1_000
    @Option(help: "Files uploaded for the loaded phase.") var loadFiles = 1_000
    @Option(help: "Directory with documents.txt and queries.txt.") var texts = "Benchmarks/texts"
    @Option(help: "The harness directory (data and results go under it).") var benchmarks = "Benchmarks"
    @Option(help: "Write the JSON report to this file.") var json: String?

    func run() async throws {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        log(BLASInfo.summary)
        let executable = ModelLocator.executablePath() ?? CommandLine.arguments[0]
        let settings = ServeBenchRunner.Settings(
            executable: executable, benchmarksDirectory: benchmarks, textsDirectory: texts,
            modelDirectory: EmbedderFactory.modelDirectory(dataDirectory: "index-data"), passages: passages,
            requests: requests, loadFiles: loadFiles)
        let report = try await ServeBenchRunner(settings: settings, log: log).run()
        print("Retrieve over loopback: \(report.chunks) chunks (\(report.materials) materials), top_k \(report.topK), coach key")
        print("")
        print("| phase | requests | client p50 ms | client p99 ms | server handling p50 | embed p50 | filter p50 | search p50 | fetch p50 | server overhead p50 | end-to-end overhead p50 |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for (name, p) in [("idle", report.idle), ("during a 1,000-file upload", report.loaded)] {
            print(String(format: "| %@ | %d | %.2f | %.2f | %.2f | %.2f | %.3f | %.3f | %.3f | %.2f ms (%.1f %%) | %.1f %% |",
                         name, p.requests, p.clientP50, p.clientP99, p.serverHandlingP50, p.embedP50, p.filterP50,
                         p.searchP50, p.fetchP50, p.overheadP50Milliseconds, p.overheadP50 * 100,
                         p.endToEndOverheadP50 * 100))
        }
        print("")
        print(String(format: "p50 under load / idle: %.2f×; %d chunks of the upload ingested during the loaded phase",
                     report.loaded.clientP50 / report.idle.clientP50, report.loadChunksIngested))
        print(String(format: "an empty request's round trip (GET /healthz, same client): p50 %.2f ms", report.emptyRoundTripP50))
        print("server overhead at p50 (idle; handling minus embed and search): "
            + "\(String(format: "%.1f", report.idle.overheadP50 * 100)) % — target < 20 %: " + (report.met ? "met" : "not met"))
        if let json { try Self.write(report, to: json) }
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
