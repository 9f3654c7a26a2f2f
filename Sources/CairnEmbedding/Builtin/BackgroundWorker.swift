internal import CCairnKernels
import Foundation

/// One thread at a lower scheduling priority (nice 10) that runs jobs in order.
///
/// An embedder for bulk work runs its batches here: when a query's embedding needs the CPU at the same
/// moment, the kernel gives it to the query first, and the bulk work takes what is left. ``stop()`` ends the
/// thread once the jobs queued so far have run.
final class BackgroundWorker: Sendable {
    /// The nice value of the worker thread (0 is normal; higher yields more).
    static let niceness: Int32 = 10

    /// The queue the thread works through; the thread holds it, not the worker.
    private final class Queue: @unchecked Sendable {
        let condition = NSCondition()
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let queue = Queue()

    init(name: String) {
        let thread = Thread { [queue] in
            _ = cairn_set_thread_nice(Self.niceness)
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

    func submit(_ job: @escaping @Sendable () -> Void) {
        queue.condition.lock()
        queue.jobs.append(job)
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

    deinit { stop() }
}
