import CairnKeyword
import Testing
import TestSupport

@Suite struct KeywordTokenizerTests {
    let tokenizer = KeywordTokenizer()

    @Test func codeLikeTermsStayWhole() {
        #expect(tokenizer.terms("Compile C++ and C# code") == ["compile", "c++", "c#", "code"])
        #expect(tokenizer.terms("built for x86_64") == ["built", "x86_64", "x86", "64"])
        #expect(tokenizer.terms("H2O boils") == ["h2o", "boils"])
        #expect(tokenizer.terms("solve 2x+3 = 7") == ["solve", "2x+3", "2x", "3", "7"])
        #expect(tokenizer.terms("g++ -O2 main.c") == ["g++", "o2", "main", "c"])
        #expect(tokenizer.terms("pi is 3.14, version 2.6.1.") == ["pi", "3.14", "version", "2.6.1"])
        #expect(tokenizer.terms("a + b") == ["b"])
    }

    @Test func punctuationAndApostrophes() {
        #expect(tokenizer.terms("non-blocking I/O (see: read(2))") == ["non", "blocking", "o", "see", "read", "2"])
        #expect(tokenizer.terms("the page's header; don't panic") == ["page", "header", "panic"])
        #expect(tokenizer.terms("O’Reilly’s book") == ["oreilly", "book"])
    }

    @Test func caseAndAccentFolding() {
        #expect(tokenizer.terms("Café CRÈME brûlée") == ["cafe", "creme", "brulee"])
        #expect(tokenizer.terms("Straße") == ["strasse"])
        #expect(tokenizer.terms("Ａｐｐｌｅ ﬁle") == ["apple", "file"])
        #expect(tokenizer.terms("Ἀθῆναι ΆΣΤΥ") == ["αθηναι", "αστυ"])
        // Cyrillic keeps й (another letter), folds ё to е.
        #expect(tokenizer.terms("Йошкар ёлка") == ["йошкар", "елка"])
        // Devanagari keeps its vowel signs.
        #expect(tokenizer.terms("हिन्दी") == ["हिन्दी"])
        // Precomposed and decomposed forms are one term.
        #expect(tokenizer.terms("e\u{301}te\u{301}") == tokenizer.terms("\u{e9}t\u{e9}"))
    }

    @Test func cjkBigrams() {
        #expect(tokenizer.terms("東京都に行く") == ["東京", "京都", "都に", "に行", "行く"])
        #expect(tokenizer.terms("水") == ["水"])
        // Korean: spaced words are runs of their own; one syllable is a term.
        #expect(tokenizer.terms("학교에서 공부 해") == ["학교", "교에", "에서", "공부", "해"])
        // Mixed scripts split at the script boundary; half-width katakana become full-width.
        #expect(tokenizer.terms("Python入門") == ["python", "入門"])
        #expect(tokenizer.terms("ｶﾀｶﾅ") == ["カタ", "タカ", "カナ"])
    }

    @Test func stopWordsCanBeKept() {
        #expect(tokenizer.terms("What is the meaning of it") == ["meaning"])
        let all = KeywordTokenizer(options: TokenizerOptions(englishStopWords: false))
        #expect(all.terms("What is the meaning of it") == ["what", "is", "the", "meaning", "of", "it"])
    }

    @Test func longRunsAreDropped() {
        let blob = String(repeating: "a1", count: 40)
        #expect(tokenizer.terms("key \(blob) end") == ["key", "end"])
    }

    /// Random strings over an alphabet of troublemakers. The seed is new each run and named in every failure,
    /// so a failing input can be replayed by passing that seed to `checkRandomInputs(seed:)`.
    @Test func anyInputTerminates() {
        checkRandomInputs(seed: UInt64.random(in: 0...UInt64.max))
    }

    /// Inputs that once broke the properties below, pinned.
    @Test func marksOnJoinersStayOnThem() {
        // A mark after `_` used to be folded as if `_` were a Latin letter, leaving the part `+́` (U+0301).
        #expect(tokenizer.terms("a_\u{301}+\u{301}") == ["a_\u{301}+\u{301}"])
        #expect(tokenizer.terms("-a_\u{301}+\u{301}") == ["a_\u{301}+\u{301}"])
        checkRandomInputs(seed: 0x5EED_0013)
    }

    private func checkRandomInputs(seed: UInt64) {
        var generator = SplitMix(seed: seed)
        let alphabet: [Character] = ["a", "Z", "1", "_", "+", "#", ".", "'", "’", " ", "-", "é", "東", "ｶ", "학", "\u{301}",
                                     "ß", "\u{0}", "😀"]
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            })
            let terms = tokenizer.terms(text)
            #expect(terms.allSatisfy { !$0.isEmpty && !$0.contains(" ") }, "seed \(seed): \(text.debugDescription) → \(terms)")
            // Terms are already folded: tokenising a term gives the term back (or its parts).
            for term in terms where !term.contains("_") && !term.contains("+") && !term.contains(".") {
                #expect(tokenizer.terms(term).first == term || ScalarTests.isCJK(term),
                        "seed \(seed): \(text.debugDescription) → \(term.debugDescription)")
            }
        }
    }
}

enum ScalarTests {
    static func isCJK(_ term: String) -> Bool {
        term.unicodeScalars.contains { (0x3040...0xD7FF).contains($0.value) || (0xFF66...0xFF9F).contains($0.value) }
    }
}
