/// Finds a citation's quote in the text of the chunk it cites.
///
/// First exactly; then, if that fails, after folding both sides the same way — case folded, runs of whitespace
/// made one space, typographic quotes and dashes made ASCII (`“”„` → `"`, `‘’` → `'`, `–—−` → `-`), and the
/// quote's own surrounding whitespace and quotation marks dropped. Either way the answer is the exact range of
/// the matched text in the chunk, in Unicode scalars, so adding the chunk's `char_start` gives its range in the
/// material's text.
public enum QuoteLocator {
    /// How a quote was found.
    public enum Match: String, Sendable, Hashable {
        case exact
        case normalized
    }

    /// Where `quote` is in `chunk` (scalar offsets into the chunk) and how it was found; nil when it is not there.
    public static func locate(_ quote: String, in chunk: String) -> (range: Range<Int>, match: Match)? {
        let text = Array(chunk.unicodeScalars)
        let needle = Array(quote.unicodeScalars)
        guard !needle.isEmpty else { return nil }
        if let start = search(needle, in: text) { return (start..<(start + needle.count), .exact) }
        let (foldedText, positions) = fold(text)
        var foldedQuote = fold(needle).scalars
        while let first = foldedQuote.first, first == " " || first == "\"" || first == "'" { foldedQuote.removeFirst() }
        while let last = foldedQuote.last, last == " " || last == "\"" || last == "'" { foldedQuote.removeLast() }
        guard !foldedQuote.isEmpty, let start = search(foldedQuote, in: foldedText) else { return nil }
        let end = start + foldedQuote.count - 1
        return (positions[start].lowerBound..<positions[end].upperBound, .normalized)
    }

    /// The first position of `needle` in `haystack`.
    static func search(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var k = 1
                while k < needle.count, haystack[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// `scalars` folded, with the range of original scalars each folded one came from.
    static func fold(_ scalars: [Unicode.Scalar]) -> (scalars: [Unicode.Scalar], positions: [Range<Int>]) {
        var out: [Unicode.Scalar] = []
        var positions: [Range<Int>] = []
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c.properties.isWhitespace {
                var j = i + 1
                while j < scalars.count, scalars[j].properties.isWhitespace { j += 1 }
                out.append(" ")
                positions.append(i..<j)
                i = j
                continue
            }
            let mapped: String
            switch c {
            case "“", "”", "„", "«", "»": mapped = "\""
            case "‘", "’", "‚": mapped = "'"
            case "–", "—", "−", "‐": mapped = "-"
            default: mapped = String(c).lowercased()
            }
            for m in mapped.unicodeScalars {
                out.append(m)
                positions.append(i..<(i + 1))
            }
            i += 1
        }
        return (out, positions)
    }
}
