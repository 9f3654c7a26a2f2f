import CairnEmbedding
import CairnIngest
import CairnKeyword
import Foundation

/// `cairn bench quality`: retrieval quality of every mode on real text (Linux manual pages), against the
/// libraries a user would otherwise glue together, plus the ANN loss, the grounding calibration and
/// retrieve latency at scale. See Benchmarks/README.md, "Retrieval quality".
public struct QualityBench: Sendable, BenchmarksLayout {
    public struct Settings: Sendable {
        /// Where `build_manpages.py` wrote the corpus.
        public var corpus: String
        /// The data directory the corpus is ingested into (kept: a second run ingests nothing).
        public var dataDirectory: String
        public var modelDirectory: String
        public var benchmarksDirectory = "Benchmarks"
        /// Chunks retrieved per query (the material ranking at 10 is read from them).
        public var topK = 30
        public var peers = true
        public var efSweep = [40, 100, 200, 400, 1_000]
        /// A prepared data directory of about 100,000 chunks for the latency comparison (nil: skipped).
        public var latencyData: String?
        /// Questions (one per line) for the latency comparison.
        public var latencyQuestions = "Benchmarks/texts/queries.txt"
        public var latencyQueries = 500
        /// Ingest only this many documents, evenly spaced through the sorted corpus, with the questions about
        /// them and the same share of the held-out questions (nil: the whole corpus).
        public var documentSample: Int?

        public init(corpus: String, dataDirectory: String, modelDirectory: String) {
            self.corpus = corpus
            self.dataDirectory = dataDirectory
            self.modelDirectory = modelDirectory
        }
    }

    public let settings: Settings
    public let log: @Sendable (String) -> Void
    public var benchmarksDirectory: String { settings.benchmarksDirectory }

    public init(settings: Settings, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.log = log
    }

    public func run() async throws -> QualityReport {
        var corpus = try QualityCorpus.load(settings.corpus)
        if let sample = settings.documentSample { corpus = corpus.sample(documents: sample) }
        var report = QualityReport()
        report.topK = settings.topK
        report.documents = corpus.documents.count
        let embedder = try BuiltinEmbedder(modelDirectory: settings.modelDirectory, threads: 0)
        let library = try MaterialLibrary.open(
            dataDirectory: settings.dataDirectory,
            embedder: CachedEmbedder(embedder, cache: try EmbeddingCache(dataDirectory: settings.dataDirectory)))
        report.ingestSeconds = try await ingest(corpus, into: library)
        let build = try library.prepareKeywordIndex()
        report.keywordBuild = .init(chunks: build.chunks, terms: build.terms, readSeconds: build.readSeconds,
                                    indexSeconds: build.indexSeconds, openSeconds: 0)
        report.chunks = library.keywords.count
        let answerable = corpus.queries.filter { !$0.heldOut }
        report.queriesInMaterials = answerable.count
        report.queriesHeldOut = corpus.queries.count - answerable.count
        log("embedding \(corpus.queries.count) questions")
        let vectors = try await embedQuestions(corpus.queries.map(\.query), embedder: library.embedder)
        let runner = QualityRuns(library: library, topK: settings.topK, log: log)
        let byID = Dictionary(uniqueKeysWithValues: zip(corpus.queries.map(\.id), vectors))
        let (rows, samples) = try await runner.modes(corpus.queries, vectors: byID)
        report.rows = rows
        // What an unfiltered vector search of top k asks the index for: k plus the 8 spare candidates.
        report.defaultEf = library.defaultEf(depth: settings.topK + 8)
        report.efSweep = try await runner.efSweep(answerable, vectors: byID, efs: settings.efSweep)
        let standard = GroundingThresholds.standard
        report.grounding = QualityGrounding.calibrate(samples, defaults: (standard.similarity, standard.keyword))
        if settings.peers {
            do {
                let peers = try QualityPeers(settings: settings, log: log).run(library: library, queries: answerable)
                report.peers = peers.rows
                report.peerVersions = peers.versions
            } catch {
                log("peers: \(error)")
                report.peerError = "\(error)"
            }
        }
        if let data = settings.latencyData {
            try await QualityLatency(settings: settings, log: log).run(data: data, report: &report)
        }
        return report
    }

    /// Ingests the corpus through the normal pipeline (files already in the store are skipped).
    private func ingest(_ corpus: QualityCorpus, into library: MaterialLibrary) async throws -> Double {
        let started = Date()
        let ingestor = try BulkIngestor(library: library, options: BulkIngestOptions(
            defaults: MaterialMetadata(owner: "manpages", language: "en"),
            chunking: ChunkingOptions(), batchSize: 64))
        log("ingesting \(corpus.documents.count) documents into \(settings.dataDirectory)")
        let lastShown = LockedDate()
        let summary = try await ingestor.run(corpus.documents.map { IngestInput(path: $0) }, arguments: "bench quality") {
            progress in
            if lastShown.due(every: 15) {
                self.log("  \(progress.filesDone)/\(progress.counts.filesTotal) files, \(progress.chunksDone) chunks")
            }
        }
        let seconds = Date().timeIntervalSince(started)
        log(String(format: "ingested: %d added, %d unchanged, %d failed, %d chunks in %.1f s", summary.counts.added,
                   summary.counts.unchanged, summary.counts.failed, summary.counts.chunks, seconds))
        return seconds
    }

    private func embedQuestions(_ texts: [String], embedder: any Embedder) async throws -> [[Float]] {
        var out: [[Float]] = []
        for start in stride(from: 0, to: texts.count, by: 64) {
            out += try await embedder.embed(Array(texts[start..<min(start + 64, texts.count)])).vectors
        }
        return out
    }
}

/// A clock that says when a progress line is due.
final class LockedDate: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast

    func due(every seconds: Double) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard Date().timeIntervalSince(last) >= seconds else { return false }
        last = Date()
        return true
    }
}
