public import CairnSQL
public import Foundation

/// The store side of the mirror: `mirror_config` and `mirror_outbox` in the data directory's SQLite store
/// (migration `0003_mirror_outbox`), through a connection of the mirror's own, so a long read of the outbox
/// never holds the store's connections.
public final class MirrorOutbox: Sendable {
    /// The mirror's connection to the store.
    public let database: SQLiteDatabase
    /// A second connection for status reads (`/readyz`, metrics), which must not wait for a drain that holds
    /// ``database`` in its snapshot for as long as PostgreSQL takes.
    let statusReader: SQLiteDatabase

    /// Opens connections to the store at `path` (the store, already migrated by `MaterialStore`).
    public init(storePath: String) throws(MirrorError) {
        do {
            database = try SQLiteDatabase(path: storePath, options: .init(synchronous: .full, busyTimeoutMilliseconds: 30_000))
            statusReader = try SQLiteDatabase(path: storePath, options: .init(synchronous: .full, busyTimeoutMilliseconds: 5_000))
        } catch {
            throw MirrorError(.failure, "cannot open the store for the mirror: \(error)")
        }
    }

    /// This store's id (random, made with the outbox), which the mirror records and checks.
    public func storeID() throws(MirrorError) -> String {
        try sql("reading mirror_config") { try statusReader.queryValue("SELECT store_id FROM mirror_config", as: String.self) ?? "" }
    }

    /// Makes this store's id `id` (a rebuilt store takes its mirror's).
    func setStoreID(_ id: String) throws(MirrorError) {
        try sql("writing mirror_config") { _ = try database.execute("UPDATE mirror_config SET store_id = ?", [.text(id)]) }
    }

    /// What waits to be mirrored.
    public struct Backlog: Sendable, Equatable {
        /// Outbox rows (changed rows, counted once per change).
        public var changes: Int
        /// When the oldest of them was committed (Unix microseconds), `nil` when there are none.
        public var oldestMicroseconds: Int64?
        /// The newest outbox sequence number, 0 when empty.
        public var lastSequence: Int64

        /// Seconds the mirror is behind at `now` (0 when nothing waits).
        public func secondsBehind(now: Date = Date()) -> Double {
            guard let oldest = oldestMicroseconds else { return 0 }
            return max(0, now.timeIntervalSince1970 - Double(oldest) / 1_000_000)
        }
    }

    /// Whether triggers record changes (the first mirrored run turned them on).
    public func isEnabled() throws(MirrorError) -> Bool {
        try sql("reading mirror_config") { try statusReader.queryValue("SELECT enabled FROM mirror_config", as: Int64.self) == 1 }
    }

    /// Turns the outbox on. When it was off, every row of every mirrored table is queued in the same
    /// transaction (the mirror has never seen them, or missed changes while it was off). Returns the rows
    /// queued.
    @discardableResult
    public func enable() throws(MirrorError) -> Int {
        try sql("turning the mirror outbox on") {
            try database.transaction(.immediate) {
                guard try database.queryValue("SELECT enabled FROM mirror_config", as: Int64.self) != 1 else { return 0 }
                try database.execute("UPDATE mirror_config SET enabled = 1, enabled_at = ?",
                                     [.text(Timestamps.text(microseconds: Self.nowMicroseconds()))])
                return try Self.queueEverything(database)
            }
        }
    }

    /// Queues every row of every mirrored table (after a PostgreSQL backup was restored, say). Returns the rows
    /// queued.
    @discardableResult
    public func queueEverything() throws(MirrorError) -> Int {
        try sql("queueing every row") { try database.transaction(.immediate) { try Self.queueEverything(database) } }
    }

    private static func queueEverything(_ database: SQLiteDatabase) throws -> Int {
        var queued = 0
        for table in MirrorTable.all {
            queued += try database.execute(
                "INSERT INTO mirror_outbox (entity, entity_id) SELECT ?, \(table.key) FROM \(table.name) ORDER BY \(table.key)",
                [.text(table.name)])
        }
        return queued
    }

    /// Turns the outbox off and empties it (the data directory stops being mirrored).
    public func disable() throws(MirrorError) {
        try sql("turning the mirror outbox off") {
            try database.transaction(.immediate) {
                try database.execute("UPDATE mirror_config SET enabled = 0, enabled_at = NULL")
                try database.execute("DELETE FROM mirror_outbox")
            }
        }
    }

    public func backlog() throws(MirrorError) -> Backlog {
        try sql("reading the mirror outbox") {
            guard let row = try statusReader.queryFirst("SELECT count(*), min(created_at), coalesce(max(seq), 0) FROM mirror_outbox")
            else { return Backlog(changes: 0, oldestMicroseconds: nil, lastSequence: 0) }
            let oldest: String? = try row.get(1)
            return Backlog(changes: Int(try row.get(0, as: Int64.self)), oldestMicroseconds: oldest.flatMap(Timestamps.microseconds),
                           lastSequence: try row.get(2))
        }
    }

    /// Removes the outbox rows up to `sequence` (they were applied), and records the rows set aside, in one
    /// transaction; a row that went through later leaves `mirror_rejected`.
    public func removeApplied(through sequence: Int64, rejected: [(table: String, id: Int64, error: String)] = [])
        throws(MirrorError) {
        try sql("removing applied outbox rows") {
            try database.transaction(.immediate) {
                let now = Timestamps.text(microseconds: Self.nowMicroseconds())
                _ = try database.execute("""
                    DELETE FROM mirror_rejected WHERE EXISTS (SELECT 1 FROM mirror_outbox o
                        WHERE o.seq <= ? AND o.entity = mirror_rejected.entity AND o.entity_id = mirror_rejected.entity_id)
                    """, [.integer(sequence)])
                for row in rejected {
                    _ = try database.execute("""
                        INSERT INTO mirror_rejected (entity, entity_id, error, rejected_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (entity, entity_id) DO UPDATE SET error = excluded.error, rejected_at = excluded.rejected_at
                        """, [.text(row.table), .integer(row.id), .text(row.error), .text(now)])
                }
                _ = try database.execute("DELETE FROM mirror_outbox WHERE seq <= ?", [.integer(sequence)])
            }
        }
    }

    /// The rows the mirror set aside (PostgreSQL refused them), newest first.
    public func rejectedRows(limit: Int = 100) throws(MirrorError) -> [(table: String, id: Int64, error: String)] {
        try sql("reading mirror_rejected") {
            try statusReader.query("SELECT entity, entity_id, error FROM mirror_rejected ORDER BY rejected_at DESC LIMIT ?",
                                   [.int(limit)]).map { (try $0.get(0), try $0.get(1), try $0.get(2)) }
        }
    }

    /// How many rows the mirror set aside.
    public func rejectedCount() throws(MirrorError) -> Int {
        try sql("reading mirror_rejected") {
            Int(try statusReader.queryValue("SELECT count(*) FROM mirror_rejected", as: Int64.self) ?? 0)
        }
    }

    static func nowMicroseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }

    func sql<T>(_ what: String, _ body: () throws -> T) throws(MirrorError) -> T {
        try Self.wrap(what, body)
    }

    /// Runs `body`, turning a store failure into a ``MirrorError`` that says what was being done.
    static func wrap<T>(_ what: String, _ body: () throws -> T) throws(MirrorError) -> T {
        do {
            return try body()
        } catch let error as MirrorError {
            throw error
        } catch {
            throw MirrorError(.failure, "\(what): \(error)")
        }
    }
}
