/// A statement parameter, sent in PostgreSQL's binary format (network byte order), so no value is ever
/// spliced into SQL text and none goes through a text round trip.
///
/// Text is sent as its UTF-8 bytes; PostgreSQL's `text` cannot hold U+0000, so a string with one is refused
/// here (``PostgresError/Kind/invalidArgument``) instead of being cut by the server.
public enum PostgresValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int4(Int32)
    case int8(Int64)
    case float8(Double)
    case text(String)
    /// JSON text sent as `jsonb` (binary version 1 + the text).
    case jsonb(String)
    /// Microseconds since 1970-01-01 UTC, sent as `timestamptz`.
    case timestamptz(microsecondsSince1970: Int64)
    /// A pgvector `vector` (binary: int16 dimension, int16 0, float4 components).
    case vector([Float])
    /// `bigint[]` (one dimension, no NULLs).
    case int8Array([Int64])
    /// Days since 1970-01-01, sent as `date`.
    case date(daysSince1970: Int32)
    /// An exact decimal given as text (`-12.34`), sent as `numeric` (see ``PostgresNumeric``).
    case numeric(String)

    /// PostgreSQL's epoch (2000-01-01) in Unix microseconds.
    static let postgresEpochMicros: Int64 = 946_684_800_000_000

    /// The type's OID, or 0 to let the server take the type from the statement (pgvector's `vector` has no
    /// fixed OID, and `text` could be any textual type).
    var oid: UInt32 {
        switch self {
        case .null, .text, .vector: 0
        case .bool: 16
        case .int4: 23
        case .int8: 20
        case .float8: 701
        case .jsonb: 3802
        case .timestamptz: 1184
        case .int8Array: 1016
        case .numeric: 1700
        case .date: 1082
        }
    }

    /// The value's binary representation; `nil` for NULL.
    func binary() throws(PostgresError) -> [UInt8]? {
        var out = PostgresBinaryWriter()
        switch self {
        case .null:
            return nil
        case .bool(let value):
            out.byte(value ? 1 : 0)
        case .int4(let value):
            out.int32(value)
        case .int8(let value):
            out.int64(value)
        case .float8(let value):
            out.int64(Int64(bitPattern: value.bitPattern))
        case .text(let value):
            try out.text(value)
        case .jsonb(let value):
            out.byte(1)
            try out.text(value)
        case .timestamptz(let micros):
            out.int64(micros - Self.postgresEpochMicros)
        case .vector(let components):
            try out.vector(components)
        case .date(let days):
            out.int32(days - 10_957)
        case .numeric(let text):
            guard let bytes = PostgresNumeric.binary(text) else {
                throw PostgresError(.invalidArgument, "\"\(text)\" is not a decimal number")
            }
            return bytes
        case .int8Array(let values):
            out.int32(1)  // dimensions
            out.int32(0)  // no NULLs
            out.int32(20)  // element type int8
            out.int32(Int32(clamping: values.count))
            out.int32(1)  // lower bound
            for value in values {
                out.int32(8)
                out.int64(value)
            }
        }
        return out.bytes
    }
}

/// Appends values in PostgreSQL's binary wire format (big-endian).
struct PostgresBinaryWriter {
    var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func int16(_ value: Int16) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int32(_ value: Int32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int64(_ value: Int64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func text(_ value: String) throws(PostgresError) {
        let start = bytes.count
        bytes.append(contentsOf: value.utf8)
        if bytes[start...].contains(0) {
            bytes.removeSubrange(start...)
            throw PostgresError(.invalidArgument, "a text value holds a NUL character (U+0000), which PostgreSQL "
                + "text cannot store")
        }
    }

    mutating func vector(_ components: [Float]) throws(PostgresError) {
        guard components.count <= 16_000 else {
            throw PostgresError(.invalidArgument, "a vector of \(components.count) dimensions is over pgvector's 16,000")
        }
        int16(Int16(components.count))
        int16(0)
        bytes.reserveCapacity(bytes.count + 4 * components.count)
        for component in components {
            int32(Int32(bitPattern: component.bitPattern))
        }
    }
}
