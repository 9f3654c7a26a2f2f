public import CairnPostgres
import CairnSQL
import Foundation

/// Applies the outbox to PostgreSQL.
///
/// One ``drain()`` takes a snapshot of the store (one SQLite read transaction), and in one PostgreSQL
/// transaction deletes the rows the outbox names that the snapshot no longer holds (children first) and
/// upserts, keyed by id, the ones it still holds (parents first), each table's rows streamed through
/// `COPY … FROM STDIN (FORMAT binary)` into a session staging table and merged with `INSERT … ON CONFLICT DO
/// UPDATE`. After the commit the applied outbox rows are removed; a crash in between re-applies them, which
/// changes nothing (every step is idempotent). A row's current state is what is sent, so however many times
/// a row changed, it is written once, and PostgreSQL ends each batch holding exactly the snapshot's state of
/// every row the batch touched.
public final class MirrorApplier: @unchecked Sendable {
    /// Where to mirror and what the data directory holds.
    public struct Target: Sendable {
        public var url: PostgresURL
        /// The embedding dimension of the data directory's index.
        public var dimension: Int
        /// The embedding model's id.
        public var model: String

        public init(url: PostgresURL, dimension: Int, model: String) {
            self.url = url
            self.dimension = dimension
            self.model = model
        }
    }

    /// What one drain did.
    public struct Report: Sendable, Equatable {
        /// Outbox rows consumed.
        public var changes = 0
        public var upserted = 0
        public var deleted = 0
        /// Upserted chunks (with vectors).
        public var chunks = 0
        /// Rows PostgreSQL refused (or that could not be converted), set aside in `mirror_rejected`.
        public var rejected = 0
    }

    /// A row set aside: the batch went on without it.
    struct Rejected {
        var table: String
        var id: Int64
        var error: String
    }

    public let target: Target
    public let outbox: MirrorOutbox
    /// Whether to make a database that mirrors another store this one's (`cairn mirror resync --take-over`).
    public let takeOver: Bool
    private let lock = NSLock()
    private var connection: PostgresConnection?

    /// The applier of the store at `storePath`, its outbox turned on (every existing row queued the first
    /// time), after one connection attempt: a database that can never mirror this store throws now; one that
    /// is down does not (`whenUnreachable` hears why; the outbox keeps the changes). Returns the rows queued.
    public static func open(storePath: String, target: Target, whenUnreachable: (MirrorError) -> Void)
        throws(MirrorError) -> (applier: MirrorApplier, queued: Int) {
        let outbox = try MirrorOutbox(storePath: storePath)
        let queued = try outbox.enable()
        let applier = MirrorApplier(target: target, outbox: outbox)
        do {
            _ = try applier.connect()
        } catch where error.kind == .unavailable {
            whenUnreachable(error)
        }
        return (applier, queued)
    }

    public init(target: Target, outbox: MirrorOutbox, takeOver: Bool = false) {
        self.target = target
        self.outbox = outbox
        self.takeOver = takeOver
    }

    /// The open connection, connecting, migrating the schema and checking its settings first when there is
    /// none (or the last one broke).
    public func connect() throws(MirrorError) -> PostgresConnection {
        lock.lock()
        defer { lock.unlock() }
        if let connection, connection.isConnected { return connection }
        connection = nil
        let pg = try Self.postgres("connecting to \(target.url.redacted)") {
            let pg = try PostgresConnection(url: target.url)
            try pg.execute("CREATE EXTENSION IF NOT EXISTS vector")
            try pg.migrate(schema: "cairn", MirrorSchema.migrations(dimension: target.dimension))
            try checkSettings(pg)
            for table in MirrorTable.all {
                try pg.execute("CREATE TEMP TABLE IF NOT EXISTS stage_\(table.name) (LIKE \(table.qualified) INCLUDING DEFAULTS) "
                    + "ON COMMIT DELETE ROWS")
            }
            return pg
        }
        connection = pg
        return pg
    }

