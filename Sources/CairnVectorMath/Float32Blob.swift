/// Vectors as little-endian float32 bytes: how the embedding cache and the material store keep embeddings
/// in SQLite blobs (and what a pgvector mirror reads back).
public enum Float32Blob {
    /// `vector` as little-endian float32 bytes.
    public static func encode(_ vector: [Float]) -> [UInt8] {
        #if _endian(big)
            return vector.flatMap { value -> [UInt8] in
                withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
            }
        #else
            return vector.withUnsafeBytes { Array($0) }
        #endif
    }

    /// The first `dimension` little-endian floats of `bytes` (all of them when nil).
    public static func decode(_ bytes: [UInt8], dimension: Int? = nil) -> [Float] {
        let count = min(dimension ?? bytes.count / 4, bytes.count / 4)
        return [Float](unsafeUninitializedCapacity: count) { floats, initialized in
            bytes.withUnsafeBytes { raw in
                for index in 0..<count {
                    let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                    floats[index] = Float(bitPattern: bits)
                }
            }
            initialized = count
        }
    }
}
