import Foundation

extension KeywordTokenizer {
    /// The folded form of one term (see the type's notes), or nil when nothing is left of it.
    static func normalize(_ scalars: ArraySlice<Unicode.Scalar>) -> String? {
        var ascii = true
        for c in scalars where c.value >= 128 {
            ascii = false
            break
        }
        var term: String
        if ascii {
            // Lower-cased straight into the string's storage (inline for up to 15 bytes: no allocation).
            term = String(unsafeUninitializedCapacity: scalars.count) { buffer in
                var k = 0
                for c in scalars {
                    let v = UInt8(truncatingIfNeeded: c.value)
                    buffer[k] = v >= 0x41 && v <= 0x5A ? v | 0x20 : v
                    k += 1
                }
                return k
            }
        } else {
            var raw = ""
            raw.unicodeScalars.append(contentsOf: scalars)
            term = foldAccents(raw.precomposedStringWithCompatibilityMapping.lowercased())
        }
        // (Scalar comparisons: Foundation's String.contains(String) costs more than the whole tokenizer.)
        if scalars.contains(where: { $0 == "'" || $0 == "\u{2019}" }) {
            if term.hasSuffix("'s") || term.hasSuffix("\u{2019}s") { term.removeLast(2) }
            term.removeAll { $0 == "'" || $0 == "\u{2019}" }
        }
        return term.isEmpty ? nil : term
    }

    /// Drops combining marks that follow a Latin or Greek letter (and the diaeresis of Cyrillic `е`), then
    /// recomposes; `ß` becomes `ss`.
    static func foldAccents(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var base: UInt32 = 0
        for c in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let v = c.value
            if c.properties.generalCategory == .nonspacingMark {
                let latinOrGreek = (0x41...0x24F).contains(base) || (0x1E00...0x1EFF).contains(base)
                    || (0x370...0x3FF).contains(base) || (0x1F00...0x1FFF).contains(base)
                    || (0x2C60...0x2C7F).contains(base) || (0xA720...0xA7FF).contains(base)
                let cyrillicE = (base == 0x435 || base == 0x415) && v == 0x308
                if latinOrGreek || cyrillicE { continue }
                out.append(c)
                continue
            }
            // Only a letter is a base whose marks fold: a mark on `_`, `+` or `×` stays on it.
            base = c.properties.isAlphabetic ? v : 0
            if v == 0xDF {
                out.append("s")
                out.append("s")
            } else {
                out.append(c)
            }
        }
        return String(out).precomposedStringWithCanonicalMapping
    }
}
