import Synchronization

/// A counting semaphore for async code: at most `limit` holders at once, waiters served in arrival order.
///
/// One per remote embedder (shared by its copies), so that ``EmbedderConfiguration/concurrency`` bounds the
/// requests in flight across every concurrent `embed` call, not only within one. Slots are held for one
/// HTTP attempt at a time, never during a back-off sleep.
final class RequestLimiter: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` while holding a slot, waiting for one first if all are taken.
    func withSlot<T: Sendable>(_ body: () async -> T) async -> T {
        await acquire()
        let result = await body()
        release()
        return result
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                guard state.available > 0 else {
                    state.waiters.append(continuation)
                    return false
                }
                state.available -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        // A freed slot passes straight to the longest waiter, so late arrivals cannot overtake it.
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
