internal import CCairnKernels

/// SHA-256 (FIPS 180-4) digests, computed by the C kernel `cairn_sha256`.
///
/// Used for embedding-cache keys and content digests of materials.
///
/// ```swift
/// SHA256.hex(SHA256.hash(Array("abc".utf8)))
/// // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
public enum SHA256 {
    /// Bytes in a digest.
    public static let digestLength = 32

    /// The digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The digest of the bytes in `buffer`.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: digestLength) { digest, count in
            cairn_sha256(buffer.baseAddress, buffer.count, digest.baseAddress)
            count = digestLength
        }
    }

    /// The digest of `text`'s UTF-8 bytes.
    public static func hash(utf8 text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// Lower-case hexadecimal of `bytes` (64 characters for a digest).
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The lower-case hexadecimal digest of `bytes`.
    public static func hexHash(_ bytes: [UInt8]) -> String {
        hex(hash(bytes))
    }

    /// The lower-case hexadecimal digest of `text`'s UTF-8 bytes.
    public static func hexHash(utf8 text: String) -> String {
        hex(hash(utf8: text))
    }
}
