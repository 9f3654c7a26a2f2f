internal import CSQLite

extension SQLiteDatabase {
    /// Prepares one statement that the caller owns (finalized when released); not cached.
    ///
    /// - Throws: ``SQLError`` for invalid SQL, or when `sql` holds more than one statement (use
    ///   ``executeScript(_:)`` for scripts).
    public func prepare(_ sql: String) throws(SQLError) -> SQLiteStatement {
        try withLock { () throws(SQLError) in
            SQLiteStatement(database: self, handle: try prepareHandle(sql), sql: sql, owned: true)
        }
    }

    /// Runs `body` with a prepared statement for `sql` taken from the statement cache (prepared on first use),
    /// holding the connection lock; the statement is reset and returned to the cache afterwards and must not
    /// be kept.
    public func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
        acquireLock()
        defer { releaseLock() }
        let statement = try checkoutStatement(sql)
        defer { checkinStatement(statement) }
        return try body(statement)
    }

    /// ``withStatement(_:_:)`` for bodies that throw only ``SQLError``.
    func withCachedStatement<T>(
        _ sql: String, _ body: (SQLiteStatement) throws(SQLError) -> T
    ) throws(SQLError) -> T {
        acquireLock()
        defer { releaseLock() }
        let statement = try checkoutStatement(sql)
        defer { checkinStatement(statement) }
        return try body(statement)
    }

    /// Runs one statement with `bindings` (cached); returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ bindings: [SQLValue] = []) throws(SQLError) -> Int {
        try withCachedStatement(sql) { statement throws(SQLError) in try statement.execute(bindings) }
    }

    /// Runs one query with `bindings` (cached) and returns all its rows.
    public func query(_ sql: String, _ bindings: [SQLValue] = []) throws(SQLError) -> [SQLiteRow] {
        try withCachedStatement(sql) { statement throws(SQLError) in try statement.query(bindings) }
    }

    /// The first row of a query, or nil when it returns none.
    public func queryFirst(_ sql: String, _ bindings: [SQLValue] = []) throws(SQLError) -> SQLiteRow? {
        try withCachedStatement(sql) { statement throws(SQLError) -> SQLiteRow? in
            try statement.bind(bindings)
            return try statement.step() ? statement.row() : nil
        }
    }

    /// Column 0 of the first row converted to `T`, or nil when the query returns no row.
    ///
    /// ```swift
    /// let count = try db.queryValue("SELECT count(*) FROM materials", as: Int.self) ?? 0
    /// ```
    public func queryValue<T: SQLValueConvertible>(
        _ sql: String, _ bindings: [SQLValue] = [], as type: T.Type = T.self
    ) throws(SQLError) -> T? {
        try withCachedStatement(sql) { statement throws(SQLError) -> T? in
            try statement.bind(bindings)
            return try statement.step() ? statement.get(0, as: type) : nil
        }
    }

    /// Runs every statement of a script in order, without bindings (schema changes, migrations).
    ///
    /// - Throws: the first failing statement's ``SQLError``, with that statement's text as ``SQLError/sql``.
    public func executeScript(_ script: String) throws(SQLError) {
        try withLock { () throws(SQLError) in
            var utf8 = Array(script.utf8CString)
            try utf8.withUnsafeMutableBufferPointer { buffer throws(SQLError) in
                guard var cursor = UnsafePointer(buffer.baseAddress) else { return }
                while cursor.pointee != 0 {
                    var statement: OpaquePointer?
                    var tail: UnsafePointer<CChar>?
                    let rc = sqlite3_prepare_v2(handle, cursor, -1, &statement, &tail)
                    let text = Self.text(from: cursor, to: tail)
                    guard rc == SQLITE_OK else { throw lastError(rc, sql: text) }
                    defer { sqlite3_finalize(statement) }
                    if let statement {
                        var step: Int32
                        repeat { step = sqlite3_step(statement) } while step == SQLITE_ROW
                        guard step == SQLITE_DONE else { throw lastError(step, sql: text) }
                    }
                    guard let tail, tail != cursor else { break }
                    cursor = tail
                }
            }
        }
    }

    /// Checks the whole file (`PRAGMA integrity_check`): an empty answer means it is sound, otherwise
    /// SQLite's findings (a check stopped by damage it cannot walk past answers that error's message).
    ///
    /// - Throws: ``SQLError`` when the check could not run for another reason (I/O, busy).
    public func integrityCheck() throws(SQLError) -> [String] {
        do {
            let findings = try query("PRAGMA integrity_check").compactMap { $0[0].string }
            return findings == ["ok"] ? [] : findings
        } catch where error.kind == .corruption {
            return [error.message]
        }
    }

    /// Copies the WAL into the database file and truncates the WAL (`PRAGMA wal_checkpoint(TRUNCATE)`).
    public func checkpoint() throws(SQLError) {
        _ = try query("PRAGMA wal_checkpoint(TRUNCATE)")
    }

    // MARK: - Statement handles (lock held)

    private func checkoutStatement(_ sql: String) throws(SQLError) -> SQLiteStatement {
        let handle: OpaquePointer
        if let cached = statementCache.checkout(sql) {
            handle = cached
        } else {
            handle = try prepareHandle(sql)
        }
        return SQLiteStatement(database: self, handle: handle, sql: sql, owned: false)
    }

    private func checkinStatement(_ statement: SQLiteStatement) {
        guard let handle = statement.detach() else { return }
        for evicted in statementCache.checkin(statement.sql, handle) {
            sqlite3_finalize(evicted)
        }
    }

    /// Prepares exactly one statement.
    func prepareHandle(_ sql: String) throws(SQLError) -> OpaquePointer {
        var statement: OpaquePointer?
        var trailing: OpaquePointer?
        var trailingRC = SQLITE_OK
        let rc = sql.withCString { start -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(handle, start, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            // Whatever follows the first statement must be empty (whitespace, comments, semicolons).
            if rc == SQLITE_OK, let tail, tail.pointee != 0 {
                trailingRC = sqlite3_prepare_v2(handle, tail, -1, &trailing, nil)
            }
            return rc
        }
        guard rc == SQLITE_OK else { throw lastError(rc, sql: sql) }
        guard let statement else { throw SQLError.misuse("no SQL statement to prepare", sql: sql, path: path) }
        if trailing != nil || trailingRC != SQLITE_OK {
            sqlite3_finalize(trailing)
            sqlite3_finalize(statement)
            throw SQLError.misuse("more than one statement; use executeScript", sql: sql, path: path)
        }
        return statement
    }

    private static func text(from start: UnsafePointer<CChar>, to end: UnsafePointer<CChar>?) -> String {
        let count = end.map { $0 - start } ?? strlenCount(start)
        let bytes = UnsafeRawPointer(start).assumingMemoryBound(to: UInt8.self)
        let sql = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        return sql.trimmingSQLWhitespace()
    }

    private static func strlenCount(_ start: UnsafePointer<CChar>) -> Int {
        var count = 0
        while start[count] != 0 { count += 1 }
        return count
    }
}

extension String {
    /// The text without leading and trailing whitespace (no Foundation needed).
    func trimmingSQLWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
