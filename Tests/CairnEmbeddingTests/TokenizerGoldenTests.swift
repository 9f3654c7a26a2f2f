import CairnEmbedding
import Testing
import TestSupport

/// The tokenizer against the reference token ids of `../shared/fixtures/golden_minilm.json`.
@Suite struct TokenizerGoldenTests {
    static func loadTokenizer() throws -> WordPieceTokenizer {
        try WordPieceTokenizer(modelDirectory: try ModelFiles.requireMiniLMDirectory())
    }

    @Test func everyGoldenItemMatchesExactly() throws {
        let golden = try Fixtures.goldenMiniLM
        let tokenizer = try Self.loadTokenizer()
        #expect(golden.items.count == 24)
        #expect(golden.maxSeqLength == WordPieceTokenizer.defaultMaxLength)
        for (index, item) in golden.items.enumerated() {
            let ids = tokenizer.encode(item.text)
            #expect(ids == item.tokenIDs, "item \(index): \(item.text.prefix(60).debugDescription)")
        }
    }

    @Test func truncatedItemsHitTheLimitAndCountsAgree() throws {
        let golden = try Fixtures.goldenMiniLM
        let tokenizer = try Self.loadTokenizer()
        let truncated = golden.items.filter { $0.tokenIDs.count == WordPieceTokenizer.defaultMaxLength }
        #expect(truncated.count == 2)
        for item in golden.items {
            let count = tokenizer.tokenCount(item.text)
            if item.tokenIDs.count < WordPieceTokenizer.defaultMaxLength {
                #expect(count + 2 == item.tokenIDs.count)
            } else {
                #expect(count + 2 > WordPieceTokenizer.defaultMaxLength)
                // A longer limit keeps every piece, and its prefix is the truncated sequence.
                let full = tokenizer.encode(item.text, maxLength: 100_000)
                #expect(full.count == count + 2)
                #expect(Array(full.prefix(255)) == Array(item.tokenIDs.prefix(255)))
            }
        }
    }

    @Test func batchOfGoldenItemsIsPaddedAndMasked() throws {
        let golden = try Fixtures.goldenMiniLM
        let tokenizer = try Self.loadTokenizer()
        let batch = tokenizer.encodeBatch(golden.items.map(\.text))
        #expect(batch.count == golden.items.count)
        #expect(batch.maxLength == WordPieceTokenizer.defaultMaxLength)
        for (r, item) in golden.items.enumerated() {
            #expect(Array(batch.row(r)) == item.tokenIDs)
            let rowMask = batch.mask[r * batch.maxLength..<(r + 1) * batch.maxLength]
            #expect(rowMask.reduce(0, +) == Float(item.tokenIDs.count))
        }
    }
}