    /// Refuses a schema made for another embedding dimension or model, or one that mirrors another store;
    /// records the settings of a new one.
    private func checkSettings(_ pg: PostgresConnection) throws {
        let storeID = try outbox.storeID()
        try pg.transaction {
            let rows = try pg.execute("SELECT key, value FROM cairn.mirror_settings FOR UPDATE")
            var settings: [String: String] = [:]
            for row in 0..<rows.rowCount { settings[rows.string(row, 0) ?? ""] = rows.string(row, 1) }
            let column = try pg.execute("""
                SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                WHERE attrelid = 'cairn.material_chunks'::regclass AND attname = 'embedding'
                """).string(0, 0) ?? ""
            let held = settings["embedding_dimension"].flatMap(Int.init)
                ?? Int(column.drop(while: { $0 != "(" }).dropFirst().prefix(while: { $0 != ")" }))
            if let held, held != target.dimension {
                throw MirrorError(.configuration, "the PostgreSQL mirror at \(target.url.redacted) holds \(held)-dimensional "
                    + "embeddings (cairn.material_chunks.embedding is \(column)), but this data directory's index holds "
                    + "\(target.dimension)-dimensional ones (\(target.model)): point the database URL at another database, "
                    + "or drop the schema cairn there to mirror afresh")
            }
            if let held = settings["embedding_model"], held != target.model {
                throw MirrorError(.configuration, "the PostgreSQL mirror at \(target.url.redacted) holds embeddings of "
                    + "\(held), but this data directory's are of \(target.model): point the database URL at another "
                    + "database, or drop the schema cairn there to mirror afresh")
            }
            if let held = settings["store_id"], held != storeID, !takeOver {
                throw MirrorError(.configuration, "the PostgreSQL mirror at \(target.url.redacted) mirrors another data "
                    + "directory (store \(held)), not this one (store \(storeID)): give each data directory its own "
                    + "database, or run `cairn mirror resync --take-over` to make that database this one's mirror")
            }
            try pg.execute("""
                INSERT INTO cairn.mirror_settings (key, value)
                VALUES ('embedding_dimension', $1), ('embedding_model', $2), ('store_id', $3)
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """, [.text(String(target.dimension)), .text(target.model), .text(storeID)])
        }
    }

    /// Drops the connection (the next call reconnects).
    public func disconnect() {
        lock.lock()
        connection = nil
        lock.unlock()
    }

    /// Applies everything the outbox holds now; see the type's description.
    ///
    /// When PostgreSQL refuses the batch for a reason retrying cannot cure (a value it will not take, a
    /// constraint), the batch is applied again row by row, each row under a savepoint with constraints checked
    /// at once: a row refused (or one that cannot be converted) is set aside in `mirror_rejected` with its
    /// error, and every other row goes through, so one bad row never stops the mirror. `verify` names the rows
    /// set aside; `resync` tries them again.
    @discardableResult
    public func drain() throws(MirrorError) -> Report {
        let pg = try connect()
        do {
            return try apply(pg, rowByRow: false)
        } catch where error.kind != .unavailable {
            return try apply(try connect(), rowByRow: true)
        }
    }

    private func apply(_ pg: PostgresConnection, rowByRow: Bool) throws(MirrorError) -> Report {
        let database = outbox.database
        var report = Report()
        var rejected: [Rejected] = []
        let last: Int64
        do {
            last = try database.transaction(.deferred) { () throws -> Int64 in
                let last = try database.queryValue("SELECT coalesce(max(seq), 0) FROM mirror_outbox", as: Int64.self) ?? 0
                guard last > 0 else { return 0 }
                report.changes = Int(try database.queryValue("SELECT count(*) FROM mirror_outbox WHERE seq <= ?",
                                                             [.integer(last)], as: Int64.self) ?? 0)
                try addLicenceTypes(pg, through: last)
                try pg.transaction {
                    if rowByRow {
                        try pg.execute("SET CONSTRAINTS ALL IMMEDIATE")
                        for table in MirrorTable.all.reversed() {
                            report.deleted += try deleteGoneRowByRow(table, pg, through: last, rejected: &rejected)
                        }
                        for table in MirrorTable.all {
                            let rows = try upsertRowByRow(table, pg, through: last, rejected: &rejected)
                            report.upserted += rows
                            if table.name == MirrorTable.chunks.name { report.chunks += rows }
                        }
                    } else {
                        for table in MirrorTable.all.reversed() {
                            report.deleted += try deleteGone(table, pg, through: last)
                        }
                        for table in MirrorTable.all {
                            let rows = try upsert(table, pg, through: last)
                            report.upserted += rows
                            if table.name == MirrorTable.chunks.name { report.chunks += rows }
                        }
                    }
                    try pg.execute("""
                        INSERT INTO cairn.mirror_settings (key, value) VALUES ('applied_at', $1)
                        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                        """, [.text(Timestamps.text(microseconds: MirrorOutbox.nowMicroseconds()))])
                }
                return last
            }
        } catch let error as PostgresError {
            disconnect()
            throw Self.mirrorError("applying the outbox to \(target.url.redacted)", error)
        } catch let error as MirrorError {
            disconnect()
            throw error
        } catch {
            disconnect()
            throw MirrorError(.failure, "applying the outbox: \(error)")
        }
        if last > 0 { try outbox.removeApplied(through: last, rejected: rejected.map { ($0.table, $0.id, $0.error) }) }
        report.rejected = rejected.count
        return report
    }

