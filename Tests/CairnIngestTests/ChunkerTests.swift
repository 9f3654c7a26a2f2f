import CairnEmbedding
import CairnIngest
import Testing
import TestSupport

/// The chunker with the real all-MiniLM-L6-v2 tokenizer: the offset and size invariants on every chunk of
/// every fixture, boundaries, overlap, pages and headings.
@Suite struct ChunkerTests {
    let tokenizer: WordPieceTokenizer

    init() throws {
        tokenizer = try WordPieceTokenizer(modelDirectory: try ModelFiles.requireMiniLMDirectory())
    }

    func chunker(_ maxTokens: Int = 200, _ overlapTokens: Int = 40) -> Chunker {
        let tokenizer = tokenizer
        return Chunker(options: ChunkingOptions(maxTokens: maxTokens, overlapTokens: overlapTokens),
                       countTokens: { tokenizer.tokenCount($0) })
    }

    /// Checks every invariant of `chunks` cut from `document`, and returns them.
    @discardableResult
    func checked(_ document: ExtractedText, _ maxTokens: Int = 200, _ overlapTokens: Int = 40,
                 sourceLocation: SourceLocation = #_sourceLocation) -> [Chunk] {
        let chunks = chunker(maxTokens, overlapTokens).chunks(of: document)
        let scalars = Array(document.text.unicodeScalars)
        func slice(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
        func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }
        func isBlank(_ s: Unicode.Scalar) -> Bool {
            isSpace(s) || [.control, .format].contains(s.properties.generalCategory)
        }
        for (i, chunk) in chunks.enumerated() {
            #expect(chunk.index == i, sourceLocation: sourceLocation)
            #expect(chunk.charStart < chunk.charEnd && chunk.charEnd <= scalars.count, sourceLocation: sourceLocation)
            #expect(chunk.content == slice(chunk.charStart..<chunk.charEnd), "chunk \(i)", sourceLocation: sourceLocation)
            #expect(!isSpace(chunk.content.unicodeScalars.first!) && !isSpace(chunk.content.unicodeScalars.last!),
                    "chunk \(i) \(chunk.content.debugDescription)", sourceLocation: sourceLocation)
            let tokens = tokenizer.tokenCount(chunk.content)
            #expect(chunk.tokenCount == tokens, "chunk \(i)", sourceLocation: sourceLocation)
            #expect(tokens <= maxTokens && tokens > 0, "chunk \(i): \(tokens) tokens", sourceLocation: sourceLocation)
            #expect(chunk.contentHash == SHA256.hexHash(utf8: chunk.content), sourceLocation: sourceLocation)
            #expect(chunk.pageEnd == nil || chunk.pageEnd! > chunk.pageNumber!, sourceLocation: sourceLocation)
            if i > 0 {
                let previous = chunks[i - 1]
                #expect(chunk.charStart > previous.charStart && chunk.charEnd > previous.charEnd, sourceLocation: sourceLocation)
                if chunk.charStart < previous.charEnd {
                    let overlap = tokenizer.tokenCount(slice(chunk.charStart..<previous.charEnd))
                    #expect(overlap <= overlapTokens, "overlap of chunk \(i): \(overlap)", sourceLocation: sourceLocation)
                } else {
                    // Nothing but whitespace (and characters the tokenizer drops) is left out between chunks.
                    #expect(scalars[previous.charEnd..<chunk.charStart].allSatisfy(isBlank), sourceLocation: sourceLocation)
                }
            }
        }
        let first = chunks.first?.charStart ?? scalars.count, last = chunks.last?.charEnd ?? 0
        #expect(scalars[..<first].allSatisfy(isBlank) && scalars[last...].allSatisfy(isBlank), sourceLocation: sourceLocation)
        return chunks
    }

    static let english = """
        Photosynthesis is the process by which green plants turn light into chemical energy. It takes place \
        in the chloroplasts, which hold the pigment chlorophyll. Chlorophyll absorbs red and blue light and \
        reflects green light, which is why leaves look green!

        The light-dependent reactions happen in the thylakoid membranes. Water is split, oxygen is released, \
        and the energy carriers ATP and NADPH are made. Isn't it remarkable that the oxygen we breathe comes \
        from water?

        The Calvin cycle uses ATP and NADPH to fix carbon dioxide into sugars. It runs in the stroma and \
        does not need light directly. Its key enzyme, RuBisCO, is probably the most abundant protein on Earth.
        """

    static let korean = """
        광합성은 식물이 빛 에너지를 화학 에너지로 바꾸는 과정이다. 이 과정은 엽록체에서 일어나며, 엽록소가 빛을 흡수한다. \
        명반응에서는 물이 분해되어 산소가 방출된다! 암반응에서는 이산화탄소가 당으로 고정된다. 한국어 문장은 띄어쓰기로 \
        단어를 구분하지만, 토크나이저는 한글 음절을 여러 조각으로 나눈다. 그렇다면 한 청크에는 몇 개의 문장이 들어갈까?
        """

    static let simplified = "光合作用是绿色植物利用光能把二氧化碳和水转化为有机物的过程。这个过程主要在叶绿体中进行，"
        + "叶绿素吸收红光和蓝光！光反应在类囊体膜上发生，水被分解并释放氧气。暗反应在叶绿体基质中进行，"
        + "二氧化碳被固定为糖类。我们每天呼吸的氧气，其实来自水的分解？这就是为什么植物对地球上的生命如此重要。"

    static let traditional = "光合作用是綠色植物利用光能把二氧化碳和水轉化為有機物的過程。這個過程主要在葉綠體中進行，"
        + "葉綠素吸收紅光和藍光！光反應在類囊體膜上發生，水被分解並釋放氧氣。暗反應在葉綠體基質中進行，"
        + "二氧化碳被固定為糖類。我們每天呼吸的氧氣，其實來自水的分解？這就是為什麼植物對地球上的生命如此重要。"

    static let mixed = """
        Café crème 🙂 and naïve re\u{301}sume\u{301}s: combining accents (e\u{301}\u{302}) stay separate scalars. \
        Families 👩‍👩‍👧‍👦 and flags 🇰🇷🇯🇵 are multi-scalar graphemes; so is ❤️ with its selector. \
        数学 and 한국어 sit beside English… Zero\u{200B}width and soft\u{AD}hyphen characters vanish for the \
        tokenizer, and a tab\tor a no-break\u{A0}space separates words. 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters too.
        """

    @Test func invariantsOnEveryFixture() {
        let texts = [Self.english, Self.korean, Self.simplified, Self.traditional, Self.mixed]
        for text in texts {
            for (maxTokens, overlap) in [(200, 40), (40, 8), (16, 0), (8, 3)] {
                let chunks = checked(ExtractedText(text: text), maxTokens, overlap)
                #expect(!chunks.isEmpty)
            }
            // Leading and trailing whitespace never reach a chunk.
            checked(ExtractedText(text: "\n\n  \t" + text + " \n\u{3000}"), 30, 6)
        }
    }

    @Test func emptyAndBlankTextsGiveNoChunks() {
        for text in ["", " ", "\n\n\t \u{3000}\u{A0}", "\u{200B}\u{FEFF}", "\u{0C}\u{0B}"] {
            #expect(chunker().chunks(of: ExtractedText(text: text)).isEmpty, "\(text.debugDescription)")
        }
        let one = checked(ExtractedText(text: "  Hello!\n"))
        #expect(one.map(\.content) == ["Hello!"])
        #expect(one.map(\.charStart) == [2])
        // Scalars the tokenizer drops (form feed, vertical tab, zero-width space) join their neighbours and
        // are trimmed off chunk edges; so is NEXT LINE, a control character. LINE SEPARATOR separates words.
        let odd = checked(ExtractedText(text: "\u{0C}\u{200B}start alpha\u{0C}beta gamma\u{85}delta\u{2028}eps\u{0B}ilon end\u{200B}"), 8, 2)
        #expect(odd.first?.content.hasPrefix("start") == true)
        #expect(odd.last?.content.hasSuffix("end") == true)
    }

    @Test func shortTextIsOneChunk() {
        let chunks = checked(ExtractedText(text: Self.english))
        #expect(chunks.count == 1)
        #expect(chunks[0].pageNumber == nil && chunks[0].pageEnd == nil && chunks[0].headingPath.isEmpty)
    }

    @Test func chunksEndAtSentenceEndsWhenPossible() {
        let chunks = checked(ExtractedText(text: Self.english), 60, 12)
        #expect(chunks.count >= 3)
        for chunk in chunks {
            #expect([".", "!", "?"].contains(chunk.content.unicodeScalars.last!), "\(chunk.content)")
        }
        for text in [Self.simplified, Self.traditional] {
            let cjk = checked(ExtractedText(text: text), 40, 8)
            #expect(cjk.count >= 3)
            for chunk in cjk.dropLast() {
                #expect(["。", "！", "？", "，"].contains(chunk.content.unicodeScalars.last!), "\(chunk.content)")
            }
            // Punctuation stays with the ideograph before it: no chunk starts with it.
            for chunk in checked(ExtractedText(text: text), 12, 5) {
                #expect(!["。", "！", "？", "，"].contains(chunk.content.unicodeScalars.first!), "\(chunk.content)")
            }
        }
        let korean = checked(ExtractedText(text: Self.korean), 100, 20)
        #expect(korean.count >= 2)
        for chunk in korean.dropLast() {
            #expect([".", "!", "?"].contains(chunk.content.unicodeScalars.last!), "\(chunk.content)")
        }
    }

    @Test func paragraphsArePreferred() {
        // Two paragraphs that fit one chunk each: the first chunk ends at the blank line, not mid-paragraph.
        let chunks = checked(ExtractedText(text: Self.english), 120, 0)
        #expect(chunks.count >= 2)
        #expect(chunks[0].content.hasSuffix("why leaves look green!")
            || chunks[0].content.hasSuffix("comes from water?"), "\(chunks[0].content)")
    }

    @Test func consecutiveChunksOverlapByWholeSentencesOrWords() {
        let text = (1...12).map { "Sentence number \($0) is short." }.joined(separator: " ")
        let chunks = checked(ExtractedText(text: text), 30, 10)
        #expect(chunks.count >= 3)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            #expect(next.charStart < previous.charEnd, "no overlap: \(previous.content) / \(next.content)")
            // The repeated part is whole sentences: it starts a sentence.
            #expect(next.content.hasPrefix("Sentence number"), "\(next.content)")
        }
        // Without overlap, chunks meet edge to edge.
        for (previous, next) in zip(checked(ExtractedText(text: text), 30, 0), checked(ExtractedText(text: text), 30, 0).dropFirst()) {
            #expect(next.charStart > previous.charEnd)
        }
        // A run-on sentence longer than the overlap: the overlap falls back to whole words.
        let runOn = (1...60).map { "word\($0)" }.joined(separator: " ")
        let long = checked(ExtractedText(text: runOn), 24, 6)
        for (previous, next) in zip(long, long.dropFirst()) {
            #expect(next.charStart < previous.charEnd)
        }
    }

    @Test func overlongWordsAreCutBetweenCharacters() {
        let url = "https://example.com/" + (1...150).map { "segment\($0)" }.joined(separator: "/")
        let chunks = checked(ExtractedText(text: "See \(url) for details."), 40, 10)
        #expect(chunks.count > 3)
        #expect(chunks.map(\.content).joined().contains("segment150"))
        // Emoji graphemes are never split, even in a cut word.
        let emoji = String(repeating: "👩‍👩‍👧‍👦.", count: 120)
        for chunk in checked(ExtractedText(text: emoji), 16, 4) {
            #expect(chunk.content.unicodeScalars.first == "👩" && chunk.content.hasSuffix("."), "\(chunk.content)")
        }
        // A long run of kana without spaces is one word; its pieces still fit.
        checked(ExtractedText(text: String(repeating: "ひらがなカタカナ、", count: 40)), 20, 4)
    }

    @Test func pagesAndHeadings() {
        let page1 = "# Biology\n\n## Cells\n\n" + Self.english + "\n\n"
        let page2 = "More about cells. " + Self.english + "\n\n### Organelles\n\nMitochondria make ATP. "
        let page3 = "Ribosomes make proteins.\n\n## Genetics\n\nDNA stores information. " + Self.english
        let text = page1 + page2 + page3
        var extracted = MarkdownExtractor.extract(text)
        let p2 = page1.unicodeScalars.count, p3 = p2 + page2.unicodeScalars.count
        extracted.pageStarts = [0, p2, p3]
        #expect(extracted.headings.map(\.title) == ["Biology", "Cells", "Organelles", "Genetics"])

        let chunks = checked(extracted, 60, 12)
        #expect(chunks.first?.headingPath == ["Biology"])
        #expect(chunks.first?.content.hasPrefix("# Biology\n\n## Cells\n\n") == true)
        #expect(chunks.first?.pageNumber == 1)
        for chunk in chunks {
            let page = extracted.pageStarts.lastIndex { $0 <= chunk.charStart }! + 1
            let pageEnd = extracted.pageStarts.lastIndex { $0 <= chunk.charEnd - 1 }! + 1
            #expect(chunk.pageNumber == page)
            #expect(chunk.pageEnd == (pageEnd == page ? nil : pageEnd))
            // A heading starts a chunk: no chunk spans one, except the title directly above "Cells", which
            // is too short to stand alone and joins that section.
            for mark in extracted.headings where mark.title != "Cells" {
                #expect(!(chunk.charStart < mark.offset && mark.offset < chunk.charEnd), "\(mark.title) inside \(chunk.content)")
            }
        }
        #expect(chunks.contains { $0.pageEnd == 2 && $0.pageNumber == 1 } || chunks.contains { $0.pageEnd == 3 })
        let organelles = chunks.first { $0.content.hasPrefix("### Organelles") }
        #expect(organelles?.headingPath == ["Biology", "Cells", "Organelles"])
        #expect(organelles?.pageNumber == 2)
        let genetics = chunks.first { $0.content.hasPrefix("## Genetics") }
        #expect(genetics?.headingPath == ["Biology", "Genetics"])
        #expect(genetics?.pageNumber == 3)
        #expect(chunks.last?.headingPath == ["Biology", "Genetics"])
    }

    @Test func htmlDocumentEndToEnd() {
        let html = "<h1>Photosynthesis</h1><p>\(Self.english)</p><h2>광합성</h2><p>\(Self.korean)</p>"
            + "<h2>光合作用</h2><ul><li>\(Self.simplified)</li><li>\(Self.traditional)</li></ul>"
        let extracted = HTMLExtractor.extract(html).text
        let chunks = checked(extracted, 64, 16)
        #expect(chunks.first?.headingPath == ["Photosynthesis"])
        #expect(chunks.last?.headingPath == ["Photosynthesis", "光合作用"])
        #expect(chunks.contains { $0.headingPath == ["Photosynthesis", "광합성"] })
    }

    @Test func largeTextKeepsTheInvariants() {
        // About 100 KB: a quick check that the unit cache and the window scan stay correct at size.
        let text = (0..<70).map { "\($0). " + Self.english }.joined(separator: "\n\n")
        let chunks = checked(ExtractedText(text: text))
        #expect(chunks.count >= 70)
    }

    @Test func optionsValidation() throws {
        #expect(try ChunkingOptions().validated(modelMaxTokens: 256) == ChunkingOptions(maxTokens: 200, overlapTokens: 40))
        #expect(try ChunkingOptions(maxTokens: 254, overlapTokens: 0).validated(modelMaxTokens: 256).maxTokens == 254)
        #expect(try ChunkingOptions(maxTokens: 8, overlapTokens: 3).validated(modelMaxTokens: 256).maxTokens == 8)
        for bad in [(255, 40), (7, 0), (0, 0), (200, 100), (200, -1), (9, 5)] {
            #expect {
                try ChunkingOptions(maxTokens: bad.0, overlapTokens: bad.1).validated(modelMaxTokens: 256)
            } throws: { error in
                guard let error = error as? IngestError else { return false }
                let named = bad.0 == 255 || bad.0 < 8 ? "maxTokens" : "overlapTokens"
                return error.kind == .configuration && error.message.contains(named)
            }
        }
        #expect(throws: IngestError.self) { try ChunkingOptions().validated(modelMaxTokens: 9) }
    }
}
