public import CairnEmbedding
public import CairnKeyword
public import CairnStorage
public import CairnIndex
import CairnVectorMath
import Foundation
public import Logging
import Synchronization

/// The material store and the chunk vector index, kept in step, with the embedder that fills them.
///
/// **Order of writes.** A material's chunks are committed to the store first (rows with their embeddings,
/// one transaction), then applied to the index (removals, then additions; each durable when it returns).
/// **Recovery.** ``open(dataDirectory:embedder:logger:)`` reconciles the two before anything else runs: a
/// chunk row whose vector is missing from the index (the process died between the two writes) is added
/// from the embedding stored in its row, and an index label without a row (a chunk deleted by a re-index
/// that died before removing its vector) is removed. Searches also look every hit up in the store and drop
/// labels without a row, so a chunk is searchable if and only if its row is committed.
public final class MaterialLibrary: Sendable {
    /// The chunk index's directory inside the data directory.
    public static let indexDirectoryName = "chunk-index"

    public let dataDirectory: String
    public let store: MaterialStore
    public let vectors: DurableIndex
    /// The embedder of queries and chunks (behind the embedding cache when opened for ingestion).
    public let embedder: any Embedder
    /// Every completed material's filterable fields and chunk labels (see ``ChunkCatalog``).
    public let catalog = ChunkCatalog()
    /// The BM25 index of every chunk's text, built from the store on first use (or by
    /// ``prepareKeywordIndex()``) and then kept in step by every commit and delete.
    public let keywords: KeywordIndex
    /// How the keyword index was built, once it has been.
    let keywordBuild = Mutex<KeywordBuildReport?>(nil)
    /// The store's chunk generation the keyword index holds the chunks of: set when it is built or loaded and
    /// moved on by each of the library's own chunk-changing transactions that starts where it stands; nil
    /// when unknown (not built, or the store's chunks changed some other way).
    let keywordGeneration = Mutex<Int64?>(nil)
    let logger: Logger
    /// Serialises changes that touch the store, the index and the catalog together (commits, deletes).
    let writeLock = Mutex<Void>(())

    /// What a reconciliation changed.
    public struct ReconcileReport: Sendable, Hashable {
        /// Chunk rows whose vectors were missing and were added.
        public var vectorsAdded = 0
        /// Index labels without a chunk row, removed.
        public var vectorsRemoved = 0
        /// Chunks in the store (and now in the index).
        public var chunks = 0
        /// Seconds opening the index took (mapping its checkpoint and replaying its log).
        public var indexSeconds = 0.0
        /// Log records the index replayed.
        public var replayedRecords = 0
        /// Seconds comparing the store with the index (and repairing them).
        public var reconcileSeconds = 0.0
        /// Seconds loading the chunk catalog.
        public var catalogSeconds = 0.0
        /// Whether the catalog (and the chunk ids) came from the snapshot of the last clean shutdown.
        public var catalogFromSnapshot = false
    }

    /// What reconciliation changed when the library opened, and how long each step of opening took.
    public let reconcileReport: ReconcileReport

    /// Takes the parts and reconciles the index with the store before anything else can use them.
    private init(dataDirectory: String, store: MaterialStore, vectors: DurableIndex, embedder: any Embedder,
                 keywordOptions: KeywordOptions, logger: Logger) throws(IngestError) {
        self.dataDirectory = dataDirectory
        self.keywords = KeywordIndex(options: keywordOptions)
        self.store = store
        self.vectors = vectors
        self.embedder = embedder
        self.logger = logger
        // The catalog and every chunk id come from the last clean shutdown's snapshot when the store has not
        // changed since; otherwise one pass over the chunk table loads the catalog and gives reconciliation
        // every chunk id.
        let started = Date()
        let stamp = try StoreStamp.read(store)
        let adopted = Self.adoptCatalogSnapshot(Self.catalogSnapshot(in: dataDirectory), into: catalog, stamp: stamp,
                                                logger: logger)
        let rows: [ChunkID]
        if let adopted { rows = adopted } else { rows = try catalog.load(from: store) }
        // (A stale keyword snapshot goes now; a current one is loaded when the keyword index is first needed.)
        _ = Self.keywordSnapshotMatches(Self.keywordSnapshot(in: dataDirectory), stamp: stamp,
                                        fingerprint: keywords.imageFingerprint, logger: logger)
        let catalogSeconds = Date().timeIntervalSince(started)
        var report = try Self.reconcile(store: store, vectors: vectors, rows: rows, logger: logger)
        report.catalogSeconds = catalogSeconds
        report.catalogFromSnapshot = adopted != nil
        report.reconcileSeconds = Date().timeIntervalSince(started) - catalogSeconds
        report.indexSeconds = vectors.recovery.loadSeconds
        report.replayedRecords = vectors.recovery.replayedRecords
        reconcileReport = report
    }

