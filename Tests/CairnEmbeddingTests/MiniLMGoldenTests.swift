@testable import CairnEmbedding
import Testing
import TestSupport

/// Where the MiniLM tests find the model and the reference outputs (TestSupport's locators).
enum MiniLMTestFiles {
    /// The installed model's directory; fails (never skips) with the install command when absent.
    static func modelDirectory() throws -> String {
        try ModelFiles.requireMiniLMDirectory()
    }

    /// The reference token ids and embeddings of `../shared/fixtures/golden_minilm.json`.
    static func golden() throws -> GoldenMiniLM {
        try Fixtures.goldenMiniLM
    }

    /// The model, loaded once per test process.
    static func model() throws -> MiniLMModel {
        try shared.get()
    }

    /// Each golden item's token ids embedded on its own (a batch of one), computed once per test process.
    static func aloneVectors() throws -> [[Float]] {
        try alone.get()
    }

    private static let shared: Result<MiniLMModel, any Error> = Result { try MiniLMModel(directory: modelDirectory()) }

    private static let alone: Result<[[Float]], any Error> = Result {
        let loaded = try model()
        return try golden().items.map { try loaded.embed(tokenBatch: [$0.tokenIDs], threads: 1)[0] }
    }
}

/// How far apart two embeddings are.
struct EmbeddingDistance {
    var cosine: Double
    var maxAbsDiff: Double

    init(_ a: [Float], _ b: [Float]) {
        precondition(a.count == b.count)
        var dot = 0.0, na = 0.0, nb = 0.0, worst = 0.0
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
            worst = max(worst, abs(Double(x) - Double(y)))
        }
        cosine = dot / (na.squareRoot() * nb.squareRoot())
        maxAbsDiff = worst
    }
}

/// The encoder against sentence-transformers' embeddings of the golden token ids.
@Suite struct MiniLMGoldenTests {
    @Test func everyGoldenItemMatchesTheReference() throws {
        let golden = try MiniLMTestFiles.golden()
        let model = try MiniLMTestFiles.model()
        #expect(golden.items.count == 24)
        let vectors = try model.embed(tokenBatch: golden.items.map(\.tokenIDs), threads: 2)
        #expect(vectors.count == golden.items.count)
        var worstCosine = 1.0, worstDiff = 0.0
        for (index, (item, vector)) in zip(golden.items, vectors).enumerated() {
            #expect(vector.count == MiniLMModel.dimension)
            let d = EmbeddingDistance(vector, item.embedding)
            #expect(d.cosine >= 0.99999, "item \(index) (\(item.tokenIDs.count) tokens): cosine \(d.cosine)")
            #expect(d.maxAbsDiff <= 1e-4, "item \(index) (\(item.tokenIDs.count) tokens): max |Δ| \(d.maxAbsDiff)")
            worstCosine = min(worstCosine, d.cosine)
            worstDiff = max(worstDiff, d.maxAbsDiff)
        }
        // The reference is rounded to 7 decimals; the encoder lands within a few units of that rounding.
        #expect(worstDiff <= 1e-6, "worst cosine \(worstCosine), worst max |Δ| \(worstDiff)")
    }

    @Test func eachGoldenItemAloneMatchesTheReference() throws {
        let golden = try MiniLMTestFiles.golden()
        for (index, (item, vector)) in zip(golden.items, try MiniLMTestFiles.aloneVectors()).enumerated() {
            let d = EmbeddingDistance(vector, item.embedding)
            #expect(d.cosine >= 0.99999 && d.maxAbsDiff <= 1e-4,
                    "item \(index): cosine \(d.cosine), max |Δ| \(d.maxAbsDiff)")
        }
    }

    /// A lone short input on two threads splits its projections between them (``MiniLMSmallGEMM``): same
    /// vectors as on one thread.
    @Test func aloneOnTwoThreadsMatchesOneThread() throws {
        let golden = try MiniLMTestFiles.golden()
        let model = try MiniLMTestFiles.model()
        var compared = 0
        for (item, single) in zip(golden.items, try MiniLMTestFiles.aloneVectors())
        where item.tokenIDs.count <= MiniLMSmallGEMM.maxRows {
            let split = try model.embed(tokenBatch: [item.tokenIDs], threads: 2)[0]
            let d = EmbeddingDistance(split, single)
            #expect(d.maxAbsDiff <= 1e-6, "\(item.tokenIDs.count) tokens: max |Δ| \(d.maxAbsDiff)")
            compared += 1
        }
        #expect(compared >= 5, "golden items short enough for the small-batch kernel: \(compared)")
    }

    @Test func vectorsHaveUnitLength() throws {
        let golden = try MiniLMTestFiles.golden()
        let vectors = try MiniLMTestFiles.model().embed(tokenBatch: golden.items.prefix(4).map(\.tokenIDs))
        for v in vectors {
            let norm = v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
    }
}
