import ArgumentParser
import CairnBench
import CairnEmbedding
import Foundation

/// `cairn bench quality`: retrieval quality of every mode on Linux manual pages, against the usual libraries.
struct BenchQualityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Benchmark retrieval quality (vector, keyword, hybrid) on real text against bm25s and onnxruntime.",
        discussion: """
            Ingests the corpus of Benchmarks/quality/build_manpages.py (Linux manual pages; built first when \
            missing) through the normal pipeline into --data (kept, so a second run ingests nothing), asks every \
            question in each mode and reports material-level hit@1, hit@10, MRR@10 and nDCG@10, the same for \
            bm25s, onnxruntime MiniLM with exact search and their fusion (--no-peers skips them), the ANN sweep, \
            the grounding calibration and, with --latency-data, retrieve latency of vector and hybrid mode on a \
            large data directory. Writes Benchmarks/results/<stamp>-quality.md and .json.
            """)

    @Option(help: "The corpus directory.") var corpus = "Benchmarks/data/manpages"
    @Option(help: "The data directory it is ingested into.") var data = "Benchmarks/data/quality-manpages"
    @Option(name: .customLong("top-k"), help: "Chunks retrieved per question.") var topK = 30
    @Flag(help: "Skip the Python peers.") var noPeers = false
    @Option(name: .customLong("latency-data"),
            help: "A prepared data directory of ~100,000 chunks (e.g. Benchmarks/data/serve-34000-t64) for the latency comparison.")
    var latencyData: String?
    @Option(name: .customLong("latency-queries"), help: "Questions in the latency comparison.") var latencyQueries = 500
    @Option(help: "The harness directory.") var benchmarks = "Benchmarks"

    func run() async throws {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        if !FileManager.default.fileExists(atPath: corpus + "/queries.jsonl") {
            log("building the corpus: python3 \(benchmarks)/quality/build_manpages.py --out \(corpus)")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", benchmarks + "/quality/build_manpages.py", "--out", corpus]
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw ValidationError("building the corpus failed (see above)") }
        }
        var settings = QualityBench.Settings(corpus: corpus, dataDirectory: data,
                                             modelDirectory: EmbedderFactory.modelDirectory(dataDirectory: data))
        settings.benchmarksDirectory = benchmarks
        settings.topK = topK
        settings.peers = !noPeers
        settings.latencyData = latencyData
        settings.latencyQueries = latencyQueries
        settings.latencyQuestions = benchmarks + "/texts/queries.txt"
        let report = try await QualityBench(settings: settings, log: log).run()
        let markdown = report.markdown
        print(markdown, terminator: "")
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let stamp = formatter.string(from: Date())
        let results = benchmarks + "/results"
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        try markdown.write(toFile: "\(results)/\(stamp)-quality.md", atomically: true, encoding: .utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: "\(results)/\(stamp)-quality.json"))
        log("wrote \(results)/\(stamp)-quality.md and .json")
    }
}
