import Foundation

/// One recorded schema change in PostgreSQL, applied once, in order, by ``PostgresConnection/migrate(schema:_:)``.
public struct PostgresMigration: Sendable {
    /// A sortable name (`0001_materials`): what `schema_migrations` records.
    public let name: String
    public let sql: String

    public init(_ name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

extension PostgresConnection {
    /// Creates `schema` and its `schema_migrations(name, applied_at, execution_ms)` table when missing, then
    /// applies the migrations not recorded there, each with its record, all in one transaction under an
    /// advisory lock, so two processes migrating at once apply each migration once and a failed migration
    /// leaves nothing behind. Returns the names applied now.
    @discardableResult
    public func migrate(schema: String, _ migrations: [PostgresMigration]) throws -> [String] {
        guard schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PostgresError(.invalidArgument, "schema name \"\(schema)\" is not a plain identifier")
        }
        return try transaction {
            try execute("SELECT pg_advisory_xact_lock(hashtext($1))", [.text("\(schema).schema_migrations")])
            try executeScript("""
                CREATE SCHEMA IF NOT EXISTS \(schema);
                CREATE TABLE IF NOT EXISTS \(schema).schema_migrations (
                    name text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    execution_ms integer NOT NULL
                );
                """)
            let done = try execute("SELECT name FROM \(schema).schema_migrations")
            let applied = Set((0..<done.rowCount).compactMap { done.string($0, 0) })
            var now: [String] = []
            for migration in migrations where !applied.contains(migration.name) {
                let start = ContinuousClock.now
                do {
                    try executeScript(migration.sql)
                } catch let error as PostgresError {
                    throw PostgresError(error.kind, "migration \(migration.name) failed: \(error.message)",
                                        sqlState: error.sqlState, sql: error.sql)
                }
                let elapsed = ContinuousClock.now - start
                let ms = Int32(clamping: elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                try execute("INSERT INTO \(schema).schema_migrations (name, execution_ms) VALUES ($1, $2)",
                            [.text(migration.name), .int4(ms)])
                now.append(migration.name)
            }
            return now
        }
    }
}
