import Synchronization

/// Wakes one waiting task; a signal sent while nobody waits is kept for the next wait.
final class WakeSignal: Sendable {
    private let state = Mutex<(pending: Bool, closed: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, false, nil))

    /// Returns at the next (or a kept) signal, or at once once closed.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.pending || s.closed {
                    s.pending = false
                    return true
                }
                s.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func signal() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.waiter = nil }
            if s.waiter == nil { s.pending = true }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Wakes the waiter and every later wait.
    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}
