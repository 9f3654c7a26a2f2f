import CairnEmbedding

/// How good a place the gap before a unit is to end a chunk, worst to best.
enum BreakLevel: UInt8, Comparable {
    /// Inside a word cut apart because it alone exceeds the chunk size, or before punctuation that closes
    /// the preceding CJK text (`，` `。` `）` …): a chunk ends here only when nothing else fits, and never
    /// starts its overlap here.
    case glued
    /// Between words (or between CJK ideographs, each of which is a word).
    case word
    /// A line break inside running text (hard-wrapped lines, PDF text).
    case line
    /// After a clause mark: `,` `;` `:` and CJK `，` `、` `；` `：`.
    case clause
    /// After `.` `!` `?` `…` `。` `！` `？` (closing quotes and brackets allowed), or a line break before a
    /// list item.
    case sentence
    /// A blank line or a page start.
    case paragraph
    /// A heading starts here: chunks never span it and do not overlap across it.
    case section

    static func < (a: BreakLevel, b: BreakLevel) -> Bool { a.rawValue < b.rawValue }
}

/// The smallest pieces a chunk is built from: runs of scalars between whitespace, with every CJK ideograph
/// a unit of its own.
///
/// The units are chosen so that token counts add up: BERT's tokenizer splits at exactly these places
/// (whitespace in its sense, and around CJK ideographs), so the tokens of a chunk are the sum of its units'
/// tokens and each distinct unit text is counted once. A unit longer than the chunk size is cut at grapheme
/// cluster boundaries into pieces that fit, glued together by ``BreakLevel/glued`` gaps.
struct TextSegmenter {
    struct Unit {
        var start: Int
        var end: Int
        var tokens: Int
        /// The gap between the previous unit and this one.
        var breakBefore: BreakLevel
    }

    let scalars: [Unicode.Scalar]
    let maxTokens: Int
    /// Tokens of a scalar range of ``scalars``.
    let countTokens: (Range<Int>) -> Int

    /// The units of ``scalars`` in order, without units that hold no token (lone control or format characters).
    func units(pageStarts: [Int], headings: [HeadingMark]) -> [Unit] {
        var units: [Unit] = []
        units.reserveCapacity(scalars.count / 5)
        var i = 0
        let n = scalars.count
        var gapLevel = BreakLevel.paragraph
        var newlines = 0
        var spaced = true  // whether whitespace precedes the unit
        var previousEnd = BreakLevel.word  // the gap level the previous unit's last character calls for
        while i < n {
            let s = scalars[i]
            if Self.isSeparator(s) {
                if s == "\n" { newlines += 1 }
                spaced = true
                i += 1
                continue
            }
            // The unit: one CJK ideograph with its combining marks, or a run up to whitespace or an ideograph.
            var end = i + 1
            if Self.isIdeograph(s.value) {
                while end < n, Self.isExtending(scalars[end]) { end += 1 }
            } else {
                while end < n, !Self.isSeparator(scalars[end]), !Self.isIdeograph(scalars[end].value) { end += 1 }
            }
            var start = i
            i = end
            while start < end, Self.isIgnored(scalars[start]) { start += 1 }
            while end > start, Self.isIgnored(scalars[end - 1]) { end -= 1 }
            guard start < end else { continue }

            if newlines >= 2 {
                gapLevel = max(gapLevel, .paragraph)
            } else if newlines == 1 {
                gapLevel = max(gapLevel, startsListItem(at: start) ? .sentence : max(previousEnd, .line))
            } else if !spaced && !Self.isWordCharacter(scalars[start]) && Self.attaching.contains(scalars[start]) {
                gapLevel = .glued  // punctuation right after an ideograph belongs to it
            } else {
                gapLevel = max(gapLevel, previousEnd)
            }
            newlines = 0
            spaced = false
            previousEnd = endLevel(start..<end)

            let tokens = countTokens(start..<end)
            if tokens > maxTokens {
                appendPieces(of: start..<end, breakBefore: gapLevel, to: &units)
            } else if tokens > 0 {
                units.append(Unit(start: start, end: end, tokens: tokens, breakBefore: gapLevel))
            } else {
                continue  // keep the gap level for the next unit
            }
            gapLevel = .word
        }
        markBoundaries(pageStarts, as: .paragraph, in: &units)
        markBoundaries(headings.map(\.offset), as: .section, in: &units)
        return units
    }

    /// Raises the gap before the first unit at or after each offset to `level`.
    private func markBoundaries(_ offsets: [Int], as level: BreakLevel, in units: inout [Unit]) {
        var u = 0
        for offset in offsets.sorted() {
            while u < units.count, units[u].start < offset { u += 1 }
            guard u < units.count else { return }
            units[u].breakBefore = max(units[u].breakBefore, level)
        }
    }

