import Dispatch
import Synchronization

/// A first-in first-out hand-over from one producer thread to one async consumer, holding at most
/// `capacity` items: the producer blocks while it is full, so parsing runs ahead of embedding by a bounded
/// amount of memory.
final class BoundedQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var head = 0
        var finished = false
        var waiter: CheckedContinuation<Element?, Never>?
    }

    private let state = Mutex(State())
    private let slots: DispatchSemaphore

    init(capacity: Int) {
        slots = DispatchSemaphore(value: max(1, capacity))
    }

    /// Appends `item`, blocking the calling (non-async) thread while the queue is full.
    func push(_ item: Element) {
        slots.wait()
        let waiter = state.withLock { s -> CheckedContinuation<Element?, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.items.append(item)
            return nil
        }
        if let waiter {
            slots.signal()
            waiter.resume(returning: item)
        }
    }

    /// Marks the end: once drained, ``next()`` returns nil.
    func finish() {
        let waiter = state.withLock { s -> CheckedContinuation<Element?, Never>? in
            s.finished = true
            let w = s.waiter
            s.waiter = nil
            return w
        }
        waiter?.resume(returning: nil)
    }

    /// The next item without waiting, or nil when none is ready.
    func poll() -> Element? {
        let item = state.withLock { s -> Element? in Self.take(&s) }
        if item != nil { slots.signal() }
        return item
    }

    /// The next item, waiting for one; nil after ``finish()`` once drained.
    func next() async -> Element? {
        if let item = poll() { return item }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Element?, Never>) in
            let ready = state.withLock { s -> (Element?, Bool) in
                if let item = Self.take(&s) { return (item, true) }
                if s.finished { return (nil, true) }
                s.waiter = continuation
                return (nil, false)
            }
            if ready.1 {
                if ready.0 != nil { slots.signal() }
                continuation.resume(returning: ready.0)
            }
        }
    }

    private static func take(_ s: inout State) -> Element? {
        guard s.head < s.items.count else { return nil }
        let item = s.items[s.head]
        s.head += 1
        if s.head > 64 && s.head * 2 > s.items.count {
            s.items.removeFirst(s.head)
            s.head = 0
        }
        return item
    }
}
