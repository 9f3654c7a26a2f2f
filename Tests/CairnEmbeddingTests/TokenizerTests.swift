import CairnEmbedding
import Foundation
import Testing
import TestSupport

/// Tokenizer behaviour beyond the golden texts: limits, padding, special cases, errors.
@Suite struct TokenizerTests {
    let tokenizer: WordPieceTokenizer

    init() throws {
        tokenizer = try WordPieceTokenizer(modelDirectory: try ModelFiles.requireMiniLMDirectory())
    }

    @Test func specialIDsAndVocabulary() {
        #expect(tokenizer.vocabularySize == 30_522)
        #expect((tokenizer.padID, tokenizer.unkID, tokenizer.clsID, tokenizer.sepID) == (0, 100, 101, 102))
        #expect(tokenizer.token(for: 101) == "[CLS]")
        #expect(tokenizer.token(for: 30_522) == nil)
        #expect(tokenizer.id(for: "##s") != nil)
        #expect(tokenizer.id(for: "##s") != tokenizer.id(for: "s"))
        #expect(tokenizer.token(for: tokenizer.id(for: "##ing")!) == "##ing")
    }

    @Test func emptyAndBlankTextsAreJustTheSpecials() {
        for text in ["", "   ", "\t\n\r", "\u{200B}\u{00AD}", "\u{0}\u{FFFD}"] {
            #expect(tokenizer.encode(text) == [101, 102], "\(text.debugDescription)")
            #expect(tokenizer.tokenCount(text) == 0)
        }
    }

    @Test func wordPiecesAndContinuations() {
        #expect(tokenizer.tokens("Hello, WORLD!") == ["hello", ",", "world", "!"])
        #expect(tokenizer.tokens("embeddings") == ["em", "##bed", "##ding", "##s"])
        #expect(tokenizer.tokens("Größenwahn") == ["gr", "##o", "##ße", "##n", "##wa", "##hn"])
    }

    @Test func normalisationFollowsBert() {
        // Accents stripped, case folded, CJK split, punctuation isolated, format characters dropped.
        #expect(tokenizer.tokens("Café") == tokenizer.tokens("cafe"))
        #expect(tokenizer.tokens("Cafe\u{301}") == tokenizer.tokens("cafe"))
        #expect(tokenizer.tokens("ÉCOLE") == tokenizer.tokens("ecole"))
        #expect(tokenizer.tokens("天天") == ["天", "天"])
        #expect(tokenizer.tokens("天气") == ["天", "[UNK]"])  // 气 is not in the vocabulary
        #expect(tokenizer.tokens("a$b") == ["a", "$", "b"])
        #expect(tokenizer.tokens("zero\u{200B}width") == tokenizer.tokens("zerowidth"))
        #expect(tokenizer.tokens("a\u{3000}b\u{A0}c") == ["a", "b", "c"])
        #expect(tokenizer.tokens("x\u{7}y") == tokenizer.tokens("xy"))
    }

    @Test func specialTokensTypedInTextAreKept() {
        #expect(tokenizer.encode("a [SEP] b") == [101, tokenizer.id(for: "a")!, 102, tokenizer.id(for: "b")!, 102])
        #expect(tokenizer.tokens("x[MASK]é") == ["x", "[MASK]", "e"])
        #expect(tokenizer.tokens("[sep]") == ["[", "sep", "]"])
    }

    @Test func overlongWordIsUnknown() {
        let word = String(repeating: "a", count: 101)
        #expect(tokenizer.tokens(word) == ["[UNK]"])
        #expect(tokenizer.tokens(String(repeating: "é", count: 101) + " ok") == ["[UNK]", "ok"])
        #expect(tokenizer.tokens(String(repeating: "a", count: 100)).count > 1)
        #expect(tokenizer.tokens("🍕") == ["[UNK]"])
        #expect(tokenizer.tokens("pizza🍕") == ["[UNK]"])
    }

