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
    let limit: Int
    let logger: Logger
    private let running = Mutex<Running?>(nil)
    private let stopping = Atomic<Bool>(false)
    private let wake = WakeSignal()
    private let executor = ThreadExecutor(name: "cairn-ingest")

    /// - Parameter limit: jobs that may wait before ``checkCapacity()`` refuses more.
    public init(library: MaterialLibrary, jobs: JobStore, spool: Spool, options: BulkIngestOptions, limit: Int,
                logger: Logger) {
        self.library = library
        self.jobs = jobs
        self.spool = spool
        self.options = options
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
    public func cancel(_ id: IngestJobID) throws(ServiceError) -> IngestJob {
        guard let job = try jobs.job(id) else { throw ServiceError(.notFound, "no job \(id)", field: "id") }
        if job.status.isFinished {
            throw ServiceError(.conflict, "job \(id) has already ended (\(job.status.rawValue))", field: "id")
        }
        if try jobs.cancelIfQueued(id) {
            let files = try jobs.files(of: id)
            try jobs.settlePending(files, cancelled: true, reason: "cancelled")
            if let dir = job.spoolDirectory { spool.remove(dir) }
        } else {
            running.withLock { r in
                if r?.id == id {
                    r!.cancelRequested = true
                    r!.stop.stop()
                }
            }
        }
        return try jobs.job(id) ?? job
    }

    /// The running job's live progress, if `id` is running here.
    func liveProgress(_ id: IngestJobID) -> BulkProgress? {
        running.withLock { $0?.id == id ? $0?.progress : nil }
    }

    private func process(_ job: IngestJob) async {
        let id = job.id
        let log = logger.with("job_id", "\(id)")
        do {
            try jobs.setStatus(id, .running)
            let files = try jobs.files(of: id)
            let stop = StopFlag()
            running.withLock { $0 = Running(id: id, stop: stop, progress: BulkProgress(filesTotal: files.count)) }
            if stopping.load(ordering: .acquiring) { stop.stop() }
            log.info("ingest job started", metadata: ["files": "\(files.count)", "kind": "\(job.kind.rawValue)"])
            let ingestor: BulkIngestor
            do { ingestor = try BulkIngestor(library: library, options: options) } catch { throw ServiceError(error) }
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
                message = "the job stopped: \(error.message)"
                log.error("ingest job failed", metadata: ["error": "\(error.message)"])
            }
            if status.isFinished {
                try jobs.settlePending(files, cancelled: status == .cancelled,
                                       reason: message ?? "the job ended without processing this file")
            }
            try jobs.setStatus(id, status, error: message)
            if status.isFinished, let dir = job.spoolDirectory { spool.remove(dir) }
        } catch {
            log.error("ingest job bookkeeping failed", metadata: ["error": "\(error)"])
            try? jobs.setStatus(id, .failed, error: "internal error")
        }
        running.withLock { $0 = nil }
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
