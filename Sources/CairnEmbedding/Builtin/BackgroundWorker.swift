internal import CCairnKernels
import Foundation

/// One thread at a lower scheduling priority (nice 10) that runs jobs in order.
///
/// An embedder for bulk work runs its batches here: when a query's embedding needs the CPU at the same
/// moment, the kernel gives it to the query first, and the bulk work takes what is left.
final class BackgroundWorker: @unchecked Sendable {
    /// The nice value of the worker thread (0 is normal; higher yields more).
    static let niceness: Int32 = 10

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    init(name: String) {
        let thread = Thread { [unowned self] in
            _ = cairn_set_thread_nice(Self.niceness)
            self.loop()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
