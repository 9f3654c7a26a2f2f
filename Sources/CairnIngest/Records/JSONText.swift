import Foundation

/// Reads JSON without losing a string's leading U+FEFF.
///
/// Foundation's `JSONSerialization` on Linux drops a byte-order mark written as raw UTF-8 at the start of
/// every string value (`"\u{FEFF}x"` reads as `"x"`), and writes one raw itself, so a field that begins with
/// one would change on its way in, and a stored list would change on its way back. A raw BOM can only stand
/// inside a string in valid JSON, so writing each one as the escape `\ufeff` means the same text and reads
/// back whole. One that follows an unpaired backslash is left as it is, so invalid JSON stays invalid (a
/// parse error's character position past a BOM counts it as six). A BOM before the document itself is the
/// document's, and dropped. (`JSONDecoder` keeps the character; it needs none of this.)
public enum JSONText {
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The JSON value of `bytes` (`JSONSerialization`'s types), every string whole.
    public static func value(_ bytes: ArraySlice<UInt8>, fragmentsAllowed: Bool = true) throws -> Any {
        let body = TextDecoding.droppingUTF8BOM(bytes)
        let data = body.firstRange(of: bom) == nil ? Data(body) : Data(escapingBOMs(body))
        return try JSONSerialization.jsonObject(with: data, options: fragmentsAllowed ? [.fragmentsAllowed] : [])
    }

    /// The JSON value of `bytes`, every string whole.
    public static func value(_ bytes: [UInt8], fragmentsAllowed: Bool = true) throws -> Any {
        try value(bytes[...], fragmentsAllowed: fragmentsAllowed)
    }

    /// The JSON value of `text`, or nil when it is not JSON.
    public static func value(_ text: String) -> Any? {
        try? value(Array(text.utf8))
    }

    /// `bytes` with every raw UTF-8 BOM (EF BB BF) written as the six bytes `\ufeff`, except one after an
    /// unpaired backslash (where the escape would be read as a backslash and text, not as an error).
    static func escapingBOMs(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var backslashes = 0
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0xEF, i + 2 < bytes.endIndex, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF,
               backslashes % 2 == 0 {
                out.append(contentsOf: #"\ufeff"#.utf8)
                backslashes = 0
                i += 3
                continue
            }
            backslashes = bytes[i] == UInt8(ascii: "\\") ? backslashes + 1 : 0
            out.append(bytes[i])
            i += 1
        }
        return out
    }
}
