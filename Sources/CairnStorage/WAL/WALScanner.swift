/// Reads the records of a log in order through a buffer, validating each one.
///
/// Used on open (to find where the valid records end) and by replay. A record that is short, has an
/// impossible length or a wrong checksum ends the scan as a torn tail; a well-formed record carrying the
/// wrong LSN means the log is not what we wrote and is reported as corruption.
struct WALScanner {
    /// What the scanner found at the current offset.
    enum Step {
        case record(WALRecord)
        /// No bytes are left before the scan limit.
        case end
        /// The bytes at ``WALScanner/offset`` do not form a valid record.
        case torn(reason: String)
    }

    private static let chunkSize = 1 << 20

    private let file: OpenFile
    private let limit: Int64
    /// Offset of the next record: after a torn step, the end of the valid prefix.
    private(set) var offset: Int64
    /// The LSN the next record must carry.
    private(set) var expectedLSN: UInt64
    private var buffer: [UInt8] = []
    private var bufferStart: Int64 = 0

    /// Scans `file` from just after its header up to `limit` bytes, expecting LSNs from `firstLSN` on.
    init(file: OpenFile, limit: Int64, firstLSN: UInt64) {
        self.file = file
        self.limit = limit
        self.offset = Int64(WALFormat.headerSize)
        self.expectedLSN = firstLSN
    }

    /// Reads and validates the next record.
    mutating func next() throws(StorageError) -> Step {
        let left = limit - offset
        if left == 0 { return .end }
        let headerSize = WALFormat.recordHeaderSize
        guard left >= Int64(headerSize) else { return .torn(reason: "short record header (\(left) bytes left)") }
        try fill(headerSize)
        let at = Int(offset - bufferStart)
        let length = Int(buffer.loadLittleEndian(UInt32.self, at: at))
        guard length <= WALFormat.maxPayloadLength else {
            return .torn(reason: "payload length \(length) exceeds the \(WALFormat.maxPayloadLength)-byte limit")
        }
        let total = headerSize + length
        guard left >= Int64(total) else {
            return .torn(reason: "record of \(total) bytes runs past the end of the file (\(left) bytes left)")
        }
        try fill(total)
        let start = Int(offset - bufferStart)
        let stored = buffer.loadLittleEndian(UInt32.self, at: start + 4)
        let computed = buffer.crc32c(in: (start + 8)..<(start + total))
        guard stored == computed else {
            return .torn(reason: "checksum mismatch (expected \(hex32(stored)), found \(hex32(computed)))")
        }
        let lsn = buffer.loadLittleEndian(UInt64.self, at: start + 8)
        guard lsn == expectedLSN else {
            throw .corruption(
                "write-ahead log \(file.path): record at offset \(offset) has LSN \(lsn), expected \(expectedLSN)")
        }
        let record = WALRecord(
            lsn: lsn, type: buffer[start + 16],
            payload: Array(buffer[(start + headerSize)..<(start + total)]))
        offset += Int64(total)
        expectedLSN += 1
        return .record(record)
    }

    /// Makes sure `count` bytes from ``offset`` are in the buffer; the caller has checked they exist.
    private mutating func fill(_ count: Int) throws(StorageError) {
        let have = bufferStart + Int64(buffer.count) - offset
        if offset >= bufferStart && have >= Int64(count) { return }
        let want = Int(min(Int64(max(count, Self.chunkSize)), limit - offset))
        buffer = try file.read(count: want, at: offset)
        bufferStart = offset
        guard buffer.count >= count else {
            throw .serviceError(
                "write-ahead log \(file.path): read \(buffer.count) bytes at offset \(offset), expected \(count)")
        }
    }
}
