import CairnEmbedding

/// A task executor with one thread of its own (a ``WorkerThread``).
///
/// Ingestion's synchronous steps — store commits that wait for fsync, graph inserts — and the service's
/// periodic writes run on threads like this rather than on Swift's cooperative pool, which on a small
/// machine has as many threads as cores and also serves every HTTP request: a query never waits for a commit
/// to give a pool thread back. ``stop()`` ends the thread once the jobs queued so far have run.
final class ThreadExecutor: TaskExecutor, Sendable {
    private let thread: WorkerThread

    init(name: String) {
        thread = WorkerThread(name: name)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        thread.submit { unowned.runSynchronously(on: executor) }
    }

    /// Lets the thread end once its queue is empty.
    func stop() { thread.stop() }
}
