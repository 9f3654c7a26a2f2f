public import CairnIngest
import Foundation
public import Logging
import Synchronization

/// The server's one ingestion queue: ingest jobs run one at a time, oldest first, through the same pipeline
/// as `cairn index` (dedup by content hash, update by source key, per-file failures that do not stop the job).
///
/// Jobs live in the store (``JobStore``), so the queue survives restarts: a job a crash or shutdown left
/// `running` is queued again at start-up and its re-run skips what its earlier run committed. Cancelling a
/// queued job ends it at once; cancelling a running one stops it after the batch being embedded, which is
/// committed.
public final class IngestionQueue: Sendable {
    struct Running: Sendable {
        var id: IngestJobID
        var stop: StopFlag
        var progress: BulkProgress
        var cancelRequested = false
    }

    let library: MaterialLibrary
    let jobs: JobStore
    let spool: Spool
    let options: BulkIngestOptions
    /// The roots a bulk job's files must lie under when the job opens them.
    let bulkRoots: [String]
    let limit: Int
    let logger: Logger
    private let running = Mutex<Running?>(nil)
    private let stopping = Atomic<Bool>(false)
    private let wake = WakeSignal()
    private let executor = ThreadExecutor(name: "cairn-ingest")

    /// - Parameter limit: jobs that may wait before ``checkCapacity()`` refuses more.
    public init(library: MaterialLibrary, jobs: JobStore, spool: Spool, options: BulkIngestOptions, bulkRoots: [String],
                limit: Int, logger: Logger) {
        self.library = library
        self.jobs = jobs
        self.spool = spool
        self.options = options
        self.bulkRoots = bulkRoots
        self.limit = limit
        self.logger = logger
    }

    /// Puts jobs a crash left running back in the queue and removes spool directories no job needs.
    public func recover() throws(ServiceError) {
        let requeued = try jobs.requeueRunning()
        let removed = spool.clean(keeping: try jobs.liveSpoolDirectories())
        if requeued + removed > 0 {
            logger.notice("ingestion queue recovered", metadata: ["requeued": "\(requeued)", "spool_removed": "\(removed)"])
        }
    }

    /// Refuses new work when the queue is full.
    public func checkCapacity() throws(ServiceError) {
        let open = try jobs.openCount()
        if open.queued >= limit {
            throw ServiceError(.overloaded, "the ingestion queue holds \(open.queued) jobs (limit \(limit)); retry later",
                               retryAfterSeconds: 30)
        }
    }

    /// Wakes the worker: a job was queued.
    public func notify() { wake.signal() }

    /// Jobs waiting and running.
    public func depth() throws(ServiceError) -> (queued: Int, running: Int) { try jobs.openCount() }

    /// Runs jobs until ``shutdown()``.
    public func run() async {
        while !stopping.load(ordering: .acquiring) {
            let next: IngestJob?
            do {
                next = try jobs.nextQueued()
            } catch {
                logger.error("reading the ingestion queue failed", metadata: ["error": "\(error)"])
                next = nil
            }
            guard let job = next else {
                await wake.wait()
                continue
            }
            await withTaskExecutorPreference(executor) { await process(job) }
        }
        executor.stop()
    }

    /// Stops taking jobs; a running job stops after its current batch is committed and stays queued, to be
    /// resumed by the next start.
    public func shutdown() {
        stopping.store(true, ordering: .releasing)
        running.withLock { $0?.stop.stop() }
        wake.close()
    }

    /// Cancels a job: a queued one at once, a running one after its current batch.
    /// - Throws: `.notFound` for no such job, `.conflict` when it has already ended.
    public func cancel(_ id: IngestJobID) throws(ServiceError) {
        guard let job = try jobs.job(id) else { throw ServiceError(.notFound, "no job \(id)", field: "id") }
        if job.status.isFinished {
            throw ServiceError(.conflict, "job \(id) has already ended (\(job.status.rawValue))", field: "id")
        }
        if try jobs.cancelIfQueued(id) {
            try settle(job, materials: try jobs.fileNames(of: id).compactMap(\.materialID), cancelled: true,
                       reason: "cancelled")
            if let dir = job.spoolDirectory { spool.remove(dir) }
        } else {
            running.withLock { r in
                if r?.id == id {
                    r!.cancelRequested = true
                    r!.stop.stop()
                }
            }
        }
    }

