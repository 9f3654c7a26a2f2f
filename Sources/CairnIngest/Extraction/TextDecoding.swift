/// Turns a file's bytes into the text Cairn extracts from.
///
/// Accepted encodings: UTF-8 (a leading byte-order mark is dropped) and UTF-16 little- or big-endian with
/// its byte-order mark. Line endings are normalised (`\r\n` and a lone `\r` become `\n`), so **every offset
/// Cairn records — chunk `char_start`/`char_end`, page starts, heading marks — counts Unicode scalars of the
/// normalised text**, not of the uploaded bytes. The text is deliberately *not* Unicode-normalised (no NFC or
/// NFD): combining accents and compatibility characters stay as the author wrote them.
///
/// ```swift
/// let text = try TextDecoding.decode(Array("a\r\nb".utf8), name: "notes.txt")  // "a\nb"
/// ```
public enum TextDecoding {
    /// Decodes `bytes` as UTF-8 (BOM optional) or BOM-marked UTF-16 and normalises line endings.
    ///
    /// - Parameters:
    ///   - bytes: The whole file.
    ///   - name: The file's name, used in error messages.
    /// - Throws: ``IngestError`` `.malformed` when the bytes are not valid text in that encoding, e.g.
    ///   `"scan.txt: not UTF-8 text (byte offset 1042)"`.
    public static func decode(_ bytes: [UInt8], name: String) throws(IngestError) -> String {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let text = try decodeUTF16(bytes, bigEndian: bytes[0] == 0xFE, name: name)
            guard !text.utf8.contains(0) else {
                throw IngestError(.malformed, "\(name): holds a NUL character (U+0000), so it is not text")
            }
            return text
        }
        let body = droppingUTF8BOM(bytes[...])
        if let offset = firstInvalidUTF8Offset(body) {
            throw IngestError(.malformed, "\(name): not UTF-8 text (byte offset \(offset))")
        }
        // U+0000 is no character of a text (and PostgreSQL's text, where the mirror copies it, cannot hold it).
        if let offset = body.firstIndex(of: 0) {
            throw IngestError(.malformed, "\(name): holds a NUL byte (byte offset \(offset)), so it is not text")
        }
        return String(decoding: normalizedLineEndings(body), as: UTF8.self)
    }

    /// `bytes` without a leading UTF-8 byte-order mark.
    static func droppingUTF8BOM(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes
    }

    /// `text` trimmed, with every run of whitespace (line breaks included) turned into one space.
    static func collapsingWhitespace(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// `text` with `\r\n` and lone `\r` turned into `\n` (for text that did not come through ``decode(_:name:)``,
    /// such as a JSON field or a tool's output).
    public static func normalizingLineEndings(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        return String(decoding: normalizedLineEndings(Array(text.utf8)[...]), as: UTF8.self)
    }

    /// The index (in `bytes`' own indices, so a file offset when `bytes` slices the whole file) of the first
    /// byte that does not start or continue a valid UTF-8 scalar, or nil when all of `bytes` is valid.
    /// Overlong forms, surrogates, values past U+10FFFF and a scalar cut off at the end are invalid.
    static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int? {
        var i = bytes.startIndex
        let n = bytes.endIndex
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
            switch b0 {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            guard i + length <= n, (low...high).contains(bytes[i + 1]) else { return i }
            for k in 2..<max(length, 2) where bytes[i + k] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }

    /// Whether `tail` (which starts at an invalid offset) is only the beginning of a multi-byte scalar.
    static func isTruncatedScalar(_ tail: ArraySlice<UInt8>) -> Bool {
        guard let lead = tail.first, (0xC2...0xF4).contains(lead) else { return false }
        let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        return tail.count < length && tail.dropFirst().allSatisfy { $0 & 0xC0 == 0x80 }
    }

    private static func normalizedLineEndings(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var previousWasCR = false
        for b in bytes {
            if b == 0x0D {
                out.append(0x0A)
                previousWasCR = true
                continue
            }
            if !(b == 0x0A && previousWasCR) { out.append(b) }
            previousWasCR = false
        }
        return out
    }

    private static func decodeUTF16(_ bytes: [UInt8], bigEndian: Bool, name: String) throws(IngestError) -> String {
        guard bytes.count % 2 == 0 else {
            throw IngestError(.malformed, "\(name): not UTF-16 text (odd number of bytes)")
        }
        var scalars = String.UnicodeScalarView()
        var i = 2
        func unit(_ at: Int) -> UInt16 {
            bigEndian ? UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]) : UInt16(bytes[at + 1]) << 8 | UInt16(bytes[at])
        }
        var previousWasCR = false
        while i < bytes.count {
            let u = unit(i)
            var value = UInt32(u)
            let offset = i
            i += 2
            if (0xD800...0xDBFF).contains(u) {
                guard i < bytes.count, case let low = unit(i), (0xDC00...0xDFFF).contains(low) else {
                    throw IngestError(.malformed, "\(name): not UTF-16 text (byte offset \(offset))")
                }
                value = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                i += 2
            } else if (0xDC00...0xDFFF).contains(u) {
                throw IngestError(.malformed, "\(name): not UTF-16 text (byte offset \(offset))")
            }
            if value == 0x0D {
                scalars.append("\n")
                previousWasCR = true
                continue
            }
            if !(value == 0x0A && previousWasCR) { scalars.append(Unicode.Scalar(value)!) }
            previousWasCR = false
        }
        return String(scalars)
    }
}
