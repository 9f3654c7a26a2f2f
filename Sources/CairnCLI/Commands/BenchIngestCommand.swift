import ArgumentParser
import CairnBench
import CairnEmbedding
import CairnIngest
import CairnVectorMath
import Foundation

/// `cairn bench ingest`: bulk-job chunks/s with the built-in model against pure embedding of the same chunks.
struct BenchIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Benchmark a bulk ingestion job against pure embedding throughput of the same chunks.",
        discussion: """
            Writes the passages of --texts/documents.txt as --files Markdown and text files, indexes them into a \
            fresh data directory with the built-in model (cold embedding cache), then embeds the stored chunk \
            texts alone with a fresh embedder in batches of the same size. Reports both rates and the pipeline's \
            overhead (1 - ingest/embed; the target is at most 10 %), best of --repeats passes each. --json writes \
            {"files", "chunks", "tokens_mean", "threads", "batch", "repeats", "ingest_chunks_per_s", \
            "embed_chunks_per_s", "overhead", "ingest_seconds", "embed_seconds", "embedder_seconds_in_ingest", "met"}.
            """)

    @OptionGroup var data: DataDirectoryOptions
    @Option(help: "Directory with documents.txt.") var texts = "Benchmarks/texts"
    @Option(help: "Files the passages are grouped into.") var files = 40
    @Option(help: "Threads of the built-in model (0: all cores).") var threads = 0
    @Option(help: "Chunks per embedder call (both passes).") var batch = 64
    @Option(help: "Passes of each kind; the fastest counts.") var repeats = 2
    @Option(help: "Chunk size in tokens.") var maxTokens = 200
    @Option(help: "Chunk overlap in tokens.") var overlap = 40
    @Option(help: "Write the JSON report to this file.") var json: String?

    func run() async throws {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        log(BLASInfo.summary)
        if let warning = BLASInfo.warning { log("warning: \(warning)") }
        let settings = IngestBenchRunner.Settings(
            textsDirectory: texts, modelDirectory: EmbedderFactory.modelDirectory(dataDirectory: data.path), files: files,
            threads: threads, batch: batch, repeats: repeats,
            chunking: ChunkingOptions(maxTokens: maxTokens, overlapTokens: overlap))
        let report = try await IngestBenchRunner(settings: settings, log: log).run()
        print("| measure | value |\n|---|---:|")
        print("| files / chunks | \(report.files) / \(report.chunks) (mean \(String(format: "%.1f", report.tokensMean)) tokens) |")
        print(String(format: "| bulk ingest (chunks/s) | %.1f |", report.ingestChunksPerSecond))
        print(String(format: "| pure embedding (chunks/s) | %.1f |", report.embedChunksPerSecond))
        print(String(format: "| overhead (1 - ingest/embed) | %.1f %% (target <= 10 %%: %@) |", report.overhead * 100,
                     report.met ? "met" : "not met"))
        if let json {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            var object = try JSONSerialization.jsonObject(with: try encoder.encode(report)) as? [String: Any] ?? [:]
            object["met"] = report.met
            object["ingest_chunks_per_s"] = object.removeValue(forKey: "ingest_chunks_per_second")
            object["embed_chunks_per_s"] = object.removeValue(forKey: "embed_chunks_per_second")
            try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: json))
            log("wrote \(json)")
        }
    }
}
