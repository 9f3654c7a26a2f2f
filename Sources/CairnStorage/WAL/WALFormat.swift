/// Byte layout of `wal.log`; see ``WriteAheadLog`` for the documented format.
enum WALFormat {
    /// The first eight bytes of every log.
    static let magic: [UInt8] = Array("CAIRNWAL".utf8)
    /// The format this code writes and reads.
    static let version: UInt32 = 1
    /// Bytes in the file header.
    static let headerSize = 32
    /// Bytes before a record's payload: length, crc, lsn, type.
    static let recordHeaderSize = 17
    /// The largest payload a record may carry (64 MiB); longer lengths on disk mark a torn tail.
    static let maxPayloadLength = 64 << 20
    /// The name of the log inside its directory.
    static let fileName = "wal.log"
    /// The name a new log is written under before it is renamed into place.
    static let temporaryName = "wal.log.tmp"

    /// The file header for a log whose first record will carry `firstLSN`.
    static func header(firstLSN: UInt64) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(headerSize)
        bytes.appendLittleEndian(version)
        bytes.appendLittleEndian(UInt32(0))  // flags, none defined
        bytes.appendLittleEndian(firstLSN)
        bytes.appendLittleEndian(UInt32(0))  // reserved
        bytes.appendLittleEndian(bytes.crc32c(in: 0..<28))
        return bytes
    }

    /// Validates a file header and returns the first LSN it records.
    /// - Throws: ``StorageError/Kind/corruption`` naming `path` when the header is short, foreign or damaged.
    static func parseHeader(_ bytes: [UInt8], path: String) throws(StorageError) -> UInt64 {
        guard bytes.count >= headerSize else {
            throw .corruption("write-ahead log \(path): header is \(bytes.count) bytes, expected \(headerSize)")
        }
        guard Array(bytes[0..<8]) == magic else {
            throw .corruption("write-ahead log \(path): bad magic (not a Cairn write-ahead log)")
        }
        let fileVersion = bytes.loadLittleEndian(UInt32.self, at: 8)
        guard fileVersion == version else {
            throw .corruption("write-ahead log \(path): unsupported format version \(fileVersion) (expected \(version))")
        }
        let stored = bytes.loadLittleEndian(UInt32.self, at: 28)
        let computed = bytes.crc32c(in: 0..<28)
        guard stored == computed else {
            throw .corruption(
                "write-ahead log \(path): header checksum mismatch (expected \(hex32(stored)), found \(hex32(computed)))")
        }
        let firstLSN = bytes.loadLittleEndian(UInt64.self, at: 16)
        guard firstLSN > 0 else { throw .corruption("write-ahead log \(path): header records first LSN 0") }
        return firstLSN
    }

    /// Appends one encoded record to `buffer`.
    static func encode(lsn: UInt64, type: UInt8, payload: [UInt8], into buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.appendLittleEndian(UInt32(payload.count))
        buffer.appendLittleEndian(UInt32(0))  // crc, filled in below
        buffer.appendLittleEndian(lsn)
        buffer.append(type)
        buffer.append(contentsOf: payload)
        buffer.storeLittleEndian(buffer.crc32c(in: (start + 8)..<buffer.count), at: start + 4)
    }
}
