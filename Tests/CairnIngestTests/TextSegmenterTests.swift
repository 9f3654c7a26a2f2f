import CairnEmbedding
@testable import CairnIngest
import Testing

/// The chunker's word boundaries must be the tokenizer's, or chunk token counts stop adding up.
@Suite struct TextSegmenterTests {
    @Test func separatorsAndDroppedScalarsAreTheTokenizers() {
        var mismatches: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let s = Unicode.Scalar(value) else { continue }
            let tokenizerSeparates = BertScalarClass.isWhitespace(s) && !BertScalarClass.isRemoved(s)
            if TextSegmenter.isSeparator(s) != tokenizerSeparates || TextSegmenter.isIgnored(s) != BertScalarClass.isRemoved(s) {
                mismatches.append(value)
            }
        }
        #expect(mismatches.isEmpty, "scalars classified differently: \(mismatches.prefix(10).map { String($0, radix: 16) })")
    }
}
