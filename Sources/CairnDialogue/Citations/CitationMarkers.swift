/// Citation markers in an answer: `[2]`, `[1, 3]`, `[1-3]`, `[1][2]`, and the full-width forms CJK answers use
/// (`［2］`, `【2】`, separators `，`, `、`, `–`).
///
/// A marker is an opening bracket, one to three digits, optionally more numbers after `,` `，` `、` (a list) or
/// `-` `–` (a range, at most 50 numbers), and the matching closing bracket. Numbers start at 1.
public struct CitationMarker: Sendable, Hashable {
    /// Where the marker is in the text, in Unicode scalars.
    public var range: Range<Int>
    /// The context numbers it names, in order, without repeats.
    public var numbers: [Int]
}

public enum CitationMarkers {
    /// Every marker in `scalars`, in order.
    public static func find(in scalars: [Unicode.Scalar]) -> [CitationMarker] {
        var out: [CitationMarker] = []
        var i = 0
        while i < scalars.count {
            if let close = closing(scalars[i]), let marker = parse(scalars, from: i, close: close) {
                out.append(marker)
                i = marker.range.upperBound
            } else {
                i += 1
            }
        }
        return out
    }

    /// Every marker in `text`.
    public static func find(in text: String) -> [CitationMarker] { find(in: Array(text.unicodeScalars)) }

    /// The context numbers `text` cites, in order of first use.
    public static func numbers(in text: String) -> [Int] {
        var seen = Set<Int>()
        return find(in: text).flatMap(\.numbers).filter { seen.insert($0).inserted }
    }

    static func closing(_ s: Unicode.Scalar) -> Unicode.Scalar? {
        switch s {
        case "[": "]"
        case "［": "］"
        case "【": "】"
        default: nil
        }
    }

    private static func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\u{3000}" }

    private static func parse(_ s: [Unicode.Scalar], from start: Int, close: Unicode.Scalar) -> CitationMarker? {
        var i = start + 1
        var numbers: [Int] = []
        var rangeFrom: Int? = nil
        func skipSpaces() { while i < s.count, isSpace(s[i]) { i += 1 } }
        func number() -> Int? {
            var value = 0, digits = 0
            while i < s.count, let d = asciiDigit(s[i]), digits < 3 {
                value = value * 10 + d
                digits += 1
                i += 1
            }
            if i < s.count, asciiDigit(s[i]) != nil { return nil }
            return digits > 0 && value > 0 ? value : nil
        }
        while true {
            skipSpaces()
            guard let n = number() else { return nil }
            if let from = rangeFrom {
                guard n > from, n - from < 50 else { return nil }
                numbers.append(contentsOf: (from + 1)...n)
                rangeFrom = nil
            } else {
                numbers.append(n)
            }
            skipSpaces()
            guard i < s.count else { return nil }
            let c = s[i]
            if c == close {
                var seen = Set<Int>()
                return CitationMarker(range: start..<(i + 1), numbers: numbers.filter { seen.insert($0).inserted })
            }
            switch c {
            case ",", "，", "、": rangeFrom = nil
            case "-", "–": rangeFrom = n
            default: return nil
            }
            i += 1
        }
    }

    private static func asciiDigit(_ s: Unicode.Scalar) -> Int? {
        s.value >= 48 && s.value <= 57 ? Int(s.value - 48) : nil
    }
}
