import CairnSQL
import CairnStorage
import CairnVectorMath
import Foundation

/// One snapshot file: state derived from the store, saved at a clean shutdown so the next start need not
/// derive it again.
///
/// **Layout** (little-endian): the magic `CAIRNSNP`, the format version (u32), the kind (u32), the
/// ``StoreStamp`` (the store id as u32 length + UTF-8, then 4 × i64), the fingerprint of what else the state depends on (u32 length + UTF-8), the
/// body's length (u64) and CRC32C (u32), the CRC32C of the header so far (u32); then the body.
/// **Writing**: a temporary file, fsync, rename over the old one, fsync of the directory — a crash leaves
/// the old file or the new one, never a mix. A snapshot is a cache: a missing, stale or damaged one is
/// derived again from the store.
struct SnapshotFile {
    enum Kind: UInt32, Sendable {
        case chunkCatalog = 1
        case keywordIndex = 2
    }

    static let magic = Array("CAIRNSNP".utf8)
    static let version: UInt32 = 1

    struct Header: Sendable, Equatable {
        var kind: Kind
        var stamp: StoreStamp
        var fingerprint: String
        var bodyLength: UInt64
        var bodyCRC: UInt32
    }

    let path: String
    private let io = SystemFileIO()

    /// Writes `body` durably as this snapshot.
    func write(kind: Kind, stamp: StoreStamp, fingerprint: String, body: [UInt8]) throws(IngestError) {
        var bytes = Self.magic
        bytes.reserveCapacity(64 + fingerprint.utf8.count + body.count)
        bytes.appendLE(Self.version)
        bytes.appendLE(kind.rawValue)
        bytes.appendString(stamp.storeID)
        bytes.appendLE(stamp.generation)
        bytes.appendLE(stamp.chunkGeneration)
        bytes.appendLE(stamp.chunks)
        bytes.appendLE(stamp.maxChunkID)
        bytes.appendLE(UInt32(fingerprint.utf8.count))
        bytes.append(contentsOf: fingerprint.utf8)
        bytes.appendLE(UInt64(body.count))
        bytes.appendLE(body.withUnsafeBytes { crc32c($0) })
        bytes.appendLE(bytes.withUnsafeBytes { crc32c($0) })
        bytes.append(contentsOf: body)
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = path + ".tmp"
        do {
            try io.createDirectory(directory)
            let file = try io.open(temporary, mode: .createOrTruncate)
            do {
                try bytes.withUnsafeBytes { raw in try io.write(file, raw, at: 0) }
                try io.sync(file)
            } catch {
                io.close(file)
                throw error
            }
            io.close(file)
            try io.rename(temporary, to: path)
            try io.syncDirectory(directory)
        } catch {
            try? io.removeIfPresent(temporary)
            throw IngestError(.storage, "writing snapshot \(path): \(error)")
        }
    }

    /// The header alone (to decide whether the body is worth reading), or nil when there is no file.
    /// - Throws: ``IngestError`` `.storage` naming the file when it is not a readable snapshot.
    func header() throws(IngestError) -> Header? {
        try read(body: false)?.header
    }

    /// The header and the checked body, or nil when there is no file.
    /// - Throws: ``IngestError`` `.storage` naming the file and what is wrong with it.
    func read() throws(IngestError) -> (header: Header, body: [UInt8])? {
        try read(body: true)
    }

    /// Removes the file (and a leftover temporary), if present.
    func remove() {
        try? io.removeIfPresent(path)
        try? io.removeIfPresent(path + ".tmp")
    }

