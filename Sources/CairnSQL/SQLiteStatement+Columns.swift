internal import CSQLite

extension SQLiteStatement {
    /// Number of result columns.
    public var columnCount: Int {
        database.withLock { Int(sqlite3_column_count(columnHandle)) }
    }

    /// Every result column's name, in order.
    public var columnNames: [String] {
        database.withLock {
            let statement = columnHandle
            return (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
        }
    }

    /// The current row's value in column `index` (0-based), in the storage class SQLite holds it in.
    public func value(at index: Int) -> SQLValue {
        database.withLock {
            let statement = columnHandle
            let column = Int32(index)
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                return .integer(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT:
                return .real(sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                return .text(text(statement, column))
            case SQLITE_BLOB:
                return .blob(withBlobLocked(statement, column) { Array($0) })
            default:
                return .null
            }
        }
    }

    /// Whether column `index` of the current row is `NULL`.
    public func isNull(at index: Int) -> Bool {
        database.withLock { sqlite3_column_type(columnHandle, Int32(index)) == SQLITE_NULL }
    }

    /// Column `index` as an integer (SQLite's conversion: `NULL` is 0, text is parsed).
    public func int64(at index: Int) -> Int64 {
        database.withLock { sqlite3_column_int64(columnHandle, Int32(index)) }
    }

    /// Column `index` as a double (SQLite's conversion: `NULL` is 0).
    public func double(at index: Int) -> Double {
        database.withLock { sqlite3_column_double(columnHandle, Int32(index)) }
    }

    /// Column `index` as text, or nil when it is `NULL`.
    public func string(at index: Int) -> String? {
        database.withLock {
            let statement = columnHandle
            return sqlite3_column_type(statement, Int32(index)) == SQLITE_NULL ? nil : text(statement, Int32(index))
        }
    }

    /// Column `index` as bytes, or nil when it is `NULL`.
    public func blob(at index: Int) -> [UInt8]? {
        database.withLock {
            let statement = columnHandle
            guard sqlite3_column_type(statement, Int32(index)) != SQLITE_NULL else { return nil }
            return withBlobLocked(statement, Int32(index)) { Array($0) }
        }
    }

    /// Calls `body` with the bytes of column `index` in place (empty for `NULL`), valid only during the call.
    public func withBlob<T>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        database.acquireLock()
        defer { database.releaseLock() }
        return try withBlobLocked(columnHandle, Int32(index), body)
    }

    /// Column `index` converted to `T`; a `NULL` reads as nil only when `T` is optional.
    ///
    /// - Throws: ``SQLError`` when the stored storage class does not convert to `T`.
    public func get<T: SQLValueConvertible>(_ index: Int, as type: T.Type = T.self) throws(SQLError) -> T {
        let stored = value(at: index)
        guard let converted = T(sqlValue: stored) else {
            throw SQLRowReadError.mismatch(column: "#\(index)", stored: stored, expected: T.self, sql: sql,
                                           path: database.path)
        }
        return converted
    }

    /// Column `name` converted to `T` (see the index form).
    public func get<T: SQLValueConvertible>(_ name: String, as type: T.Type = T.self) throws(SQLError) -> T {
        guard let index = columnIndex(named: name) else {
            throw SQLError.misuse("no column named \(name)", sql: sql, path: database.path)
        }
        return try get(index, as: type)
    }

    /// The current row, materialised.
    public func row() -> SQLiteRow {
        database.withLock {
            let names = columnNames
            return SQLiteRow(columns: names, values: (0..<names.count).map { value(at: $0) })
        }
    }

    private func text(_ statement: OpaquePointer, _ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    private func withBlobLocked<T>(
        _ statement: OpaquePointer, _ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T
    ) rethrows -> T {
        let base = sqlite3_column_blob(statement, column)
        let count = Int(sqlite3_column_bytes(statement, column))
        return try body(UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count))
    }

}

/// Builds the errors of typed column reads.
enum SQLRowReadError {
    static func mismatch(
        column: String, stored: SQLValue, expected: Any.Type, sql: String?, path: String?,
        file: String = #fileID, line: Int = #line
    ) -> SQLError {
        SQLError(code: SQLITE_MISMATCH,
                 message: "column \(column) holds \(stored.storageClass), which does not read as \(expected)",
                 sql: sql, path: path, kind: .serviceError, file: file, line: line)
    }
}
