import Foundation
import Synchronization

/// A task executor with one thread of its own.
///
/// Ingestion's synchronous steps — store commits that wait for fsync, graph inserts — and the service's
/// periodic writes run on threads like this rather than on Swift's cooperative pool, which on a small
/// machine has as many threads as cores and also serves every HTTP request: a query never waits for a commit
/// to give a pool thread back. ``stop()`` ends the thread once the jobs queued so far have run.
final class ThreadExecutor: TaskExecutor, Sendable {
    /// The queue the thread works through; the thread holds it, not the executor.
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [UnownedJob] = []
        var stopped = false
        /// This executor, set once it exists (jobs only arrive after that).
        var executor: UnownedTaskExecutor?
    }

    private let queue = Queue()

    init(name: String) {
        let queue = self.queue
        let thread = Thread { [queue] in
            while true {
                queue.condition.lock()
                while queue.jobs.isEmpty && !queue.stopped { queue.condition.wait() }
                if queue.jobs.isEmpty {
                    queue.condition.unlock()
                    return
                }
                let job = queue.jobs.removeFirst()
                queue.condition.unlock()
                job.runSynchronously(on: queue.executor!)
            }
        }
        thread.name = name
        thread.stackSize = 8 << 20
        queue.executor = UnownedTaskExecutor(ordinary: self)
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.condition.lock()
        queue.jobs.append(unowned)
        queue.condition.signal()
        queue.condition.unlock()
    }

    /// Lets the thread end once its queue is empty.
    func stop() {
        queue.condition.lock()
        queue.stopped = true
        queue.condition.signal()
        queue.condition.unlock()
    }
}
