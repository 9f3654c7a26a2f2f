/// Whether a question has any text to search for.
///
/// A keyword or hybrid search needs a question with text. The service refuses a question of only whitespace
/// wherever one is asked for (`/v1/retrieve`, `/v1/prompt`, `/v1/answer`, vector-store search): embedding it
/// gives a vector that means nothing, and there are no words to match. "Whitespace" is every character some
/// reader of the API document calls that — Unicode's White_Space, the information separators U+001C–U+001F
/// that Python's `str.isspace` adds, and U+FEFF that ECMAScript's `\s` adds — so the document's ``pattern``
/// and the server refuse exactly the same questions in every regex dialect.
public enum QuestionText {
    /// The characters that are not text, as ranges.
    public static let blankRanges: [ClosedRange<Unicode.Scalar>] = [
        "\u{09}"..."\u{0D}", "\u{1C}"..."\u{20}", "\u{85}"..."\u{85}", "\u{A0}"..."\u{A0}", "\u{1680}"..."\u{1680}",
        "\u{2000}"..."\u{200A}", "\u{2028}"..."\u{2029}", "\u{202F}"..."\u{202F}", "\u{205F}"..."\u{205F}",
        "\u{3000}"..."\u{3000}", "\u{FEFF}"..."\u{FEFF}",
    ]

    /// What a question of only whitespace is told, after its field's name.
    public static let blankReason = "has only whitespace; ask a question with words in it"

    /// Whether `scalar` is whitespace in the sense above.
    public static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        blankRanges.contains { $0.contains(scalar) }
    }

    /// Whether `text` has no character but whitespace (the empty text too).
    public static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { isBlank($0) }
    }

    /// A JSON Schema `pattern` that a text matches when it has a character that is not whitespace: one
    /// bracket expression of `\uXXXX` escapes, read alike by ECMAScript, Python's `re` and ICU.
    public static let pattern: String = {
        func escape(_ s: Unicode.Scalar) -> String {
            let hex = String(s.value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        return "[^" + blankRanges.map { r in
            r.lowerBound == r.upperBound ? escape(r.lowerBound) : escape(r.lowerBound) + "-" + escape(r.upperBound)
        }.joined() + "]"
    }()
}
