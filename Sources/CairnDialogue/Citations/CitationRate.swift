/// The share of an answer's sentences that carry at least one citation marker — how much of what the coach
/// said it grounded in a source.
///
/// **Sentences.** The response is split, in Unicode scalars:
/// 1. at every line break (a list item or paragraph is at least its own sentence);
/// 2. after `。` `！` `？` `．` `｡` (Chinese and Japanese end sentences without a following space);
/// 3. after `.` `!` `?` `…` when what follows — after any closing quotes or brackets (`"` `'` `”` `’` `)` `」` `』`
///    `）`) — is whitespace, the end of the text or a citation marker (so `3.14`, `e.g.x` and `x86.64` do not
///    end a sentence; Korean, which spaces its words, ends sentences like English).
///
/// Markers standing right after a sentence's end (`… water. [1]`, `…です。【2】`) belong to that sentence. A
/// piece with no letter or digit outside its markers is not a sentence: its markers go to the sentence
/// before it (a line holding only `[3]`), or to none if there is none.
///
/// **Rate.** `cited sentences / sentences`; a response with no sentence has rate 0.
public struct CitationRate: Sendable, Hashable {
    public var sentences: Int
    public var citedSentences: Int
    /// Every marker found, in order.
    public var markers: [CitationMarker]

    /// `citedSentences / sentences`, 0 when there are no sentences.
    public var rate: Double { sentences == 0 ? 0 : Double(citedSentences) / Double(sentences) }

    /// Measures `response`.
    public init(_ response: String) {
        let s = Array(response.unicodeScalars)
        let markers = CitationMarkers.find(in: s)
        self.markers = markers
        var markerAt: [Int: CitationMarker] = [:]
        for m in markers { markerAt[m.range.lowerBound] = m }

        var sentences: [(hasText: Bool, cited: Bool)] = []
        var hasText = false, cited = false, started = false
        func end() {
            if started {
                if hasText {
                    sentences.append((true, cited))
                } else if cited, !sentences.isEmpty {
                    sentences[sentences.count - 1].cited = true
                }
            }
            hasText = false
            cited = false
            started = false
        }
        var i = 0
        while i < s.count {
            if let m = markerAt[i] {
                cited = true
                started = true
                i = m.range.upperBound
                continue
            }
            let c = s[i]
            if c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}" {
                end()
                i += 1
                continue
            }
            started = true
            if Self.isWordCharacter(c) { hasText = true }
            if Self.cjkEnds.contains(c) || Self.latinEnds.contains(c) {
                var j = i + 1
                while j < s.count, Self.closers.contains(s[j]) || Self.latinEnds.contains(s[j]) || Self.cjkEnds.contains(s[j]) {
                    j += 1
                }
                var k = j
                while k < s.count, s[k] == " " || s[k] == "\t" || s[k] == "\u{3000}" { k += 1 }
                let endsHere = Self.cjkEnds.contains(c) || j == s.count || markerAt[k] != nil
                    || s[j].properties.isWhitespace
                if endsHere {
                    // Markers right after the end belong to this sentence.
                    while let m = markerAt[k] {
                        cited = true
                        k = m.range.upperBound
                        j = k
                        while k < s.count, s[k] == " " || s[k] == "\t" || s[k] == "\u{3000}" { k += 1 }
                    }
                    end()
                    i = j
                    continue
                }
            }
            i += 1
        }
        end()
        self.sentences = sentences.count
        self.citedSentences = sentences.filter(\.cited).count
    }

    static let cjkEnds: Set<Unicode.Scalar> = ["。", "！", "？", "．", "｡"]
    static let latinEnds: Set<Unicode.Scalar> = [".", "!", "?", "…"]
    static let closers: Set<Unicode.Scalar> = ["\"", "'", "”", "’", ")", "」", "』", "）", "》", "〉"]

    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        c.properties.isAlphabetic || c.properties.numericType != nil
    }
}