    /// Opens the store and the index in `dataDirectory` (creating them) and reconciles them.
    /// - Parameter keywordOptions: BM25's parameters and the tokenizer of the keyword index.
    /// - Parameter quantization: how a chunk index created now walks its graph (nil: float32); an existing index
    ///   keeps the quantization it was created with (a different explicit request is logged as a warning).
    /// - Throws: ``IngestError`` `.storage` naming the file, or `.configuration` when the index holds vectors
    ///   of another dimension than `embedder` makes (chunks embedded by another model).
    public static func open(dataDirectory: String, embedder: any Embedder, keywordOptions: KeywordOptions = .standard,
                            quantization: VectorQuantization? = nil,
                            logger: Logger = Logger(label: "cairn.ingest")) throws(IngestError) -> MaterialLibrary
    {
        let store = try MaterialStore(dataDirectory: dataDirectory)
        let directory = (dataDirectory as NSString).appendingPathComponent(indexDirectoryName)
        let vectors: DurableIndex
        do {
            var requested = IndexConfiguration(dimension: embedder.model.dimension, metric: .cosine, m: 16,
                                               efConstruction: 100, efSearch: 100)
            requested.quantization = quantization ?? .none
            vectors = try DurableIndex.open(directory: directory, configuration: requested, logger: logger)
            let kept = vectors.configuration.quantization
            if let quantization, kept != quantization {
                logger.warning("the chunk index keeps its quantization", metadata: [
                    "requested": "\(quantization.rawValue)", "index": "\(kept.rawValue)", "directory": "\(directory)",
                ])
            }
        } catch let error as StorageError where error.lockHolder != nil {
            throw IngestError(.locked, "\(dataDirectory) is in use by \(error.lockHolder!); stop it or use another "
                + "--data-dir")
        } catch let error as StorageError where error.kind == .userError {
            throw IngestError(.configuration,
                              "chunk index \(directory): \(error); it was built with another embedding model than "
                                  + "\(embedder.model.id) (\(embedder.model.dimension)-d): index with that model, or "
                                  + "use another --data-dir")
        } catch {
            throw IngestError(.storage, "chunk index \(directory): \(error)")
        }
        return try MaterialLibrary(dataDirectory: dataDirectory, store: store, vectors: vectors, embedder: embedder,
                                   keywordOptions: keywordOptions, logger: logger)
    }

    /// Makes the index hold exactly the store's chunks (see the type's notes); safe to run at any time
    /// when no ingestion runs.
    @discardableResult
    public func reconcile() throws(IngestError) -> ReconcileReport {
        try Self.reconcile(store: store, vectors: vectors, rows: nil, logger: logger)
    }

    /// Commits finished materials (and failed ones) to the store in one transaction, applies their chunk
    /// changes to the index and the keyword index, then refreshes them in the catalog — store, indexes,
    /// catalog, in that order.
    public func commit(_ finished: [FinishedMaterial],
                       failures: [(draft: MaterialDraft, existing: MaterialID?, error: String)] = [],
                       bulkJob: Int64?) throws(IngestError) {
        try writeLock.withLock { _ throws(IngestError) in
            let commits = try store.commitMaterials(finished, failures: failures, bulkJob: bulkJob,
                                                    model: embedder.model.id)
            try followingChunks { () throws(IngestError) in
                for (_, commit) in commits {
                    try Self.apply(commit, to: vectors)
                    applyKeywords(commit)
                }
            }
            try catalog.refresh(commits.map(\.0) + failures.compactMap(\.existing), from: store)
        }
    }

    /// Re-reads these materials into the catalog (after their rows changed outside a commit).
    public func refreshCatalog(_ ids: [MaterialID]) throws(IngestError) {
        try writeLock.withLock { _ throws(IngestError) in
            for start in stride(from: 0, to: ids.count, by: 256) {
                try catalog.refresh(Array(ids[start..<min(start + 256, ids.count)]), from: store)
            }
        }
    }

