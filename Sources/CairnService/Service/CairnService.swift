import CairnEmbedding
public import CairnDialogue
public import CairnIngest
public import CairnStorage
import CairnIndex
import CairnMirror
import CairnPostgres
public import Foundation
public import Logging
public import Metrics
import Synchronization

/// The retrieval service: one long-lived owner of a data directory — the material library (store, chunk
/// index and catalog), the query and ingestion embedders, API keys, the ingestion queue and the retrieval
/// log — with no HTTP types. The HTTP API (`CairnAPI`) calls it; the CLI wires the two.
///
/// **Lifecycle.** ``start()`` takes the data directory's lock, loads the model once, opens and reconciles the
/// library, creates the first admin key when there is none, and recovers the ingestion queue; until it
/// finishes, ``phase`` is `.starting` and every call that needs the data answers `.notReady`. ``run()``
/// drives the background work (the ingestion queue, key refresh, retrieval-log flushes, gauges) until
/// ``shutdown()``, which lets the running ingest batch commit, writes the buffered retrieval records,
/// checkpoints the chunk index and releases the directory.
///
/// ```swift
/// let service = CairnService(configuration: try ServiceConfiguration.resolve(), logger: logger)
/// try await service.start()
/// async let background: Void = service.run()
/// let result = try await service.retrieve(RetrievalRequest(query: "What is osmosis?"), as: identity)
/// await service.shutdown()
/// ```
public final class CairnService: Sendable {
    /// What ``start()`` opened.
    struct Parts: Sendable {
        let library: MaterialLibrary
        let queryEmbedder: any Embedder
        let keys: KeyStore
        let jobs: JobStore
        let queue: IngestionQueue
        let retrievals: RetrievalLog
        let spool: Spool
        /// The PostgreSQL mirror's worker, when a database URL is configured.
        let mirror: MirrorWorker?
        /// The dialogue log, the price table and the prompt templates.
        let dialogues: DialogueStore
        let prices: PriceTable
        let prompts: PromptLibrary
    }

    /// Where the service is in its life.
    public enum Phase: Sendable, Equatable {
        case starting
        case ready
        case failed(String)
        case stopping
    }

    /// What the service reports once it is ready.
    public struct ReadyInfo: Sendable {
        /// The admin key created on this first start (shown once), if one was.
        public var createdAdminKey: String?
        public var materials: Int
        public var chunks: Int
        /// Seconds from ``start()`` to ready.
        public var startSeconds: Double
        /// What reconciling the index with the store changed, and how long opening it took.
        public var reconciled: MaterialLibrary.ReconcileReport
        /// Seconds loading the embedding model.
        public var modelSeconds: Double
        /// How the keyword index was built from the store.
        public var keywords: KeywordBuildReport
    }

    public let configuration: ServiceConfiguration
    public let logger: Logger
    let metrics: ServiceMetrics
    private let state = Mutex<(phase: Phase, parts: Parts?, ready: ReadyInfo?)>((.starting, nil, nil))
    private let stopSignal = WakeSignal()
    private let stopped = WakeSignal()
    private let running = Atomic<Bool>(false)
    private let directoryLock = Mutex<DirectoryLock?>(nil)
    /// Whether a recall check runs now, and the last one's report.
    let recallState = Mutex<(running: Bool, last: RecallCheckReport?)>((false, nil))

