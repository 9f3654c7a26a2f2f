import Foundation

/// Turns text into search terms, the same way for chunks and questions.
///
/// - **Terms** are runs of letters, digits and combining marks. Everything else separates them, except:
///   `_` and `+` between two word characters join (`x86_64`, `snake_case`, `2x+3`; the parts are emitted
///   too, so `x86` and `2x` still match), `.` between digits joins (`3.14`), an apostrophe between letters
///   joins and is removed (`don't` → `dont`; a final `'s` is dropped: `page's` → `page`), and up to two `+`
///   or one `#` after a letter end a term when no word character follows (`C++`, `g++`, `C#`).
/// - **Normalisation**: NFKC (full-width `Ａ` → `a`, `ﬁ` → `fi`), lower case, `ß` → `ss`, and accents folded
///   on Latin and Greek letters (`café` → `cafe`, `ά` → `α`) and `ё` → `е`; other scripts keep their marks
///   (Cyrillic `й`, Devanagari vowel signs), where dropping them would change the word.
/// - **CJK**: a run of Han, kana or Hangul becomes its overlapping character bigrams (`東京都` → `東京`,
///   `京都`); a run of one character is a term by itself. Spaced Korean words are runs of their own.
/// - **Stop words**: ``EnglishStopWords`` are dropped unless ``TokenizerOptions/englishStopWords`` is off.
///
/// ```swift
/// KeywordTokenizer().terms("Compile C++ for x86_64 — café 東京都")
/// // ["compile", "c++", "x86_64", "x86", "64", "cafe", "東京", "京都"]
/// ```
public struct KeywordTokenizer: Sendable, Hashable {
    public let options: TokenizerOptions

    public init(options: TokenizerOptions = .standard) {
        self.options = options
    }

    /// The terms of `text`, in order (repeated terms repeat).
    public func terms(_ text: String) -> [String] {
        var out: [String] = []
        out.reserveCapacity(text.utf8.count / 5)
        let s = Array(text.unicodeScalars)
        let n = s.count
        var i = 0
        while i < n {
            switch ScalarClass.of(s[i]) {
            case .separator:
                i += 1
            case .cjk:
                var j = i + 1
                while j < n, ScalarClass.of(s[j]) == .cjk { j += 1 }
                emitCJK(s[i..<j], into: &out)
                i = j
            case .word:
                let (end, joined) = wordEnd(s, from: i)
                emitWord(s[i..<end], joined: joined, into: &out)
                i = end
            }
        }
        return out
    }

    /// Where the term starting at `start` ends, and whether `_`/`+` joined parts of it.
    private func wordEnd(_ s: [Unicode.Scalar], from start: Int) -> (Int, Bool) {
        let n = s.count
        var j = start + 1
        var joined = false
        @inline(__always) func word(_ k: Int) -> Bool { k < n && ScalarClass.of(s[k]) == .word }
        while true {
            while word(j) { j += 1 }
            guard j < n, j + 1 < n else { break }
            let d = s[j]
            if (d == "_" || d == "+"), word(j + 1) {
                joined = true
                j += 1
            } else if d == ".", ScalarClass.isDigit(s[j - 1]), ScalarClass.isDigit(s[j + 1]) {
                j += 1
            } else if d == "'" || d == "\u{2019}", ScalarClass.isLetter(s[j - 1]), ScalarClass.isLetter(s[j + 1]) {
                j += 1
            } else {
                break
            }
        }
        guard j < n, ScalarClass.isLetter(s[j - 1]) else { return (j, joined) }
        if s[j] == "+" {
            var k = j
            while k < n, s[k] == "+" { k += 1 }
            if k - j <= 2, !word(k) { return (k, joined) }
        } else if s[j] == "#", !word(j + 1) {
            return (j + 1, joined)
        }
        return (j, joined)
    }

    private func emitWord(_ scalars: ArraySlice<Unicode.Scalar>, joined: Bool, into out: inout [String]) {
        guard let term = Self.normalize(scalars) else { return }
        keep(term, into: &out)
        guard joined else { return }
        let parts = term.split(whereSeparator: { $0 == "_" || $0 == "+" })
        guard parts.count > 1 else { return }
        for part in parts where !part.isEmpty { keep(String(part), into: &out) }
    }

    @inline(__always)
    private func keep(_ term: String, into out: inout [String]) {
        guard term.unicodeScalars.count <= options.maxTermLength else { return }
        if options.englishStopWords, EnglishStopWords.words.contains(term) { return }
        out.append(term)
    }

    private func emitCJK(_ run: ArraySlice<Unicode.Scalar>, into out: inout [String]) {
        var scalars = Array(run)
        if scalars.contains(where: { $0.value >= 0xFF00 }) {
            // Half-width kana and Hangul become their full-width forms.
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            scalars = Array(text.precomposedStringWithCompatibilityMapping.unicodeScalars)
        }
        if scalars.count == 1 {
            out.append(String(Character(scalars[0])))
            return
        }
        for k in 0..<(scalars.count - 1) {
            var term = ""
            term.unicodeScalars.append(scalars[k])
            term.unicodeScalars.append(scalars[k + 1])
            out.append(term)
        }
    }
}