    /// Deletes a material: its rows go from the store (one transaction), then its vectors from the index and
    /// its entry from the catalog. Searches never return it afterwards (they also drop labels without rows).
    /// - Parameter refusing: statuses in which the material is not deleted (a job is working on it); the
    ///   status is checked in the same transaction as the delete.
    /// - Returns: the number of chunks removed, or nil when there was no such material.
    /// - Throws: ``IngestError/Kind/busy`` when the material's status is one of `refusing`.
    @discardableResult
    public func delete(_ id: MaterialID, refusing: Set<MaterialStatus> = []) throws(IngestError) -> Int? {
        try writeLock.withLock { _ throws(IngestError) -> Int? in
            guard let chunks = try store.deleteMaterial(id, refusing: refusing) else { return nil }
            catalog.remove(id)
            try followingChunks { () throws(IngestError) in
                try Self.apply(ChunkCommit(added: [], removed: chunks, kept: 0), to: vectors)
                applyKeywords(ChunkCommit(added: [], removed: chunks, kept: 0))
            }
            return chunks.count
        }
    }

    /// Writes a checkpoint of the chunk index when its write-ahead log holds at least `records` records
    /// (nothing to do otherwise).
    /// - Returns: whether a checkpoint was written.
    @discardableResult
    public func checkpoint(ifRecordsAtLeast records: Int = 1) throws(IngestError) -> Bool {
        guard vectors.walRecords >= max(1, records) else { return false }
        do {
            try vectors.checkpoint()
        } catch {
            throw IngestError(.storage, "checkpointing the chunk index: \(error)")
        }
        return true
    }

    /// Applies the store's last chunk-changing transaction to the indexes with `apply`, moving
    /// ``keywordGeneration`` on when that transaction started where the keyword index stood and `apply`
    /// succeeded; otherwise the keyword index's generation becomes unknown. Called under the write lock.
    private func followingChunks(_ apply: () throws(IngestError) -> Void) throws(IngestError) {
        let step = store.lastChunkStep
        let continues = keywordGeneration.withLock { generation -> Bool in
            defer { generation = nil }
            return generation != nil && step?.before == generation
        }
        try apply()
        if continues, let step { keywordGeneration.withLock { $0 = step.after } }
    }

    /// - Parameter rows: every chunk id in the store, ascending, when the caller has just read them (else read
    ///   here).
    private static func reconcile(store: MaterialStore, vectors: DurableIndex, rows known: [ChunkID]?,
                                  logger: Logger) throws(IngestError) -> ReconcileReport
    {
        let rows: [ChunkID]
        if let known { rows = known } else { rows = try store.allChunkIDs().sorted() }
        let labels = vectors.index.allLabels().sorted().map(ChunkID.init(label:))
        // Both ascending: one merge finds the rows without a vector and the vectors without a row.
        var missing: [ChunkID] = []
        var orphans: [ChunkID] = []
        var i = 0
        var j = 0
        while i < rows.count || j < labels.count {
            if j == labels.count || (i < rows.count && rows[i] < labels[j]) {
                missing.append(rows[i])
                i += 1
            } else if i == rows.count || labels[j] < rows[i] {
                orphans.append(labels[j])
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        if !missing.isEmpty || !orphans.isEmpty {
            logger.warning("reconciling the chunk index with the store",
                           metadata: ["missing": "\(missing.count)", "orphans": "\(orphans.count)"])
        }
        var report = ReconcileReport(chunks: rows.count)
        for start in stride(from: 0, to: missing.count, by: 512) {
            let part = try store.embeddings(of: Array(missing[start..<min(start + 512, missing.count)]))
            try apply(ChunkCommit(added: part, removed: [], kept: 0), to: vectors)
            report.vectorsAdded += part.count
        }
        try apply(ChunkCommit(added: [], removed: orphans, kept: 0), to: vectors)
        report.vectorsRemoved = orphans.count
        return report
    }

    private static func apply(_ commit: ChunkCommit, to vectors: DurableIndex) throws(IngestError) {
        do {
            try vectors.remove(labels: commit.removed.map(\.label))
            if !commit.added.isEmpty {
                try vectors.upsert(labels: commit.added.map(\.id.label), vectors: commit.added.flatMap(\.embedding))
            }
        } catch {
            throw IngestError(.storage, "chunk index: \(error)")
        }
    }
}