    /// - Parameter metricsFactory: where the service's metrics go (the HTTP layer's Prometheus registry).
    public init(configuration: ServiceConfiguration, logger: Logger,
                metricsFactory: any MetricsFactory = MetricsSystem.factory) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = ServiceMetrics(factory: metricsFactory)
    }

    /// Where the service is.
    public var phase: Phase { state.withLock { $0.phase } }

    /// What ``start()`` reported, once ready.
    public var readyInfo: ReadyInfo? { state.withLock { $0.ready } }

    /// The key store, once ready.
    public var keys: KeyStore? { state.withLock { $0.phase == .ready ? $0.parts?.keys : nil } }

    /// What `/readyz` reports.
    public struct Readiness: Sendable {
        public var phase: Phase
        public var indexVectors: Int?
        public var materials: Int?
        public var chunks: Int?
        public var walRecords: Int?
        public var queued: Int?
        public var running: Int?
        /// The last recall check, when one has run since the start.
        public var recall: RecallCheckReport?
    }

    /// Whether the index is loaded and the store open, with the queue's depth.
    public func readiness() -> Readiness {
        let (phase, parts) = state.withLock { ($0.phase, $0.parts) }
        var r = Readiness(phase: phase)
        guard phase == .ready, let parts else { return r }
        r.indexVectors = parts.library.vectors.index.count
        r.materials = parts.library.catalog.materialCount
        r.chunks = parts.library.catalog.chunkCount
        r.walRecords = parts.library.vectors.walRecords
        r.recall = recallState.withLock { $0.last }
        if let depth = try? parts.queue.depth() {
            r.queued = depth.queued
            r.running = depth.running
        }
        return r
    }

    /// The embedding model's id and dimension (of the configuration before start, of the index after).
    public var model: (id: String, dimension: Int?) {
        if let parts = state.withLock({ $0.parts }) {
            return (parts.library.embedder.model.id, parts.library.vectors.configuration.dimension)
        }
        return (configuration.embedder.modelID, configuration.embedder.resolvedDimension)
    }

    /// The opened parts, or `.notReady`.
    func parts() throws(ServiceError) -> Parts {
        let (phase, parts) = state.withLock { ($0.phase, $0.parts) }
        if let parts, phase == .ready { return parts }
        switch phase {
        case .failed: throw ServiceError(.notReady, "the service failed to start; see its log", retryAfterSeconds: 5)
        case .stopping: throw ServiceError(.notReady, "the service is shutting down", retryAfterSeconds: 5)
        default: throw ServiceError(.notReady, "the service is starting: the index is being loaded", retryAfterSeconds: 1)
        }
    }

    /// Takes the data directory's lock for this server (start-up does it too): call it first to fail at once,
    /// before listening, when another process holds the directory.
    /// - Throws: ``ServiceError`` `.conflict` naming the holder (its command, pid and URL).
    @discardableResult
    public func lockDataDirectory() throws(ServiceError) -> DirectoryLock {
        if let held = directoryLock.withLock({ $0 }) { return held }
        let dir = configuration.dataDirectory
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw .failure("cannot create the data directory \(dir): \(error)")
        }
        let lock: DirectoryLock
        do {
            lock = try DirectoryLock(directory: dir, holder: LockHolder(command: "serve", url: configuration.baseURL))
        } catch let error as StorageError where error.lockHolder != nil {
            throw ServiceError(.conflict, "\(dir) is in use by \(error.lockHolder!); stop it or use another --data-dir")
        } catch {
            throw .failure("locking \(dir): \(error)")
        }
        directoryLock.withLock { $0 = lock }
        return lock
    }

    /// Rewrites the lock file with the URL the server really listens on (after binding port 0, say).
    public func didBind(port: Int) {
        let lock = directoryLock.withLock { $0 }
        var config = configuration
        config.port = port
        lock?.update(LockHolder(command: "serve", url: config.baseURL))
    }

    /// Opens the data directory (see the type's notes). Call once.
    /// - Throws: ``ServiceError`` naming what could not be opened; ``phase`` becomes `.failed`.
    public func start() async throws(ServiceError) {
        let started = Date()
        do {
            let (parts, info) = try open(started: started)
            state.withLock {
                $0.parts = parts
                $0.ready = info
                $0.phase = .ready
            }
            let r = info.reconciled
            logger.notice("ready", metadata: [
                "materials": "\(info.materials)", "chunks": "\(info.chunks)",
                "start_seconds": "\(String(format: "%.3f", info.startSeconds))",
                "model_seconds": "\(String(format: "%.3f", info.modelSeconds))",
                "index_seconds": "\(String(format: "%.3f", r.indexSeconds))", "replayed_records": "\(r.replayedRecords)",
                "reconcile_seconds": "\(String(format: "%.3f", r.reconcileSeconds))",
                "vectors_re_added": "\(r.vectorsAdded)", "vectors_removed": "\(r.vectorsRemoved)",
                "catalog_seconds": "\(String(format: "%.3f", r.catalogSeconds))",
                "catalog_from_snapshot": "\(r.catalogFromSnapshot)",
                "keyword_from_snapshot": "\(info.keywords.fromSnapshot)",
                "keyword_seconds": "\(String(format: "%.3f", info.keywords.totalSeconds))",
                "keyword_terms": "\(info.keywords.terms)",
            ])
        } catch {
            state.withLock { $0.phase = .failed(error.message) }
            logger.critical("start-up failed", metadata: ["error": "\(error)"])
            throw error
        }
    }

    private func open(started: Date) throws(ServiceError) -> (Parts, ReadyInfo) {
        let dir = configuration.dataDirectory
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw .failure("cannot create the data directory \(dir): \(error)")
        }
        try lockDataDirectory()
        let ingestEmbedder: any Embedder
        let queryEmbedder: any Embedder
        let modelStarted = Date()
        do {
            queryEmbedder = try EmbedderFactory.make(configuration.embedder, dataDirectory: dir, cached: false,
                                                     threads: configuration.queryThreads)
            if let builtin = queryEmbedder as? BuiltinEmbedder {
                // The same loaded model; ingestion runs below queries' priority.
                ingestEmbedder = CachedEmbedder(builtin.sharingModel(threads: configuration.ingestThreads, background: true),
                                                cache: try EmbeddingCache(dataDirectory: dir))
            } else {
                ingestEmbedder = try EmbedderFactory.make(configuration.embedder, dataDirectory: dir, cached: true,
                                                          threads: configuration.ingestThreads)
            }
        } catch {
            throw .failure("the embedder: \(error)")
        }
        let modelSeconds = Date().timeIntervalSince(modelStarted)
        let library: MaterialLibrary
        do {
            library = try MaterialLibrary.open(dataDirectory: dir, embedder: ingestEmbedder,
                                               keywordOptions: configuration.retrieval.keyword,
                                               quantization: configuration.sources["index.quantization"] == nil
                                                   ? nil : configuration.indexQuantization,
                                               logger: logger)
        } catch {
            throw .failure(error.message)
        }
        let keys = try KeyStore(databasePath: library.store.path)
        var createdKey: String? = nil
        if !keys.hasActiveKeys {
            createdKey = try keys.create(role: .admin, tenant: nil, name: "admin (first start)").1
            logger.notice("created the first admin key; it is printed once")
        }
        let jobs = JobStore(store: library.store)
        let spool = Spool(dataDirectory: dir)
        let options = BulkIngestOptions(
            defaults: MaterialMetadata(provenance: ProvenanceInput(acquisitionMethod: .manualUpload)),
            chunking: ChunkingOptions(maxTokens: configuration.maxTokens, overlapTokens: configuration.overlapTokens),
            batchSize: configuration.ingestBatch, checkpointAfterRecords: configuration.checkpointAfterRecords)
        let queue = IngestionQueue(library: library, jobs: jobs, spool: spool, options: options,
                                   bulkRoots: configuration.bulkRoots, limit: configuration.ingestQueueLimit, logger: logger)
        try queue.recover()
        let retrievals = try RetrievalLog(databasePath: library.store.path, logger: logger)
        let dialogues: DialogueStore
        let prices: PriceTable
        let prompts: PromptLibrary
        do {
            dialogues = try DialogueStore(databasePath: library.store.path)
            prices = try configuration.pricesFile.map(PriceTable.load) ?? .standard
            prompts = try configuration.promptsDirectory.map(PromptLibrary.load(directory:)) ?? .standard
        } catch {
            throw .failure("the dialogue module: \(error.message)")
        }
        let mirror = try openMirror(library)
        let keywords: KeywordBuildReport
        do {
            keywords = try library.prepareKeywordIndex()
        } catch {
            throw .failure(error.message)
        }
        let report = library.reconcileReport
        let info = ReadyInfo(createdAdminKey: createdKey, materials: library.catalog.materialCount,
                             chunks: report.chunks, startSeconds: Date().timeIntervalSince(started), reconciled: report,
                             modelSeconds: modelSeconds, keywords: keywords)
        let parts = Parts(library: library, queryEmbedder: queryEmbedder, keys: keys, jobs: jobs, queue: queue,
                          retrievals: retrievals, spool: spool, mirror: mirror, dialogues: dialogues, prices: prices,
                          prompts: prompts)
        return (parts, info)
    }

    /// The mirror's worker when a database URL is configured: the outbox turned on (queueing every row the
    /// first time), and one connection attempt now, so a database that can never mirror this data directory
    /// (another embedding dimension) stops the start with its reason. PostgreSQL being down does not: the
    /// worker retries while the outbox keeps the changes.
    private func openMirror(_ library: MaterialLibrary) throws(ServiceError) -> MirrorWorker? {
        guard let url = configuration.databaseURL else { return nil }
        do {
            let target = MirrorApplier.Target(url: PostgresURL(url), dimension: library.vectors.configuration.dimension,
                                              model: library.embedder.model.id)
            let (applier, queued) = try MirrorApplier.open(storePath: library.store.path, target: target) { [logger] error in
                logger.warning("mirror: PostgreSQL is not reachable yet; changes wait in the outbox",
                               metadata: ["error": "\(error.message)"])
            }
            if queued > 0 { logger.notice("mirror: queued every existing row for PostgreSQL", metadata: ["rows": "\(queued)"]) }
            let worker = MirrorWorker(applier: applier, logger: logger)
            worker.observe { [metrics] status in metrics.mirror(status) }
            return worker
        } catch {
            throw .failure("the PostgreSQL mirror: \(error.message)")
        }
    }

    /// The PostgreSQL mirror as `/readyz` reports it.
    public struct MirrorState: Sendable {
        /// Changes waiting in the outbox.
        public var lagChanges: Int
        /// Seconds since the oldest waiting change was committed.
        public var lagSeconds: Double
        /// What kind of failure the last was, until a drain succeeds (its detail is in the log).
        public var lastError: String?
        /// When changes were last applied.
        public var lastSuccess: Date?
        /// Rows PostgreSQL refused, set aside.
        public var rejectedRows: Int
    }

    /// The mirror's state, when one is configured and the service is ready.
    public func mirrorStatus() -> MirrorState? {
        guard let status = state.withLock({ $0.phase == .ready ? $0.parts?.mirror : nil })?.status() else { return nil }
        return MirrorState(lagChanges: status.changes, lagSeconds: status.secondsBehind,
                           lastError: status.lastErrorSummary, lastSuccess: status.lastSuccess,
                           rejectedRows: status.rejectedRows)
    }

    /// Runs the background work until ``shutdown()``; returns at once when the service is not ready.
    public func run() async {
        guard let parts = try? parts() else { return }
        running.store(true, ordering: .releasing)
        // The queue is not cancelled (a cancelled remote embedding would fail its batch): shutdown() asks it
        // to stop after the batch in hand, and it returns.
        let queue = Task { await parts.queue.run() }
        parts.mirror?.start()
        // Periodic writes (retrieval records wait for the store's write lock) run on a thread of their own.
        let maintenance = ThreadExecutor(name: "cairn-maintenance")
        defer { maintenance.stop() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask(executorPreference: maintenance) { [self] in
                await Self.repeating(milliseconds: configuration.keyRefreshMilliseconds) {
                    do { try parts.keys.refreshIfChanged() } catch {
                        self.logger.error("refreshing keys failed", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.addTask(executorPreference: maintenance) { [self] in
                await Self.repeating(milliseconds: configuration.retrievalFlushMilliseconds) { parts.retrievals.flush() }
            }
            group.addTask(executorPreference: maintenance) { [self] in
                await Self.repeating(milliseconds: 5_000) { self.updateGauges() }
            }
            if configuration.dailyJobs {
                group.addTask(executorPreference: maintenance) { [self] in
                    while true {
                        do { try await Task.sleep(for: .seconds(Self.secondsUntilNightly())) } catch { return }
                        self.nightly()
                        await self.nightlyRecallCheck()
                    }
                }
            }
            await stopSignal.wait()
            group.cancelAll()
        }
        await queue.value
        stopped.close()
    }

    /// Calls `body` every interval until the task is cancelled.
    private static func repeating(milliseconds: Int, _ body: @Sendable () -> Void) async {
        while true {
            do { try await Task.sleep(for: .milliseconds(milliseconds)) } catch { return }
            body()
        }
    }

    /// Asks the background work to stop (the queue after its current batch); ``run()`` then returns.
    /// Requests already answered are unaffected; the service stays usable until ``shutdown()``.
    public func requestStop() {
        guard let parts = state.withLock({ $0.parts }) else { return }
        parts.queue.shutdown()
        stopSignal.close()
    }

    /// Stops: no new work; the running ingest batch commits (its job resumes at the next start); buffered
    /// retrieval records are written; the chunk index is checkpointed; the chunk catalog and keyword index
    /// are saved for the next start; the data directory is released.
    public func shutdown() async {
        let parts = state.withLock { s -> Parts? in
            guard s.phase == .ready else { return nil }
            s.phase = .stopping
            return s.parts
        }
        guard let parts else { return }
        logger.notice("shutting down")
        parts.queue.shutdown()
        stopSignal.close()
        if running.load(ordering: .acquiring) { await stopped.wait() }
        parts.retrievals.flush()
        if let mirror = parts.mirror {
            let left = mirror.stop(drainingFor: 10)
            if left.changes > 0 {
                logger.warning("mirror: changes left in the outbox for the next start", metadata: [
                    "changes": "\(left.changes)", "error": "\(left.lastError ?? "-")"])
            }
        }
        do {
            if try parts.library.checkpoint(ifRecordsAtLeast: 1) { logger.notice("chunk index checkpointed") }
        } catch {
            logger.error("checkpoint at shutdown failed", metadata: ["error": "\(error)"])
        }
        do {
            let saved = try parts.library.saveSnapshots()
            logger.notice("chunk catalog and keyword index saved for the next start", metadata: [
                "keywords": "\(saved.keywords)", "bytes": "\(saved.bytes)",
                "seconds": "\(String(format: "%.2f", saved.seconds))"])
        } catch {
            // The next start derives them from the store, as after a crash.
            logger.error("saving the catalog and keyword index failed", metadata: ["error": "\(error)"])
        }
        state.withLock { $0.parts = nil }
        directoryLock.withLock { $0 = nil }
        logger.notice("stopped")
    }
}
