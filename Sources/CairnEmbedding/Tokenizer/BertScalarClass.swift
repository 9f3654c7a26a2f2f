/// How BERT's normaliser and pre-tokeniser classify one Unicode scalar.
///
/// These follow the Hugging Face `tokenizers` definitions (`BertNormalizer`, `BertPreTokenizer`), which
/// differ from Swift's own notions in ways that change token ids:
/// - whitespace is the Unicode `White_Space` property plus `\t`, `\n`, `\r`;
/// - "control" is any `Cc`, `Cf` or `Co` scalar except `\t`, `\n`, `\r` (so U+200B ZERO WIDTH SPACE and
///   U+00AD SOFT HYPHEN are dropped, not treated as separators);
/// - punctuation is every ASCII symbol (33–47, 58–64, 91–96, 123–126, including `$`, `+`, `<`, `^`, `|`)
///   plus every Unicode `P*` scalar;
/// - the CJK ranges are the original BERT ones (CJK Unified Ideographs and their extensions, the
///   compatibility ideographs), not Hangul, Hiragana or Katakana.
package enum BertScalarClass {
    /// Whether `byte` (< 0x80) is ASCII punctuation in BERT's sense.
    @inline(__always)
    static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
        (33...47).contains(byte) || (58...64).contains(byte) || (91...96).contains(byte)
            || (123...126).contains(byte)
    }

    /// Whether the normaliser removes `scalar` (NUL, U+FFFD, or a control/format/private-use scalar).
    @inlinable
    package static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            return (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0x7F
        }
        if v == 0xFFFD { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse: return true
        default: return false
        }
    }

    /// Whether `scalar` separates words (the normaliser maps it to a space).
    @inlinable
    package static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return v == 0x20 || v == 0x09 || v == 0x0A || v == 0x0D }
        return scalar.properties.isWhitespace
    }

    /// Whether `scalar` becomes a token of its own in the pre-tokeniser.
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return isASCIIPunctuation(UInt8(v)) }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Whether `value` is a CJK ideograph that the normaliser surrounds with spaces.
    @inlinable
    package static func isCJKIdeograph(_ value: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(value) || (0x3400...0x4DBF).contains(value)
            || (0x20000...0x2A6DF).contains(value) || (0x2A700...0x2B73F).contains(value)
            || (0x2B740...0x2B81F).contains(value) || (0x2B820...0x2CEAF).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0x2F800...0x2FA1F).contains(value)
    }

    /// CJK compatibility ideographs: the CJK scalars with a canonical decomposition (to a unified ideograph).
    @inline(__always)
    static func isCompatibilityIdeograph(_ value: UInt32) -> Bool {
        (0xF900...0xFAFF).contains(value) || (0x2F800...0x2FA1F).contains(value)
    }
}