    private func read(body wanted: Bool) throws(IngestError) -> (header: Header, body: [UInt8])? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        func damaged(_ why: String) -> IngestError { IngestError(.storage, "snapshot \(path) is damaged: \(why)") }
        do {
            let file = try io.open(path, mode: .readOnly)
            defer { io.close(file) }
            let size = Int(try io.size(of: file))
            let fixed = Self.magic.count + 4 + 4 + 4 + 32 + 4 + 8 + 4 + 4
            guard size >= fixed else { throw damaged("\(size) bytes is shorter than a header") }
            var head = [UInt8](repeating: 0, count: min(size, 64 * 1024))
            try head.withUnsafeMutableBytes { raw in try io.read(file, into: raw, at: 0) }
            guard Array(head[0..<Self.magic.count]) == Self.magic else { throw damaged("not a Cairn snapshot") }
            var r = ByteReader(head, from: Self.magic.count)
            let version: UInt32 = try r.integer()
            guard version == Self.version else {
                throw damaged("format version \(version); this build reads \(Self.version)")
            }
            let rawKind: UInt32 = try r.integer()
            guard let kind = Kind(rawValue: rawKind) else { throw damaged("unknown kind \(rawKind)") }
            let stamp = StoreStamp(storeID: try r.string(), generation: try r.integer(),
                                   chunkGeneration: try r.integer(), chunks: try r.integer(), maxChunkID: try r.integer())
            let fingerprint = try r.string()
            let bodyLength: UInt64 = try r.integer()
            let bodyCRC: UInt32 = try r.integer()
            let headerEnd = r.offset
            let headerCRC: UInt32 = try r.integer()
            guard head.withUnsafeBytes({ crc32c(UnsafeRawBufferPointer(rebasing: $0[0..<headerEnd])) }) == headerCRC else {
                throw damaged("header checksum mismatch")
            }
            let header = Header(kind: kind, stamp: stamp, fingerprint: fingerprint, bodyLength: bodyLength, bodyCRC: bodyCRC)
            guard bodyLength == UInt64(size - r.offset) else {
                throw damaged("\(size) bytes, but the header says a body of \(bodyLength) after \(r.offset)")
            }
            guard wanted else { return (header, []) }
            var body = [UInt8](repeating: 0, count: Int(bodyLength))
            let bodyOffset = Int64(r.offset)
            try body.withUnsafeMutableBytes { raw in try io.read(file, into: raw, at: bodyOffset) }
            guard body.withUnsafeBytes({ crc32c($0) }) == bodyCRC else { throw damaged("body checksum mismatch") }
            return (header, body)
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError(.storage, "reading snapshot \(path): \(error)")
        }
    }
}

// MARK: - Bytes

extension Array where Element == UInt8 {
    /// Appends `value` little-endian.
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends a count (u64) and the elements' bytes (the machine's order: every supported CPU is
    /// little-endian, which ``SnapshotFile`` states).
    mutating func appendArray<T: BitwiseCopyable>(_ values: [T]) {
        appendLE(UInt64(values.count))
        values.withUnsafeBytes { append(contentsOf: $0) }
    }

    /// Appends a string (u32 length + UTF-8), or u32.max for nil.
    mutating func appendString(_ value: String?) {
        guard let value else { return appendLE(UInt32.max) }
        appendLE(UInt32(value.utf8.count))
        append(contentsOf: value.utf8)
    }
}

/// Reads what the `append…` helpers wrote, checking every length against the bytes there are.
struct ByteReader {
    struct Overrun: Error, CustomStringConvertible {
        let offset: Int
        var description: String { "truncated at byte \(offset)" }
    }

    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], from offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var atEnd: Bool { offset == bytes.count }

    mutating func integer<T: FixedWidthInteger>() throws(Overrun) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw Overrun(offset: offset) }
        let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        offset += size
        return value
    }

    mutating func array<T: BitwiseCopyable>(of type: T.Type = T.self) throws(Overrun) -> [T] {
        let count: UInt64 = try integer()
        let stride = MemoryLayout<T>.stride
        guard count <= UInt64(bytes.count - offset) / UInt64(max(stride, 1)) else { throw Overrun(offset: offset) }
        let n = Int(count)
        let start = offset
        let out = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: raw[start..<start + n * stride]))
            }
            initialized = n
        }
        offset += n * stride
        return out
    }

    mutating func string() throws(Overrun) -> String {
        guard let value = try optionalString() else { throw Overrun(offset: offset) }
        return value
    }

    mutating func optionalString() throws(Overrun) -> String? {
        let length: UInt32 = try integer()
        if length == .max { return nil }
        guard Int(length) <= bytes.count - offset else { throw Overrun(offset: offset) }
        let value = String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
        offset += Int(length)
        return value
    }
}