    /// Cuts an over-long unit at grapheme cluster boundaries into the longest pieces that fit `maxTokens`.
    private func appendPieces(of range: Range<Int>, breakBefore: BreakLevel, to units: inout [Unit]) {
        // Scalar offsets of the grapheme cluster boundaries inside the unit.
        var bounds = [range.lowerBound]
        for character in String(String.UnicodeScalarView(scalars[range])) {
            bounds.append(bounds[bounds.count - 1] + character.unicodeScalars.count)
        }
        var level = breakBefore
        var from = 0  // index into bounds
        while from < bounds.count - 1 {
            // Gallop to a piece that is too long (or the end), then bisect for the longest that fits.
            var good = from + 1
            var step = max(maxTokens, 8)
            var bad = bounds.count
            while good < bounds.count - 1 {
                let probe = min(good + step, bounds.count - 1)
                if countTokens(bounds[from]..<bounds[probe]) <= maxTokens {
                    good = probe
                    step *= 2
                } else {
                    bad = probe
                    break
                }
            }
            while bad - good > 1 {
                let mid = (good + bad) / 2
                if countTokens(bounds[from]..<bounds[mid]) <= maxTokens { good = mid } else { bad = mid }
            }
            let piece = bounds[from]..<bounds[good]
            let tokens = countTokens(piece)
            if tokens > 0 {
                units.append(Unit(start: piece.lowerBound, end: piece.upperBound, tokens: tokens, breakBefore: level))
                level = .glued
            }
            from = good
        }
    }

    /// The gap level after a unit: `.sentence` when its last scalar (closing quotes and brackets aside) ends
    /// a sentence, `.clause` after a clause mark, else `.word`.
    private func endLevel(_ range: Range<Int>) -> BreakLevel {
        var k = range.upperBound - 1
        if Self.isWordCharacter(scalars[k]) { return .word }
        while k > range.lowerBound, Self.closers.contains(scalars[k]) { k -= 1 }
        if Self.terminators.contains(scalars[k]) { return .sentence }
        return Self.clauseMarks.contains(scalars[k]) ? .clause : .word
    }

    /// Whether a line starting at `start` is a list item (`-`, `*`, `+`, `•`, `1.`, `1)`) or a Markdown heading.
    private func startsListItem(at start: Int) -> Bool {
        let s = scalars[start]
        if s == "-" || s == "*" || s == "+" || s == "•" || s == "#" || s == "·" || s == "–" { return true }
        var k = start
        while k < scalars.count, k - start < 4, ("0"..."9").contains(scalars[k]) { k += 1 }
        return k > start && k < scalars.count && (scalars[k] == "." || scalars[k] == ")")
    }

    private static let terminators: Set<Unicode.Scalar> = [
        ".", "!", "?", "…", "。", "！", "？", "｡", "．", "‼", "⁇", "⁈", "⁉",
    ]
    private static let clauseMarks: Set<Unicode.Scalar> = [",", ";", ":", "，", "、", "；", "：", "､"]
    /// Punctuation that belongs to the text right before it when no space separates them.
    private static let attaching = closers.union(terminators).union(clauseMarks)
    private static let closers: Set<Unicode.Scalar> = [
        "\"", "'", ")", "]", "}", "”", "’", "»", "›", "」", "』", "）", "】", "〕", "〉", "》", "＂", "＇", "］",
    ]

    /// Whitespace as BERT's tokenizer sees it: `BertScalarClass.isWhitespace` less what its normaliser
    /// removes first (vertical tab, form feed and U+0085 are dropped, not separators: the words around them
    /// join) — spelled out as a closed set to spare a property lookup per scalar; a test checks it against
    /// the tokenizer's own classes for every scalar.
    @inline(__always)
    static func isSeparator(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return v == 0x20 || v == 0x0A || v == 0x09 || v == 0x0D }
        // The non-ASCII White_Space scalars (a closed, stable set) without a property lookup per scalar, less
        // U+0085 NEXT LINE: a control character, which the tokenizer drops before it looks for whitespace.
        switch v {
        case 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// ASCII letters and digits, CJK ideographs and Hangul syllables: a quick "not punctuation, not
    /// ignored, not extending" test before any property lookup.
    @inline(__always)
    static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) }
        return isIdeograph(v) || (0xAC00...0xD7A3).contains(v)
    }

    /// Whether `s` continues the grapheme cluster before it (combining marks, variation selectors).
    @inline(__always)
    static func isExtending(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x300 && !isWordCharacter(s) && s.properties.isGraphemeExtend
    }

    /// Scalars the tokenizer drops (control, format, private use, U+FFFD): trimmed off the edges of units.
    @inline(__always)
    static func isIgnored(_ s: Unicode.Scalar) -> Bool {
        // Word characters are never dropped: skip the property lookup for the common case.
        if s.value >= 0x80 && isWordCharacter(s) { return false }
        return BertScalarClass.isRemoved(s)
    }

    /// The CJK ideographs BERT's tokenizer isolates (the unified ideographs, their extensions and the
    /// compatibility ideographs).
    @inline(__always)
    static func isIdeograph(_ v: UInt32) -> Bool {
        v >= 0x3400 && BertScalarClass.isCJKIdeograph(v)
    }
}
