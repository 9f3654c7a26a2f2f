import CairnEmbedding
import CairnIngest
import CairnMirror
public import CairnPostgres
import Foundation
import Logging
import Synchronization

/// The mirror during a bulk load: a real `BulkIngestor` run (the built-in model, the embedding cache) into a
/// fresh data directory while a `MirrorWorker` drains the outbox into a fresh PostgreSQL database, as
/// `cairn serve` does. Every 100 ms the lag (changes waiting, seconds behind) is sampled; the report gives
/// ingestion's chunks/s, the mirror's applied chunks/s, the lag's distribution over the load and at each
/// quarter of it (bounded, or growing?), and how long after the last commit the mirror caught up.
public struct MirrorLoadBench: Sendable {
    public struct Report: Sendable, Codable {
        public var files: Int
        public var chunks: Int
        public var ingestSeconds: Double
        public var ingestChunksPerSecond: Double
        /// Chunks applied over the seconds from the load's start until the mirror had everything.
        public var mirrorChunksPerSecond: Double
        /// Seconds from the last commit until the outbox was empty.
        public var catchUpSeconds: Double
        public var lagChangesP50: Int
        public var lagChangesP95: Int
        public var lagChangesMax: Int
        public var lagSecondsP50: Double
        public var lagSecondsP95: Double
        public var lagSecondsMax: Double
        /// The largest lag (changes) in each quarter of the load.
        public var lagChangesByQuarter: [Int]
        public var samples: Int
    }

    public var url: PostgresURL
    public var modelDirectory: String
    public var textsDirectory: String
    public var files: Int
    public var log: @Sendable (String) -> Void

    public init(url: PostgresURL, modelDirectory: String, textsDirectory: String, files: Int,
                log: @escaping @Sendable (String) -> Void) {
        self.url = url
        self.modelDirectory = modelDirectory
        self.textsDirectory = textsDirectory
        self.files = files
        self.log = log
    }

    struct Sample {
        var seconds: Double
        var changes: Int
        var behind: Double
    }

    public func run(databaseURL: PostgresURL) async throws -> Report {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-bench-mirror-\(getpid())").path
        try? FileManager.default.removeItem(atPath: work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let paths = try writeCorpus(into: work + "/corpus")
        let data = work + "/data"
        let embedder = try BuiltinEmbedder(modelDirectory: modelDirectory, threads: 0)
        let library = try MaterialLibrary.open(dataDirectory: data,
                                               embedder: CachedEmbedder(embedder, cache: try EmbeddingCache(dataDirectory: data)))
        let outbox = try MirrorOutbox(storePath: library.store.path)
        try outbox.enable()
        let applier = MirrorApplier(target: .init(url: databaseURL, dimension: embedder.model.dimension, model: embedder.model.id),
                                    outbox: outbox)
        _ = try applier.connect()
        let worker = MirrorWorker(applier: applier, logger: Logger(label: "cairn.bench.mirror"), pollInterval: 0.1)
        let samples = Mutex<[Sample]>([])
        let sampling = Atomic<Bool>(true)
        let started = Date()
        worker.start()
        let sampler = Thread {
            while sampling.load(ordering: .acquiring) {
                if let backlog = try? outbox.backlog() {
                    let sample = Sample(seconds: Date().timeIntervalSince(started), changes: backlog.changes,
                                        behind: backlog.secondsBehind())
                    samples.withLock { $0.append(sample) }
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        sampler.start()
        let ingestor = try BulkIngestor(library: library, options: BulkIngestOptions(
            defaults: MaterialMetadata(owner: "bench"), chunking: ChunkingOptions(), batchSize: 64))
        let summary = try await ingestor.run(paths.map { IngestInput(path: $0) }, arguments: "bench mirror")
        let ingestEnd = Date()
        sampling.store(false, ordering: .releasing)
        let caughtUp = worker.stop(drainingFor: 300)
        let end = Date()
        guard caughtUp.changes == 0 else {
            throw MirrorError(.failure, "the mirror did not catch up: \(caughtUp.changes) changes left (\(caughtUp.lastError ?? "-"))")
        }
        let ingestSeconds = ingestEnd.timeIntervalSince(started)
        let chunks = summary.counts.chunks
        let taken = samples.withLock { $0 }.filter { $0.seconds <= ingestSeconds }
        let changes = taken.map(\.changes).sorted(), behind = taken.map(\.behind).sorted()
        func quantile<T>(_ sorted: [T], _ p: Double, _ zero: T) -> T {
            sorted.isEmpty ? zero : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
        }
        let quarters = (0..<4).map { quarter -> Int in
            taken.filter { $0.seconds >= ingestSeconds * Double(quarter) / 4 && $0.seconds < ingestSeconds * Double(quarter + 1) / 4 }
                .map(\.changes).max() ?? 0
        }
        let report = Report(
            files: paths.count, chunks: chunks, ingestSeconds: ingestSeconds,
            ingestChunksPerSecond: Double(chunks) / ingestSeconds,
            mirrorChunksPerSecond: Double(caughtUp.appliedChunks) / end.timeIntervalSince(started),
            catchUpSeconds: end.timeIntervalSince(ingestEnd),
            lagChangesP50: quantile(changes, 0.5, 0), lagChangesP95: quantile(changes, 0.95, 0),
            lagChangesMax: changes.last ?? 0, lagSecondsP50: quantile(behind, 0.5, 0.0),
            lagSecondsP95: quantile(behind, 0.95, 0.0), lagSecondsMax: behind.last ?? 0,
            lagChangesByQuarter: quarters, samples: taken.count)
        log(String(format: "bulk load: %d files, %d chunks in %.1f s (%.1f chunks/s); mirror %.1f chunks/s, caught up %.2f s "
            + "after the last commit; lag p50 %d / p95 %d / max %d changes, p95 %.2f s; max per quarter %@",
                   report.files, chunks, ingestSeconds, report.ingestChunksPerSecond, report.mirrorChunksPerSecond,
                   report.catchUpSeconds, report.lagChangesP50, report.lagChangesP95, report.lagChangesMax,
                   report.lagSecondsP95, quarters.map(String.init).joined(separator: "/")))
        return report
    }

    /// `files` files of passages (each file its own heading and mix, so each is new content).
    func writeCorpus(into directory: String) throws -> [String] {
        let passages = try EmbedTextSet.load(directory: textsDirectory).documents
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var paths: [String] = []
        for f in 0..<files {
            var text = "# Study notes \(f + 1)\n\n"
            for i in 0..<8 {
                text += "## Part \(i + 1) of set \(f + 1)\n\n" + passages[(f * 7 + i * 13) % passages.count] + "\n\n"
            }
            let path = directory + "/notes-\(f + 1).md"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        return paths
    }
}
