@_spi(Testing) import CairnEmbedding
import Testing
import TestSupport

/// The per-scalar table path against the whole-text reference path, over every scalar of the planes text
/// uses and over random mixtures (combining marks, specials, scalars NFD reorders).
@Suite struct TokenizerNormalizationTests {
    let tokenizer: WordPieceTokenizer

    init() throws {
        tokenizer = try WordPieceTokenizer(modelDirectory: try ModelFiles.requireMiniLMDirectory())
    }

    /// A small deterministic generator (SplitMix64).
    struct Generator {
        var state: UInt64

        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    @Test(arguments: [0, 1, 2, 14])
    func everyScalarOfThePlaneMatchesTheReference(plane: Int) {
        var mismatches: [String] = []
        for block in (plane << 8)..<((plane + 1) << 8) {
            var text = String.UnicodeScalarView()
            for k in 0..<256 {
                guard let scalar = Unicode.Scalar(UInt32(block << 8 + k)) else { continue }
                text.append(scalar)
                // Alternate contexts: inside a word, after a space, before a combining mark.
                switch k % 4 {
                case 0: text.append("a")
                case 1: text.append(" ")
                case 2: text.append("\u{301}")
                default: break
                }
            }
            let string = String(text)
            if tokenizer.encode(string, maxLength: 10_000) != tokenizer.referenceEncode(string, maxLength: 10_000) {
                mismatches.append("block U+\(String(block << 8, radix: 16))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func randomMixturesMatchTheReference() {
        let pools: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x20...0x7E, 0x80...0x24F, 0x300...0x36F, 0x370...0x52F, 0x2000...0x206F,
            0x3000...0x30FF, 0xAC00...0xD7A3, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF00...0xFFEF,
            0x1F300...0x1F6FF, 0x80...0xFFFF, 0x10000...0x10FFFF,
        ]
        let extras = ["[SEP]", "[MASK]", "[CLS", " ", "\u{302E}", "\u{1D165}", "\u{1D15E}", "İ", "ǅ", "ẞ", "\u{0}", "\r\n"]
        var generator = Generator(state: 42)
        var mismatches: [String] = []
        for _ in 0..<400 {
            var text = ""
            for _ in 0..<(1 + generator.next(40)) {
                if generator.next(8) == 0 {
                    text += extras[generator.next(extras.count)]
                } else {
                    let pool = pools[generator.next(pools.count)]
                    let value = pool.lowerBound + UInt32(generator.next(Int(pool.upperBound - pool.lowerBound) + 1))
                    if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) }
                }
            }
            if tokenizer.encode(text) != tokenizer.referenceEncode(text) { mismatches.append(text.debugDescription) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test func reorderingMarksTakeTheWholeTextPath() {
        // U+1D165 and U+1D16E are spacing marks that NFD reorders by combining class.
        let text = "x\u{1D16E}\u{1D165}y and more"
        #expect(tokenizer.encode(text) == tokenizer.referenceEncode(text))
        #expect(tokenizer.encode(text).count > 4)
    }

    @Test func truncationMatchesTheReference() {
        let text = String(repeating: "Ça va très bien, merci ! 今天 ", count: 60)
        for limit in [2, 3, 17, 256] {
            #expect(tokenizer.encode(text, maxLength: limit) == tokenizer.referenceEncode(text, maxLength: limit))
        }
    }
}
