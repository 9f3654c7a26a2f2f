/// One result row, materialised: column names and values, readable by index or by name.
///
/// ```swift
/// for row in try db.query("SELECT id, title, page_end FROM chunks WHERE material_id = ?", [.integer(id)]) {
///     let id: Int64 = try row.get("id")
///     let pageEnd: Int? = try row.get("page_end")   // NULL reads as nil
/// }
/// ```
public struct SQLiteRow: Sendable, Hashable {
    /// The result column names, in order.
    public let columns: [String]
    /// The values, one per column.
    public let values: [SQLValue]

    /// Creates a row (rows normally come from ``SQLiteDatabase/query(_:_:)``).
    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value in column `index` (0-based).
    public subscript(index: Int) -> SQLValue {
        values[index]
    }

    /// The value in column `name`, or nil when the row has no such column.
    public subscript(name: String) -> SQLValue? {
        columnIndex(named: name).map { values[$0] }
    }

    /// The index of column `name` (exact match first, then ASCII case-insensitive like SQL).
    public func columnIndex(named name: String) -> Int? {
        columns.firstIndex(of: name) ?? columns.firstIndex { $0.lowercased() == name.lowercased() }
    }

    /// Column `index` converted to `T`; a `NULL` reads as nil only when `T` is optional.
    ///
    /// - Throws: ``SQLError`` when the stored storage class does not convert to `T`.
    public func get<T: SQLValueConvertible>(_ index: Int, as type: T.Type = T.self) throws(SQLError) -> T {
        guard values.indices.contains(index) else {
            throw SQLError.misuse("no column #\(index) in a row of \(values.count) columns")
        }
        guard let converted = T(sqlValue: values[index]) else {
            throw SQLRowReadError.mismatch(column: "#\(index) (\(columns[index]))", stored: values[index],
                                           expected: T.self, sql: nil, path: nil)
        }
        return converted
    }

    /// Column `name` converted to `T`; a `NULL` reads as nil only when `T` is optional.
    ///
    /// - Throws: ``SQLError`` when the row has no such column or its value does not convert to `T`.
    public func get<T: SQLValueConvertible>(_ name: String, as type: T.Type = T.self) throws(SQLError) -> T {
        guard let index = columnIndex(named: name) else {
            throw SQLError.misuse("no column named \(name) among \(columns.joined(separator: ", "))")
        }
        return try get(index, as: type)
    }
}