    @Test func truncationKeepsClsAndSep() {
        let text = Array(repeating: "word", count: 1000).joined(separator: " ")
        let ids = tokenizer.encode(text)
        #expect(ids.count == 256)
        #expect(ids.first == 101 && ids.last == 102)
        #expect(tokenizer.encode(text, maxLength: 8).count == 8)
        #expect(tokenizer.encode(text, maxLength: 0) == [101, 102])
        #expect(tokenizer.tokenCount(text) == 1000)
        #expect(tokenizer.encode("short text", maxLength: 256).count == 4)
    }

    @Test func batchIsPaddedToTheLongestWithAMask() {
        let batch = tokenizer.encodeBatch(["a", "a b c", ""])
        #expect(batch.count == 3)
        #expect(batch.maxLength == 5)
        #expect(batch.lengths == [3, 5, 2])
        #expect(batch.ids.count == 15 && batch.mask.count == 15)
        #expect(Array(batch.ids[0..<5]) == [101, tokenizer.id(for: "a")!, 102, 0, 0])
        #expect(Array(batch.mask[0..<5]) == [1, 1, 1, 0, 0])
        #expect(Array(batch.mask[10..<15]) == [1, 1, 0, 0, 0])
        #expect(Array(batch.row(2)) == [101, 102])
        let empty = tokenizer.encodeBatch([])
        #expect(empty.count == 0 && empty.maxLength == 0 && empty.ids.isEmpty)
    }

    @Test func concurrentUseGivesTheSameIds() async {
        let texts = (0..<64).map { "Text number \($0): naïve café 天气 \($0 * 7)" }
        let shared = tokenizer
        let expected = texts.map { shared.encode($0) }
        let results = await withTaskGroup(of: (Int, [Int32]).self) { group in
            for (i, text) in texts.enumerated() { group.addTask { (i, shared.encode(text)) } }
            var out = [[Int32]](repeating: [], count: texts.count)
            for await (i, ids) in group { out[i] = ids }
            return out
        }
        #expect(results == expected)
    }
}

/// Loading errors, which need no installed model.
@Suite struct TokenizerLoadingTests {
    /// A fresh directory under the system's temporary directory, removed by `defer` in each test.
    static func makeDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-tokenizer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func missingVocabularyNamesTheBootstrapCommand() throws {
        let dir = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try WordPieceTokenizer(modelDirectory: dir)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .modelMissing)
            #expect(error.isUserError)
            #expect(error.message.contains("bash scripts/bootstrap.sh"))
            #expect(error.message.contains(dir + "/vocab.txt"))
        }
    }

    @Test func vocabularyWithoutSpecialTokensIsInvalid() throws {
        let dir = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "[PAD]\nhello\n##s\n".write(toFile: dir + "/vocab.txt", atomically: true, encoding: .utf8)
        #expect(throws: EmbeddingError.self) { try WordPieceTokenizer(modelDirectory: dir) }
        try "".write(toFile: dir + "/empty.txt", atomically: true, encoding: .utf8)
        do {
            _ = try WordPieceTokenizer(vocabularyFile: dir + "/empty.txt")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .modelInvalid)
        }
    }

    @Test func smallVocabularyGreedyLongestMatch() throws {
        let dir = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lines = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "unaff", "##aff", "##able", "##a", "##ff", ","]
        try (lines.joined(separator: "\r\n") + "\r\n").write(toFile: dir + "/vocab.txt", atomically: true,
                                                            encoding: .utf8)
        let tokenizer = try WordPieceTokenizer(modelDirectory: dir)
        #expect(tokenizer.vocabularySize == lines.count)
        #expect(tokenizer.tokens("unaffable") == ["unaff", "##able"])
        #expect(tokenizer.tokens("unaable,") == ["un", "##a", "##able", ","])
        #expect(tokenizer.tokens("unx") == ["[UNK]"])
        #expect(tokenizer.encode("un un") == [2, 5, 5, 3])
    }
}