    /// Runs `body` under a savepoint; a refusal that retrying cannot cure rolls back to it and sets the row
    /// aside. Returns whether the row went through.
    private func guarded(_ pg: PostgresConnection, _ table: MirrorTable, _ id: Int64, rejected: inout [Rejected],
                         _ body: () throws -> Void) throws -> Bool {
        try pg.execute("SAVEPOINT mirror_row")
        do {
            try body()
            try pg.execute("RELEASE SAVEPOINT mirror_row")
            return true
        } catch let error as PostgresError where !error.isTransient {
            try pg.execute("ROLLBACK TO SAVEPOINT mirror_row")
            rejected.append(Rejected(table: table.name, id: id, error: error.description))
            return false
        } catch let error as MirrorError where error.kind != .unavailable {
            try pg.execute("ROLLBACK TO SAVEPOINT mirror_row")
            rejected.append(Rejected(table: table.name, id: id, error: error.message))
            return false
        }
    }

    private func deleteGoneRowByRow(_ table: MirrorTable, _ pg: PostgresConnection, through last: Int64,
                                    rejected: inout [Rejected]) throws -> Int {
        let gone = try goneIDs(table, through: last)
        var deleted = 0
        for id in gone {
            _ = try guarded(pg, table, id, rejected: &rejected) {
                deleted += try pg.execute("DELETE FROM \(table.qualified) WHERE \(table.key) = $1", [.int8(id)]).affectedRows
            }
        }
        return deleted
    }

    private func upsertRowByRow(_ table: MirrorTable, _ pg: PostgresConnection, through last: Int64,
                                rejected: inout [Rejected]) throws -> Int {
        let select = Self.namedRowsSQL(table)
        let placeholders = (1...table.columns.count).map { "$\($0)" }.joined(separator: ", ")
        let updates = table.columns.filter { $0.name != table.key }.map { "\($0.name) = EXCLUDED.\($0.name)" }
        let insert = "INSERT INTO \(table.qualified) (\(table.columnList)) VALUES (\(placeholders)) "
            + "ON CONFLICT (\(table.key)) DO UPDATE SET \(updates.joined(separator: ", "))"
        var upserted = 0
        let dimension = target.dimension
        try outbox.database.withStatement(select) { statement in
            try statement.forEachRow([.text(table.name), .integer(last)]) { row in
                let id = row.int64(at: 0)
                let values = Result { () throws(MirrorError) -> [PostgresValue] in
                    try table.columns.enumerated().map { (index, column) throws(MirrorError) in
                        try MirrorValues.postgres(row, index, column, table: table, dimension: dimension)
                    }
                }
                let ok = try guarded(pg, table, id, rejected: &rejected) {
                    try pg.execute(insert, try values.get())
                }
                if ok { upserted += 1 }
            }
        }
        return upserted
    }

    /// Deletes the mirror's rows whose keys the store does not hold (children first); returns how many. What
    /// `resync` does besides re-sending every row, for a mirror restored from an old backup.
    public func removeRowsNotInStore() throws(MirrorError) -> Int {
        let pg = try connect()
        // The store's keys first, so no store lock is taken inside the PostgreSQL transaction (drain takes them
        // in the other order).
        var keys: [String: Set<Int64>] = [:]
        for table in MirrorTable.all {
            keys[table.name] = try MirrorOutbox.wrap("reading \(table.name)") {
                Set(try outbox.database.query("SELECT \(table.key) FROM \(table.name)").map { try $0.get(0, as: Int64.self) })
            }
        }
        return try Self.postgres("removing rows the store does not hold") {
            try pg.transaction {
                var removed = 0
                for table in MirrorTable.all.reversed() {
                    let local = keys[table.name] ?? []
                    let remote = try pg.execute("SELECT \(table.key) FROM \(table.qualified)")
                    let extra = (0..<remote.rowCount).compactMap { remote.int64($0, 0) }.filter { !local.contains($0) }
                    for start in stride(from: 0, to: extra.count, by: 10_000) {
                        let ids = Array(extra[start..<min(extra.count, start + 10_000)])
                        removed += try pg.execute("DELETE FROM \(table.qualified) WHERE \(table.key) = ANY($1)",
                                                  [.int8Array(ids)]).affectedRows
                    }
                }
                return removed
            }
        }
    }

