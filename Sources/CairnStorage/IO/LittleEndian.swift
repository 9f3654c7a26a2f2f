import CairnVectorMath

// Every Cairn file stores integers little-endian; these helpers keep the byte order explicit at each use.

extension Array where Element == UInt8 {
    /// Appends `value` as little-endian bytes.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Reads a little-endian integer at `offset`; the caller has checked the bounds.
    func loadLittleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        withUnsafeBytes { $0.loadLittleEndian(type, at: offset) }
    }

    /// Stores `value` little-endian at `offset`, which must already exist.
    mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }

    /// CRC32C of the bytes in `range`.
    func crc32c(in range: Range<Int>) -> UInt32 {
        withUnsafeBytes { CairnVectorMath.crc32c(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}

extension UnsafeRawBufferPointer {
    /// Reads a little-endian integer at `offset` (any alignment); the caller has checked the bounds.
    func loadLittleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

/// Formats a checksum the way error messages show it, e.g. `0x0000beef`.
func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// Rounds `value` up to a multiple of `alignment`, a power of two.
func roundUp(_ value: Int64, toMultipleOf alignment: Int64) -> Int64 {
    (value + alignment - 1) & ~(alignment - 1)
}
