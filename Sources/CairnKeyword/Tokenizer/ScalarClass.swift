/// What a Unicode scalar is to the tokenizer.
enum ScalarClass: UInt8 {
    /// Space, punctuation or a symbol: ends a term (some join one, see ``KeywordTokenizer``).
    case separator
    /// A letter, digit or combining mark of a script written with spaces.
    case word
    /// Han, Hiragana, Katakana or Hangul: indexed as character bigrams.
    case cjk

    /// ASCII classes by code point (letters and digits are words, everything else separates).
    private static let ascii: [ScalarClass] = (0..<128).map { v in
        switch v {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: .word
        default: .separator
        }
    }

    @inline(__always)
    static func of(_ scalar: Unicode.Scalar) -> ScalarClass {
        let v = scalar.value
        if v < 128 { return ascii[Int(v)] }
        if isCJK(v) { return .cjk }
        let p = scalar.properties
        if p.isAlphabetic { return .word }
        switch p.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark: return .word
        default: return .separator
        }
    }

    /// Han (unified ideographs, extensions, compatibility), kana (incl. half-width, the prolonged sound mark),
    /// Hangul syllables and jamo, and the ideographic iteration mark.
    @inline(__always)
    static func isCJK(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x11FF, 0x3005, 0x3007, 0x3040...0x309F, 0x30A0...0x30FF, 0x3130...0x318F, 0x31F0...0x31FF,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA960...0xA97F, 0xAC00...0xD7AF, 0xD7B0...0xD7FF, 0xF900...0xFAFF,
             0xFF66...0xFF9F, 0xFFA0...0xFFDC, 0x20000...0x2FFFF, 0x30000...0x3134F:
            true
        default:
            false
        }
    }

    /// ASCII or Unicode decimal digit.
    @inline(__always)
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 128 { return v >= 0x30 && v <= 0x39 }
        return scalar.properties.generalCategory == .decimalNumber
    }

    /// A letter (not a digit or mark) of a spaced script.
    @inline(__always)
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 128 { return (v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A }
        return !isCJK(v) && scalar.properties.isAlphabetic
    }
}