    /// The running job's live progress, if `id` is running here.
    func liveProgress(_ id: IngestJobID) -> BulkProgress? {
        running.withLock { $0?.id == id ? $0?.progress : nil }
    }

    /// Settles what an ended job left unfinished (see ``JobStore/settleUnfinished(_:runs:cancelled:reason:)``)
    /// and brings those materials' catalog entries up to date.
    /// - Parameter materials: the materials the job's files were given up front.
    private func settle(_ job: IngestJob, materials: [MaterialID], cancelled: Bool, reason: String) throws(ServiceError) {
        let runs = try jobs.runs(of: job.id).map(\.bulkJob)
        try jobs.settleUnfinished(materials, runs: runs, cancelled: cancelled, reason: reason)
        var ids = materials
        do {
            ids += try library.store.materials(processedBy: runs)
            try library.refreshCatalog(ids)
        } catch {
            throw ServiceError(error)
        }
    }

    private func process(_ job: IngestJob) async {
        let id = job.id
        let log = logger.with("job_id", "\(id)")
        let stop = StopFlag()
        // Published before the job is marked running, so a cancel in between is never lost: either it still
        // finds the job queued (and this run is skipped), or it finds it here.
        running.withLock { $0 = Running(id: id, stop: stop, progress: BulkProgress(filesTotal: job.filesTotal)) }
        defer { running.withLock { $0 = nil } }
        do {
            guard try jobs.start(id) else { return }
            let files = try jobs.files(of: id)
            if stopping.load(ordering: .acquiring) { stop.stop() }
            log.info("ingest job started", metadata: ["files": "\(files.count)", "kind": "\(job.kind.rawValue)"])
            var jobOptions = options
            if job.kind == .bulk { jobOptions.allowedRoots = bulkRoots }
            let ingestor: BulkIngestor
            do { ingestor = try BulkIngestor(library: library, options: jobOptions) } catch { throw ServiceError(error) }
            var status = IngestJobStatus.completed
            var message: String? = nil
            do {
                let summary = try await ingestor.run(files.map(\.input), arguments: "ingest job \(id)", ingestJob: id.rawValue,
                                                     stop: stop) { [self] progress in
                    self.running.withLock { if $0?.id == id { $0!.progress = progress } }
                }
                let cancelled = running.withLock { $0?.cancelRequested ?? false }
                if !summary.completed { status = cancelled ? .cancelled : .queued }
                log.info("ingest job ended", metadata: [
                    "status": "\(status.rawValue)", "added": "\(summary.counts.added)",
                    "updated": "\(summary.counts.updated)", "unchanged": "\(summary.counts.unchanged)",
                    "failed": "\(summary.counts.failed)", "chunks": "\(summary.counts.chunks)",
                    "seconds": "\(String(format: "%.1f", summary.elapsedSeconds))",
                ])
            } catch {
                status = .failed
                // What a caller may read: the cause when it is the input's, else only that Cairn failed.
                message = error.isUserError ? "the job stopped: \(error.message)"
                    : "the job stopped because of an internal error (the server log has it)"
                log.error("ingest job failed", metadata: ["error": "\(error.message)"])
            }
            if status.isFinished {
                try settle(job, materials: files.compactMap(\.materialID), cancelled: status == .cancelled,
                           reason: message ?? (status == .cancelled ? "cancelled" : "the job ended without processing it"))
            }
            try jobs.setStatus(id, status, error: message)
            if status.isFinished, let dir = job.spoolDirectory { spool.remove(dir) }
        } catch {
            log.error("ingest job bookkeeping failed", metadata: ["error": "\(error)"])
            let materials = (try? jobs.fileNames(of: id).compactMap(\.materialID)) ?? []
            try? settle(job, materials: materials, cancelled: false, reason: "internal error")
            try? jobs.setStatus(id, .failed, error: "the job stopped because of an internal error (the server log has it)")
        }
    }
}

extension Logger {
    /// A copy with one more metadata value.
    func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy[metadataKey: key] = .string(value)
        return copy
    }
}
