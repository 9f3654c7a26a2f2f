/// Idle prepared statements by SQL text, least recently used evicted first.
///
/// A statement is checked out while it runs and checked back in (reset, bindings cleared) afterwards, so the
/// same SQL used re-entrantly (a query run inside the loop over another run of itself) simply prepares a
/// second handle. Not thread-safe: the owning ``SQLiteDatabase`` guards it with its lock.
struct StatementCache {
    private struct Entry {
        var idle: [OpaquePointer]
        var lastUse: UInt64
    }

    /// Idle handles kept at most (over all SQL texts).
    let capacity: Int
    private var entries: [String: Entry] = [:]
    private var tick: UInt64 = 0
    /// Idle handles held now.
    private(set) var idleCount = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Takes an idle handle for `sql`, or nil when none is cached.
    mutating func checkout(_ sql: String) -> OpaquePointer? {
        guard var entry = entries[sql], let statement = entry.idle.popLast() else { return nil }
        entries[sql] = entry.idle.isEmpty ? nil : entry
        idleCount -= 1
        return statement
    }

    /// Returns a reset handle for `sql`; answers the handles the caller must finalize (evicted, or this one
    /// when the cache keeps nothing).
    mutating func checkin(_ sql: String, _ statement: OpaquePointer) -> [OpaquePointer] {
        guard capacity > 0 else { return [statement] }
        tick &+= 1
        entries[sql, default: Entry(idle: [], lastUse: tick)].idle.append(statement)
        entries[sql]?.lastUse = tick
        idleCount += 1
        var evicted: [OpaquePointer] = []
        while idleCount > capacity {
            guard let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { break }
            evicted += oldest.value.idle
            idleCount -= oldest.value.idle.count
            entries[oldest.key] = nil
        }
        return evicted
    }

    /// Empties the cache; answers every handle for the caller to finalize.
    mutating func removeAll() -> [OpaquePointer] {
        let all = entries.values.flatMap(\.idle)
        entries = [:]
        idleCount = 0
        return all
    }
}
