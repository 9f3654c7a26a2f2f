internal import CSQLite

extension SQLiteDatabase {
    /// The table that records every migration run; its columns mirror one-to-one into PostgreSQL
    /// (`success` as 0/1, `executed_at` as ISO 8601 UTC text).
    static let migrationsTableSQL = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            name TEXT PRIMARY KEY NOT NULL,
            executed_at TEXT NOT NULL,
            execution_time_ms INTEGER NOT NULL,
            success INTEGER NOT NULL CHECK (success IN (0, 1)),
            error_message TEXT
        )
        """

    /// Applies, in order, every migration not yet recorded as successful, each in its own transaction, and
    /// records each run in `schema_migrations(name, executed_at, execution_time_ms, success, error_message)`.
    ///
    /// A migration that throws is rolled back, recorded with
    /// `success = 0` and its error message, and stops the run: its error is thrown (with the migration's name
    /// in the message) and later migrations are not tried. Running again retries it. Migrations run inside a
    /// transaction, so they must not contain `BEGIN`/`COMMIT` themselves.
    ///
    /// - Returns: the names of the migrations applied by this call (empty when the schema was current).
    /// - Throws: ``SQLError``: the failing migration's error; a ``SQLError/Kind/userError`` for duplicate
    ///   names in `migrations`; a ``SQLError/Kind/serviceError`` when the database records a successful
    ///   migration that `migrations` does not contain (it was written by a newer version of Cairn).
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws(SQLError) -> [String] {
        try withLock { () throws(SQLError) -> [String] in
            try executeScript(Self.migrationsTableSQL)
            var names = Set<String>()
            for migration in migrations where !names.insert(migration.name).inserted {
                throw SQLError(code: SQLITE_MISUSE, message: "migration \(migration.name) is listed twice",
                               path: path, kind: .userError)
            }
            let applied = try appliedMigrationNames()
            let unknown = applied.subtracting(names).sorted()
            guard unknown.isEmpty else {
                throw SQLError(
                    code: SQLITE_ERROR,
                    message: "\(path) records migrations this version does not know "
                        + "(\(unknown.joined(separator: ", "))); it was written by a newer version",
                    path: path, kind: .serviceError)
            }
            var ran: [String] = []
            for migration in migrations where !applied.contains(migration.name) {
                if try run(migration) { ran.append(migration.name) }
            }
            return ran
        }
    }

    /// Every row of `schema_migrations`, oldest first (empty before the first ``migrate(_:)``).
    public func migrationRecords() throws(SQLError) -> [MigrationRecord] {
        let exists = try queryValue("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?",
                                    ["schema_migrations"], as: Int.self) ?? 0
        guard exists > 0 else { return [] }
        return try query(
            """
            SELECT name, executed_at, execution_time_ms, success, error_message
            FROM schema_migrations ORDER BY executed_at, name
            """
        ).map { row throws(SQLError) in
            MigrationRecord(name: try row.get(0), executedAt: try row.get(1), executionTimeMilliseconds: try row.get(2),
                            success: try row.get(3), errorMessage: try row.get(4))
        }
    }

    private func appliedMigrationNames() throws(SQLError) -> Set<String> {
        Set(try query("SELECT name FROM schema_migrations WHERE success = 1").compactMap { $0[0].string })
    }

    /// Runs one migration in its own transaction; false when another connection applied it meanwhile.
    private func run(_ migration: Migration) throws(SQLError) -> Bool {
        let start = ContinuousClock.now
        do {
            return try transaction(.immediate) { () throws -> Bool in
                let done = try queryValue("SELECT success FROM schema_migrations WHERE name = ?",
                                          [.text(migration.name)], as: Bool.self)
                if done == true { return false }
                try migration.apply(self)
                try record(migration.name, milliseconds: Self.milliseconds(since: start), error: nil)
                return true
            }
        } catch {
            let failure = Self.migrationFailure(migration.name, error, path: path)
            // The run is recorded even though its changes were rolled back; if even that fails, the
            // migration's own error is the one worth reporting.
            _ = try? transaction(.immediate) {
                try record(migration.name, milliseconds: Self.milliseconds(since: start), error: failure.message)
            }
            throw failure
        }
    }

    private func record(_ name: String, milliseconds: Int, error: String?) throws(SQLError) {
        try execute(
            """
            INSERT INTO schema_migrations (name, executed_at, execution_time_ms, success, error_message)
            VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET executed_at = excluded.executed_at,
                execution_time_ms = excluded.execution_time_ms, success = excluded.success,
                error_message = excluded.error_message
            """,
            [.text(name), .int(milliseconds), .integer(error == nil ? 1 : 0), error.map(SQLValue.text) ?? .null])
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds) * 1000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The error a failed migration is reported with: the cause's code, class and text, prefixed by its name.
    private static func migrationFailure(_ name: String, _ error: any Error, path: String) -> SQLError {
        if let cause = error as? SQLError {
            var message = "migration \(name) failed: \(cause.message)"
            if let sql = cause.sql { message += " (in: \(sql))" }
            return SQLError(code: cause.code, message: message, sql: cause.sql, path: path, kind: cause.kind,
                            underlying: cause)
        }
        return SQLError(code: SQLITE_ERROR, message: "migration \(name) failed: \(error)", path: path,
                        kind: .serviceError, underlying: error)
    }
}
