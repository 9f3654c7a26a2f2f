import ArgumentParser
import CairnBench
import CairnVectorMath
import Foundation

/// `cairn bench embed`: measures the built-in all-MiniLM-L6-v2 on the committed text set — short queries
/// at batch 1 and paragraph-length documents at batch 32, with 1 and 2 threads — and with `--peers`
/// onnxruntime and sentence-transformers on PyTorch on the same texts in the same run.
///
/// The measuring lives in CairnBench (``EmbedBenchRunner``, ``EmbedPeerRunner``, ``EmbedBenchMarkdown``);
/// this command only turns flags into ``EmbedBenchSettings`` and prints or writes the results.
struct BenchEmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Benchmark the built-in embedder: query latency at batch 1 and documents/s at batch 32.",
        discussion: """
            Reads queries.txt and documents.txt from --texts (the committed set is Benchmarks/texts, written by \
            its make_texts.py) and measures each --threads value with its own embedder: every query embedded \
            alone (p50/p99 ms, queries/s) and the documents in batches of --batch (documents/s), each the \
            fastest of --repeats passes. The output names the OpenBLAS kernels in use and warns when an \
            environment setting holds them below what the CPU supports.

            --peers runs Benchmarks/peers/setup_embed.sh (onnxruntime, PyTorch and sentence-transformers in \
            Benchmarks/.venv; the ONNX graph exported locally from the PyTorch model), then embed_peer.py for \
            onnxruntime and torch at the same thread counts with OPENBLAS_CORETYPE unset, prints the Cairn/peer \
            ratios and writes Benchmarks/results/<timestamp>-embed.md. --json writes the machine-readable \
            report (see Benchmarks/README.md): {"model", "dim", "max_tokens", "blas_core", "blas_warning", \
            "simd", "texts", "queries", "documents", "batch", "repeats", "runs": [{"engine", "threads", \
            "query_p50_ms", "query_p99_ms", "queries_per_s", "docs_per_s", "batch", …}]}, plus "peers".
            """)

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "Directory with queries.txt and documents.txt.") var texts = "Benchmarks/texts"
    @Option(help: "Comma-separated thread counts; each gets its own embedder.") var threads = "1,2"
    @Option(help: "Documents per call.") var batch = EmbedBenchSettings.defaultDocumentBatch
    @Option(help: "Passes per measurement; the fastest counts (peers get the same).") var repeats = 3
    @Option(help: "Queries embedded (plus one document batch) before timing.") var warmup = 16
    @Flag(help: "Also measure onnxruntime and PyTorch (Benchmarks/peers/) and print Cairn/peer ratios.") var peers = false
    @Option(help: "Write the JSON report to this file.") var json: String?
    @Option(help: "The benchmark harness directory.") var benchmarksDir = "Benchmarks"

    func validate() throws {
        _ = try settings()
    }

    func run() async throws {
        let settings = try settings()
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        log(BLASInfo.summary)
        if let warning = BLASInfo.warning { log("warning: \(warning)") }
        do {
            let texts = try EmbedTextSet.load(directory: settings.textsDirectory)
            var report = try await EmbedBenchRunner(settings: settings, log: log).run(texts: texts)
            print(EmbedBenchMarkdown.summary(report))
            if let warning = report.blasWarning { print("\n> warning: \(warning)") }
            if peers {
                let now = Date()
                let peerRunner = EmbedPeerRunner(settings: settings, stamp: BenchIndexStamp.string(now), log: log)
                var comparison = peerRunner.run(cairn: report.runs)
                comparison.reportPath = peerRunner.reportPath
                report.peers = comparison
                let document = EmbedBenchMarkdown.document(
                    report, command: CommandLine.arguments.joined(separator: " "), date: now)
                do {
                    try document.write(toFile: peerRunner.reportPath, atomically: true, encoding: .utf8)
                } catch {
                    log("warning: cannot write \(peerRunner.reportPath): \(error.localizedDescription)")
                    report.peers?.reportPath = nil
                }
                print("\n" + EmbedBenchMarkdown.table(report.runs + comparison.runs))
                print("\n" + EmbedBenchMarkdown.comparison(comparison))
                if let written = report.peers?.reportPath { print("\nReport: \(written)") }
            } else {
                print("\n" + EmbedBenchMarkdown.table(report.runs))
            }
            if let json {
                try report.jsonData().write(to: URL(fileURLWithPath: json))
                log("wrote \(json)")
            }
        } catch let error as EmbedBenchError {
            log("error: \(error)")
            throw error.isUserError ? ExitCode.validationFailure : ExitCode.failure
        }
    }

    /// The validated settings the flags describe.
    func settings() throws -> EmbedBenchSettings {
        var s = EmbedBenchSettings()
        s.textsDirectory = texts
        s.documentBatch = batch
        s.repeats = repeats
        s.warmupQueries = warmup
        s.dataDirectory = data.path
        s.benchmarksDirectory = benchmarksDir
        do {
            s.threads = try EmbedBenchSettings.parseThreadList(threads)
            return try s.validated()
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
