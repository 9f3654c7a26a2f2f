@testable import CairnDialogue
import Testing

@Suite("Citation markers and the citation rate")
struct CitationRateTests {
    @Test("markers: single, lists, ranges, adjacent and full-width; not brackets that are not markers")
    func markers() {
        #expect(CitationMarkers.find(in: "a [2] b").map(\.numbers) == [[2]])
        #expect(CitationMarkers.find(in: "a [1, 3] b [2-4] c").map(\.numbers) == [[1, 3], [2, 3, 4]])
        #expect(CitationMarkers.find(in: "x[1][2]").map(\.numbers) == [[1], [2]])
        #expect(CitationMarkers.find(in: "物質［1］と【2，3】、［4–5］").map(\.numbers) == [[1], [2, 3], [4, 5]])
        #expect(CitationMarkers.find(in: "array[i] [0] [1234] [a] [1-] [3-1] [] [2").isEmpty)
        #expect(CitationMarkers.numbers(in: "[2] then [1, 2] then [3]") == [2, 1, 3])
        let m = CitationMarkers.find(in: "éa [12] z")
        #expect(m.first?.range == 3..<7)
    }

    @Test("English: sentences, markers after the full stop, decimals and abbreviations inside sentences")
    func english() {
        let r = CitationRate("Osmosis moves water across a membrane [1]. It needs no energy. [2] The value is 3.14 here! Why?")
        #expect(r.sentences == 4)
        #expect(r.citedSentences == 2)
        #expect(r.rate == 0.5)
        let lines = CitationRate("Key points:\n- Water moves to higher solute concentration [1]\n- Cells can burst\n[2]\n")
        #expect(lines.sentences == 3)
        #expect(lines.citedSentences == 2)  // the lone "[2]" line belongs to the line before it
        let quoted = CitationRate("He said \"stop.\" [3] Then he left.")
        #expect(quoted.sentences == 2)
        #expect(quoted.citedSentences == 1)
    }

    @Test("Korean (spaced, Latin punctuation), Chinese and Japanese (。！？ without spaces)")
    func cjk() {
        let ko = CitationRate("삼투는 물이 막을 통과하는 현상입니다 [1]. 에너지가 필요하지 않습니다. 세포가 터질 수 있나요? [2]")
        #expect(ko.sentences == 3)
        #expect(ko.citedSentences == 2)
        let zh = CitationRate("渗透是水穿过半透膜的过程【1】。它不需要能量。细胞会破裂吗？［2］植物细胞有细胞壁。")
        #expect(zh.sentences == 4)
        #expect(zh.citedSentences == 2)
        let ja = CitationRate("浸透は水が膜を通る現象です。[1]エネルギーは不要です！")
        #expect(ja.sentences == 2)
        #expect(ja.citedSentences == 1)
        #expect(ja.rate == 0.5)
    }

    @Test("no sentence: rate 0; everything cited: rate 1")
    func edges() {
        #expect(CitationRate("").rate == 0)
        #expect(CitationRate("  \n [1] ").sentences == 0)
        #expect(CitationRate("One [1]. Two [2]. Three [3].").rate == 1)
    }
}

@Suite("Quotes located in the cited chunk")
struct QuoteLocatorTests {
    @Test("exact, normalised (case, whitespace, typographic quotes and dashes) and absent")
    func locate() {
        let chunk = "Osmosis is the movement of water — across a  semi-permeable membrane. “Turgor” keeps cells firm."
        let exact = QuoteLocator.locate("movement of water", in: chunk)
        #expect(exact?.match == .exact)
        #expect(exact?.range == 15..<32)
        let folded = QuoteLocator.locate("WATER - across a semi-permeable", in: chunk)
        #expect(folded?.match == .normalized)
        let scalars = Array(chunk.unicodeScalars)
        let range = folded!.range
        #expect(String(String.UnicodeScalarView(scalars[range])) == "water — across a  semi-permeable")
        let quoted = QuoteLocator.locate("\"turgor\" keeps", in: chunk)
        #expect(quoted.map { String(String.UnicodeScalarView(scalars[$0.range])) } == "Turgor” keeps")  // the quote's own leading quotation mark is dropped
        #expect(QuoteLocator.locate("osmosis needs energy", in: chunk) == nil)
        #expect(QuoteLocator.locate("", in: chunk) == nil)
    }

    @Test("offsets count Unicode scalars in multi-byte text")
    func multibyte() {
        let chunk = "세포막은 반투과성입니다. 물은 농도가 높은 쪽으로 이동합니다."
        let found = QuoteLocator.locate("물은 농도가", in: chunk)
        #expect(found?.range == 14..<20)
    }
}
