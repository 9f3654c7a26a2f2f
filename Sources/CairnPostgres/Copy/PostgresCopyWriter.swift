/// Writes rows of `COPY … FROM STDIN (FORMAT binary)`: the signature and header, then per row a field count
/// and each field as a length (−1 for NULL) and its binary value, and the −1 trailer.
///
/// The buffer is sent to the server whenever it passes 1 MiB, so a COPY of any size holds about that much.
public struct PostgresCopyWriter {
    private var buffer = PostgresBinaryWriter()
    private let send: (_ bytes: [UInt8]) throws(PostgresError) -> Void
    private var fieldsLeft = 0
    public private(set) var rows = 0

    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

    init(send: @escaping (_ bytes: [UInt8]) throws(PostgresError) -> Void) {
        self.send = send
        buffer.bytes = Self.signature
        buffer.int32(0)  // flags
        buffer.int32(0)  // header extension length
    }

    /// Starts a row of `fields` values; exactly that many ``field(_:)`` calls follow.
    public mutating func row(fields: Int) throws(PostgresError) {
        guard fieldsLeft == 0 else {
            throw PostgresError(.invalidArgument, "a COPY row was started with \(fieldsLeft) fields of the last one missing")
        }
        if buffer.bytes.count >= 1 << 20 { try flush() }
        buffer.int16(Int16(fields))
        fieldsLeft = fields
        rows += 1
    }

    /// Appends the next field of the current row.
    public mutating func field(_ value: PostgresValue) throws(PostgresError) {
        guard fieldsLeft > 0 else { throw PostgresError(.invalidArgument, "a COPY field outside a row") }
        fieldsLeft -= 1
        guard let encoded = try value.binary() else {
            buffer.int32(-1)
            return
        }
        buffer.int32(Int32(encoded.count))
        buffer.bytes.append(contentsOf: encoded)
    }

    mutating func flush() throws(PostgresError) {
        guard !buffer.bytes.isEmpty else { return }
        try send(buffer.bytes)
        buffer.bytes.removeAll(keepingCapacity: true)
    }

    /// Writes the trailer and sends what is buffered.
    mutating func finish() throws(PostgresError) {
        guard fieldsLeft == 0 else {
            throw PostgresError(.invalidArgument, "the last COPY row is missing \(fieldsLeft) fields")
        }
        buffer.int16(-1)
        try flush()
    }
}
