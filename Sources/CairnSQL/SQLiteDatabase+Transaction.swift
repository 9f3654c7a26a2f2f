internal import CSQLite

extension SQLiteDatabase {
    /// How the outermost transaction takes its locks.
    public enum TransactionMode: String, Sendable, Hashable {
        /// `BEGIN DEFERRED`: locks on first read/write (a read-only snapshot when the body only reads).
        case deferred = "DEFERRED"
        /// `BEGIN IMMEDIATE`: takes the write lock at once, so the body never fails half-way with `SQLITE_BUSY`
        /// on upgrading a read to a write.
        case immediate = "IMMEDIATE"
        /// `BEGIN EXCLUSIVE`: in WAL mode the same as immediate.
        case exclusive = "EXCLUSIVE"
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws (the error is
    /// rethrown unchanged).
    ///
    /// The connection lock is held for the whole body, so statements of other threads on this database wait
    /// and never join the transaction. A `transaction` inside another becomes a savepoint: its failure rolls
    /// back only its own changes, and the outer body may catch the error and go on.
    ///
    /// ```swift
    /// let materialID = try db.transaction {
    ///     try db.execute("INSERT INTO materials(title) VALUES (?)", ["Geometry"])
    ///     let id = db.lastInsertRowID
    ///     try db.execute("INSERT INTO material_processing_jobs(material_id, status) VALUES (?, 'pending')",
    ///                    [.integer(id)])
    ///     return id
    /// }
    /// ```
    ///
    /// - Parameter mode: how the outermost transaction begins (``TransactionMode/immediate`` by default).
    /// - Throws: the body's error, or an ``SQLError`` from `BEGIN`/`COMMIT` (a failed commit is rolled back).
    @discardableResult
    public func transaction<T>(_ mode: TransactionMode = .immediate, _ body: () throws -> T) throws -> T {
        acquireLock()
        defer { releaseLock() }
        if transactionDepth > 0 || sqlite3_get_autocommit(handle) == 0 {
            return try savepoint(body)
        }
        try execute("BEGIN \(mode.rawValue)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL); only roll back what is open.
            if sqlite3_get_autocommit(handle) == 0 {
                _ = try? execute("ROLLBACK")
            }
            throw error
        }
    }

    /// A nested transaction as a named savepoint inside the open one (lock held).
    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        let name = "cairn_savepoint_\(transactionDepth)"
        try execute("SAVEPOINT \(name)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            if sqlite3_get_autocommit(handle) == 0 {
                _ = try? execute("ROLLBACK TO \(name)")
                _ = try? execute("RELEASE \(name)")
            }
            throw error
        }
    }
}
