import Glibc

/// A fixed set of mutexes chosen by label hash: writers of the same label are ordered, writers of different
/// labels proceed in parallel, and taking every stripe (in order) excludes all writers.
final class StripedLock: @unchecked Sendable {
    static let stripes = 64
    private let mutexes: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutexes = .allocate(capacity: Self.stripes)
        for i in 0..<Self.stripes { pthread_mutex_init(mutexes + i, nil) }
    }

    deinit {
        for i in 0..<Self.stripes { pthread_mutex_destroy(mutexes + i) }
        mutexes.deallocate()
    }

    static func stripe(of label: UInt64) -> Int {
        Int(truncatingIfNeeded: (label &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }

    /// Runs `body` holding the stripes of `labels` (locked in ascending order, so never deadlocking).
    func withStripes<R>(of labels: some Sequence<UInt64>, _ body: () throws -> R) rethrows -> R {
        let chosen = Set(labels.map(Self.stripe)).sorted()
        for s in chosen { pthread_mutex_lock(mutexes + s) }
        defer { for s in chosen.reversed() { pthread_mutex_unlock(mutexes + s) } }
        return try body()
    }

    /// Runs `body` with every stripe held: no writer is in flight.
    func withAll<R>(_ body: () throws -> R) rethrows -> R {
        for s in 0..<Self.stripes { pthread_mutex_lock(mutexes + s) }
        defer { for s in (0..<Self.stripes).reversed() { pthread_mutex_unlock(mutexes + s) } }
        return try body()
    }
}
