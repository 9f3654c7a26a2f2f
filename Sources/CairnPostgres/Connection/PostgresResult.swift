internal import CLibPQ

/// The rows of one statement's result; owns its `PGresult` (cleared in `deinit`).
///
/// Cells come back in the format the statement asked for: text (what `psql` shows) or binary. The accessors
/// read either: ``string(_:_:)`` and ``int64(_:_:)`` parse text, ``binaryInt64(_:_:)`` and
/// ``binaryVector(_:_:)`` decode binary cells.
public final class PostgresResult: @unchecked Sendable {
    let handle: OpaquePointer
    /// Number of rows.
    public let rowCount: Int
    /// Number of columns.
    public let columnCount: Int

    init(_ handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
    }

    deinit { PQclear(handle) }

    /// Rows an INSERT, UPDATE, DELETE or COPY touched.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    /// The column's name.
    public func columnName(_ column: Int) -> String { String(cString: PQfname(handle, Int32(column))) }

    /// The index of the column named `name`.
    public func column(named name: String) -> Int? {
        let index = Int(PQfnumber(handle, name))
        return index >= 0 ? index : nil
    }

    public func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    /// The cell's bytes (valid while the result lives).
    public func bytes(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer {
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        guard let start = PQgetvalue(handle, Int32(row), Int32(column)) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: start, count: length)
    }

    /// A text cell (or a binary `text`/`jsonb` cell's UTF-8); `nil` for NULL.
    public func string(_ row: Int, _ column: Int) -> String? {
        guard !isNull(row, column) else { return nil }
        return String(decoding: bytes(row, column), as: UTF8.self)
    }

    /// A text cell read as an integer; `nil` for NULL or text that is not one.
    public func int64(_ row: Int, _ column: Int) -> Int64? {
        string(row, column).flatMap { Int64($0) }
    }

    /// A binary `int2`/`int4`/`int8` cell.
    public func binaryInt64(_ row: Int, _ column: Int) -> Int64? {
        guard !isNull(row, column) else { return nil }
        let raw = bytes(row, column)
        var value: Int64 = 0
        for byte in raw { value = value << 8 | Int64(byte) }
        switch raw.count {
        case 2: return Int64(Int16(truncatingIfNeeded: value))
        case 4: return Int64(Int32(truncatingIfNeeded: value))
        default: return value
        }
    }

    /// A binary pgvector `vector` cell.
    public func binaryVector(_ row: Int, _ column: Int) throws(PostgresError) -> [Float]? {
        guard !isNull(row, column) else { return nil }
        return try PostgresBinaryReader.vector(bytes(row, column))
    }
}

/// Decodes PostgreSQL binary values.
enum PostgresBinaryReader {
    static func uint16(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(raw[offset]) << 8 | UInt16(raw[offset + 1])
    }

    static func uint32(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(raw[offset]) << 24 | UInt32(raw[offset + 1]) << 16 | UInt32(raw[offset + 2]) << 8 | UInt32(raw[offset + 3])
    }

    static func vector(_ raw: UnsafeRawBufferPointer) throws(PostgresError) -> [Float] {
        guard raw.count >= 4 else { throw PostgresError(.protocolViolation, "a vector value of \(raw.count) bytes") }
        let dimension = Int(uint16(raw, 0))
        guard raw.count == 4 + 4 * dimension else {
            throw PostgresError(.protocolViolation, "a vector of \(dimension) dimensions in \(raw.count) bytes")
        }
        return (0..<dimension).map { Float(bitPattern: uint32(raw, 4 + 4 * $0)) }
    }
}
