internal import CSQLite

/// A prepared statement: bind parameters, step through rows, read columns.
///
/// Statements come from ``SQLiteDatabase/prepare(_:)`` (owned: finalized when released) or, for hot SQL, from
/// ``SQLiteDatabase/withStatement(_:_:)`` (borrowed from the statement cache for the closure's duration and
/// unusable after it). Each call takes the database's lock, so a statement is safe beside other threads'
/// work on the same connection; the statement itself is not `Sendable` and belongs to one thread at a time.
///
/// ```swift
/// let insert = try db.prepare("INSERT INTO chunks(material_id, chunk_index, content) VALUES (?, ?, ?)")
/// try db.transaction {
///     for (index, text) in texts.enumerated() {
///         try insert.execute([.integer(materialID), .int(index), .text(text)])
///     }
/// }
/// ```
public final class SQLiteStatement {
    /// The SQL text, with placeholders.
    public let sql: String
    /// The connection the statement belongs to (kept alive by the statement).
    public let database: SQLiteDatabase
    /// The `sqlite3_stmt *`; nil once a borrowed statement went back to the cache.
    private(set) var handle: OpaquePointer?
    private let owned: Bool
    private var columnIndexes: [String: Int]?

    init(database: SQLiteDatabase, handle: OpaquePointer, sql: String, owned: Bool) {
        self.database = database
        self.handle = handle
        self.sql = sql
        self.owned = owned
    }

    deinit {
        if owned, let handle {
            database.withLock { _ = sqlite3_finalize(handle) }
        }
    }

    /// Resets a borrowed statement and hands its handle back (lock held by the caller).
    func detach() -> OpaquePointer? {
        guard let statement = handle else { return nil }
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        handle = nil
        return statement
    }

    /// The live handle, or a misuse error after a borrowed statement's scope ended.
    func live() throws(SQLError) -> OpaquePointer {
        guard let handle else {
            throw SQLError.misuse("statement used after its withStatement scope ended", sql: sql,
                                  path: database.path)
        }
        return handle
    }

    /// The live handle for column reads, which cannot throw: using a statement outside its scope is a bug.
    var columnHandle: OpaquePointer {
        guard let handle else { preconditionFailure("statement read after its withStatement scope ended: \(sql)") }
        return handle
    }

    /// Number of `?` / `:name` parameters.
    public var parameterCount: Int {
        database.withLock { handle.map { Int(sqlite3_bind_parameter_count($0)) } ?? 0 }
    }

    /// Resets the statement and binds `values` to parameters 1…n; their count must equal ``parameterCount``.
    public func bind(_ values: [SQLValue]) throws(SQLError) {
        try database.withLock { () throws(SQLError) in
            let statement = try live()
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            let expected = Int(sqlite3_bind_parameter_count(statement))
            guard values.count == expected else {
                throw SQLError.misuse("\(values.count) values bound to \(expected) parameters", sql: sql,
                                      path: database.path)
            }
            for (offset, value) in values.enumerated() {
                try bindLocked(statement, value, at: Int32(offset + 1))
            }
        }
    }

    /// Binds one value to the parameter at 1-based `index`.
    public func bind(_ value: SQLValue, at index: Int) throws(SQLError) {
        try database.withLock { () throws(SQLError) in
            try bindLocked(try live(), value, at: Int32(index))
        }
    }

    /// Binds one value to the parameter called `name` (with its prefix, e.g. `:title`).
    public func bind(_ value: SQLValue, named name: String) throws(SQLError) {
        try database.withLock { () throws(SQLError) in
            let statement = try live()
            let index = sqlite3_bind_parameter_index(statement, name)
            guard index > 0 else {
                throw SQLError.misuse("no parameter named \(name)", sql: sql, path: database.path)
            }
            try bindLocked(statement, value, at: index)
        }
    }

    private func bindLocked(_ statement: OpaquePointer, _ value: SQLValue, at index: Int32) throws(SQLError) {
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(statement, index)
        case .integer(let number):
            rc = sqlite3_bind_int64(statement, index, number)
        case .real(let number):
            rc = sqlite3_bind_double(statement, index, number)
        case .text(var text):
            rc = text.withUTF8 { utf8 in
                // A nil pointer would bind NULL, so an empty string binds a static empty C string.
                guard let base = utf8.baseAddress, !utf8.isEmpty else {
                    return sqlite3_bind_text(statement, index, "", 0, SQLiteStatement.transient)
                }
                return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    sqlite3_bind_text64(statement, index, $0, UInt64(utf8.count), SQLiteStatement.transient,
                                        UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            rc = bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, !raw.isEmpty else {
                    return sqlite3_bind_zeroblob(statement, index, 0)
                }
                return sqlite3_bind_blob64(statement, index, base, UInt64(raw.count), SQLiteStatement.transient)
            }
        }
        guard rc == SQLITE_OK else { throw database.lastError(rc, sql: sql) }
    }

    /// Tells SQLite to copy bound text and blobs before the call returns.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Advances to the next row: true when a row is ready to read, false when the statement is done.
    public func step() throws(SQLError) -> Bool {
        try database.withLock { () throws(SQLError) -> Bool in
            let statement = try live()
            let rc = sqlite3_step(statement)
            switch rc {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default:
                let error = database.lastError(rc, sql: sql)
                sqlite3_reset(statement)
                throw error
            }
        }
    }

    /// Rewinds the statement so it can run again; bindings are kept.
    public func reset() {
        database.withLock { _ = handle.map { sqlite3_reset($0) } }
    }

    /// Binds `values`, runs the statement to completion and resets it; returns the rows it changed.
    @discardableResult
    public func execute(_ values: [SQLValue] = []) throws(SQLError) -> Int {
        try database.withLock { () throws(SQLError) -> Int in
            try bind(values)
            while try step() {}
            let changes = Int(sqlite3_changes64(database.handle))
            reset()
            return changes
        }
    }

    /// Binds `values` and returns every row, then resets the statement.
    public func query(_ values: [SQLValue] = []) throws(SQLError) -> [SQLiteRow] {
        try database.withLock { () throws(SQLError) -> [SQLiteRow] in
            try bind(values)
            var rows: [SQLiteRow] = []
            let names = columnNames
            while try step() {
                rows.append(SQLiteRow(columns: names, values: (0..<names.count).map { value(at: $0) }))
            }
            reset()
            return rows
        }
    }

    /// Binds `values` and calls `body` on each row with the statement positioned on it (read columns with
    /// ``value(at:)``, ``withBlob(at:_:)``… without materialising rows), then resets the statement.
    public func forEachRow(_ values: [SQLValue] = [], _ body: (SQLiteStatement) throws -> Void) throws {
        try database.withLock { () throws in
            defer { reset() }
            try bind(values)
            while try step() {
                try body(self)
            }
        }
    }

    /// Maps a column name to its index (exact match first, then ASCII case-insensitive like SQL).
    public func columnIndex(named name: String) -> Int? {
        if columnIndexes == nil {
            var indexes: [String: Int] = [:]
            for (index, column) in columnNames.enumerated() where indexes[column] == nil {
                indexes[column] = index
            }
            columnIndexes = indexes
        }
        if let index = columnIndexes?[name] { return index }
        return columnNames.firstIndex { $0.lowercased() == name.lowercased() }
    }
}
