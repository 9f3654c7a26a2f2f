internal import CCairnKernels
import Foundation

/// One thread of its own that runs submitted jobs in order, optionally at a lower scheduling priority.
///
/// A bulk embedder runs its batches on one at nice 10, so that when a query's embedding needs the CPU at the
/// same moment the kernel gives it to the query first; the retrieval service runs ingestion's synchronous
/// steps on one (through a task executor) so they never hold a thread of Swift's cooperative pool.
/// ``stop()`` (or releasing the last reference) ends the thread once the jobs queued so far have run.
public final class WorkerThread: Sendable {
    /// The queue the thread works through; the thread holds it, not the worker.
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let queue = Queue()

    /// Starts the thread.
    /// - Parameter nice: the thread's nice value (0 normal, up to 19 the lowest priority).
    public init(name: String, nice: Int32 = 0) {
        let thread = Thread { [queue] in
            if nice != 0 { _ = cairn_set_thread_nice(nice) }
            while true {
                queue.condition.lock()
                while queue.jobs.isEmpty && !queue.stopped { queue.condition.wait() }
                if queue.jobs.isEmpty {
                    queue.condition.unlock()
                    return
                }
                let job = queue.jobs.removeFirst()
                queue.condition.unlock()
                job()
            }
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Queues a job.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        queue.condition.lock()
        queue.jobs.append(job)
        queue.condition.signal()
        queue.condition.unlock()
    }

    /// Lets the thread end once its queue is empty.
    public func stop() {
        queue.condition.lock()
        queue.stopped = true
        queue.condition.signal()
        queue.condition.unlock()
    }

    deinit { stop() }
}
