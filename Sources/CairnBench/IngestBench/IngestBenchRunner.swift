import CairnEmbedding
import CairnSQL
public import CairnIngest
import Foundation

/// `cairn bench ingest`: chunks/s of a bulk job with the built-in model against pure embedding throughput of
/// the same chunk texts, in the same process, so the pipeline's overhead (reading, extraction, chunking,
/// hashing, the store, the index, the job bookkeeping) is measured directly.
///
/// The corpus is the committed documents.txt, written as `files` Markdown and text files of several passages
/// each (with headings), so chunking has real structure. Each ingest pass uses a fresh data directory (so
/// nothing is skipped and the embedding cache is cold); the pure pass embeds the chunk texts that pass
/// stored, in batches of the same size, with a fresh embedder of the same thread count.
public struct IngestBenchRunner: Sendable {
    public struct Settings: Sendable {
        public var textsDirectory: String
        public var modelDirectory: String
        public var files: Int
        public var threads: Int
        public var batch: Int
        public var repeats: Int
        public var chunking: ChunkingOptions

        public init(textsDirectory: String, modelDirectory: String, files: Int = 40, threads: Int = 0, batch: Int = 64,
                    repeats: Int = 2, chunking: ChunkingOptions = ChunkingOptions()) {
            self.textsDirectory = textsDirectory
            self.modelDirectory = modelDirectory
            self.files = files
            self.threads = threads
            self.batch = batch
            self.repeats = repeats
            self.chunking = chunking
        }
    }

    /// One benchmark's outcome.
    public struct Report: Sendable, Codable {
        public var files: Int
        public var chunks: Int
        public var tokensMean: Double
        public var threads: Int
        public var batch: Int
        public var repeats: Int
        /// Best ingest pass: chunks per second, wall clock from the first file read to the last commit.
        public var ingestChunksPerSecond: Double
        /// Best pure pass over the same chunk texts.
        public var embedChunksPerSecond: Double
        /// `1 - ingest / embed`: the share of throughput the pipeline costs.
        public var overhead: Double
        public var ingestSeconds: [Double]
        public var embedSeconds: [Double]
        /// Seconds the best ingest pass spent inside the embedder.
        public var embedderSecondsInIngest: Double
        public var met: Bool { overhead <= 0.10 }
    }

    public let settings: Settings
    public let log: @Sendable (String) -> Void

    public init(settings: Settings, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.log = log
    }

    public func run() async throws -> Report {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-bench-ingest-\(getpid())").path
        try? FileManager.default.removeItem(atPath: work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let corpus = work + "/corpus"
        let paths = try writeCorpus(into: corpus)
        var ingestTimes: [Double] = [], embedTimes: [Double] = []
        var chunkTexts: [String] = []
        var embedderSeconds = Double.infinity
        for pass in 0..<max(1, settings.repeats) {
            let data = work + "/data-\(pass)"
            let embedder = try BuiltinEmbedder(modelDirectory: settings.modelDirectory, threads: settings.threads)
            let cached = CachedEmbedder(embedder, cache: try EmbeddingCache(dataDirectory: data))
            let library = try MaterialLibrary.open(dataDirectory: data, embedder: cached)
            let ingestor = try BulkIngestor(library: library, options: BulkIngestOptions(
                defaults: MaterialMetadata(owner: "bench"), chunking: settings.chunking, batchSize: settings.batch))
            let summary = try await ingestor.run(paths.map { IngestInput(path: $0) }, arguments: "bench ingest")
            guard summary.counts.failed == 0, summary.counts.added == paths.count else {
                throw IngestError(.storage, "bench ingest: \(summary.counts) \(summary.errors)")
            }
            ingestTimes.append(summary.elapsedSeconds)
            embedderSeconds = min(embedderSeconds, summary.embedSeconds)
            log(String(format: "ingest pass %d: %d chunks in %.2f s (%.1f chunks/s; %.2f s in the embedder)", pass + 1,
                       summary.counts.chunks, summary.elapsedSeconds,
                       Double(summary.counts.chunks) / summary.elapsedSeconds, summary.embedSeconds))
            if chunkTexts.isEmpty {
                chunkTexts = try library.store.database.query("SELECT content FROM material_chunks ORDER BY id")
                    .map { try $0.get(0) }
            }

            let pure = try BuiltinEmbedder(modelDirectory: settings.modelDirectory, threads: settings.threads)
            let started = Date()
            for batch in EmbedTextSet(queries: [], documents: chunkTexts).documentBatches(of: settings.batch) {
                _ = try await pure.embed(batch)
            }
            let seconds = Date().timeIntervalSince(started)
            embedTimes.append(seconds)
            log(String(format: "embed pass %d: %d chunks in %.2f s (%.1f chunks/s)", pass + 1, chunkTexts.count, seconds,
                       Double(chunkTexts.count) / seconds))
        }
        let tokenizer = try WordPieceTokenizer(modelDirectory: settings.modelDirectory)
        let tokens = chunkTexts.reduce(0) { $0 + tokenizer.tokenCount($1) }
        let ingestRate = Double(chunkTexts.count) / ingestTimes.min()!
        let embedRate = Double(chunkTexts.count) / embedTimes.min()!
        return Report(files: paths.count, chunks: chunkTexts.count,
                      tokensMean: Double(tokens) / Double(max(1, chunkTexts.count)), threads: settings.threads,
                      batch: settings.batch, repeats: settings.repeats, ingestChunksPerSecond: ingestRate,
                      embedChunksPerSecond: embedRate, overhead: 1 - ingestRate / embedRate, ingestSeconds: ingestTimes,
                      embedSeconds: embedTimes, embedderSecondsInIngest: embedderSeconds)
    }

    /// Writes the corpus: passages grouped into files, alternately Markdown (with headings) and plain text.
    func writeCorpus(into directory: String) throws -> [String] {
        let passages = try EmbedTextSet.load(directory: settings.textsDirectory).documents
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = max(1, min(settings.files, passages.count))
        var paths: [String] = []
        for f in 0..<files {
            let mine = stride(from: f, to: passages.count, by: files).map { passages[$0] }
            let markdown = f % 2 == 0
            var text = markdown ? "# Study notes \(f + 1)\n\n" : ""
            for (i, passage) in mine.enumerated() {
                if markdown { text += "## Section \(i + 1)\n\n" }
                text += passage + "\n\n"
            }
            let path = directory + "/notes-\(f + 1)" + (markdown ? ".md" : ".txt")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        return paths
    }
}
