/// Little-endian fixed-width encoding for index metadata.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func put<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Reads what ``ByteWriter`` wrote; every read is bounds-checked.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func get<T: FixedWidthInteger>(_: T.Type = T.self) throws(IndexError) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else {
            throw .corrupt("index metadata is \(bytes.count) bytes, too short for field at offset \(offset)")
        }
        var v: T = 0
        withUnsafeMutableBytes(of: &v) { dst in
            for i in 0..<size { dst[i] = bytes[offset + i] }
        }
        offset += size
        return T(littleEndian: v)
    }
}