    /// Licences outside the enum's labels are added to it first (outside the batch's transaction: a label
    /// added in a transaction cannot be used before it commits).
    private func addLicenceTypes(_ pg: PostgresConnection, through last: Int64) throws {
        let known = try pg.execute("SELECT enumlabel FROM pg_enum WHERE enumtypid = 'cairn.license_type'::regtype")
        let labels = Set((0..<known.rowCount).compactMap { known.string($0, 0) })
        let used = try outbox.database.query("""
            SELECT DISTINCT p.license_type FROM provenance p
            JOIN mirror_outbox o ON o.entity = 'provenance' AND o.entity_id = p.material_id AND o.seq <= ?
            """, [.integer(last)]).compactMap { try $0.get(0, as: String?.self) }
        for licence in used where !labels.contains(licence) {
            let literal = "'" + licence.replacingOccurrences(of: "'", with: "''") + "'"
            let outcome = Result { () throws(PostgresError) in
                try pg.execute("ALTER TYPE cairn.license_type ADD VALUE IF NOT EXISTS \(literal)")
            }
            // A label PostgreSQL will not take: the rows using it are set aside when the batch is applied.
            if case .failure(let error) = outcome, error.isTransient { throw error }
        }
    }

    /// The ids of `table`'s rows the outbox names (up to `last`) that the snapshot no longer holds.
    private func goneIDs(_ table: MirrorTable, through last: Int64) throws -> [Int64] {
        try outbox.database.query("""
            SELECT DISTINCT o.entity_id FROM mirror_outbox o
            WHERE o.entity = ? AND o.seq <= ? AND NOT EXISTS (SELECT 1 FROM \(table.name) t WHERE t.\(table.key) = o.entity_id)
            """, [.text(table.name), .integer(last)]).map { try $0.get(0, as: Int64.self) }
    }

    /// Every column of `table`'s rows the outbox names; bound to (entity, last sequence).
    private static func namedRowsSQL(_ table: MirrorTable) -> String {
        """
        SELECT \(table.columns.map { "t." + $0.name }.joined(separator: ", ")) FROM \(table.name) t
        WHERE t.\(table.key) IN (SELECT entity_id FROM mirror_outbox WHERE entity = ? AND seq <= ?)
        """
    }

    /// Deletes the rows of `table` the outbox names that the snapshot no longer holds.
    private func deleteGone(_ table: MirrorTable, _ pg: PostgresConnection, through last: Int64) throws -> Int {
        let gone = try goneIDs(table, through: last)
        var deleted = 0
        for start in stride(from: 0, to: gone.count, by: 10_000) {
            let ids = Array(gone[start..<min(gone.count, start + 10_000)])
            deleted += try pg.execute("DELETE FROM \(table.qualified) WHERE \(table.key) = ANY($1)", [.int8Array(ids)]).affectedRows
        }
        return deleted
    }

    /// Streams the snapshot's state of the rows of `table` the outbox names into PostgreSQL and merges them.
    private func upsert(_ table: MirrorTable, _ pg: PostgresConnection, through last: Int64) throws -> Int {
        let select = Self.namedRowsSQL(table)
        let dimension = target.dimension
        let copied = try pg.copyIn("COPY pg_temp.stage_\(table.name) (\(table.columnList)) FROM STDIN (FORMAT binary)") { writer in
            try outbox.database.withStatement(select) { statement in
                try statement.forEachRow([.text(table.name), .integer(last)]) { row in
                    try writer.row(fields: table.columns.count)
                    for (index, column) in table.columns.enumerated() {
                        try writer.field(MirrorValues.postgres(row, index, column, table: table, dimension: dimension))
                    }
                }
            }
        }
        guard copied > 0 else { return 0 }
        let updates = table.columns.filter { $0.name != table.key }.map { "\($0.name) = EXCLUDED.\($0.name)" }
        try pg.execute("""
            INSERT INTO \(table.qualified) (\(table.columnList)) SELECT \(table.columnList) FROM pg_temp.stage_\(table.name)
            ON CONFLICT (\(table.key)) DO UPDATE SET \(updates.joined(separator: ", "))
            """)
        try pg.execute("TRUNCATE pg_temp.stage_\(table.name)")
        return copied
    }

    static func postgres<T>(_ what: String, _ body: () throws -> T) throws(MirrorError) -> T {
        do {
            return try body()
        } catch let error as MirrorError {
            throw error
        } catch let error as PostgresError {
            throw mirrorError(what, error)
        } catch {
            throw MirrorError(.failure, "\(what): \(error)")
        }
    }

    static func mirrorError(_ what: String, _ error: PostgresError) -> MirrorError {
        MirrorError(error.isTransient ? .unavailable : .failure, "\(what): \(error)")
    }
}
