@testable import CairnEmbedding
import Testing
import TestSupport

/// Batching: packed chunks over several threads give the same vectors as one input at a time.
@Suite struct MiniLMBatchTests {
    /// Indices of golden items in a scrambled order, with repeats, so one batch mixes 3 to 256 tokens.
    static let mixedOrder = (0..<30).map { ($0 * 7 + 3) % 24 }

    @Test(arguments: [1, 2, 3])
    func batchEqualsOneByOne(threads: Int) throws {
        let ids = try MiniLMTestFiles.golden().items.map(\.tokenIDs)
        let alone = try MiniLMTestFiles.aloneVectors()
        let batch = Self.mixedOrder.map { ids[$0] }
        let together = try MiniLMTestFiles.model().embed(tokenBatch: batch, threads: threads)
        #expect(together.count == batch.count)
        for (position, item) in Self.mixedOrder.enumerated() {
            let d = EmbeddingDistance(together[position], alone[item])
            // Only the order of floating-point sums differs (BLAS blocking, small-batch kernel).
            #expect(d.maxAbsDiff <= 2e-6, "input \(position) (\(ids[item].count) tokens): max |Δ| \(d.maxAbsDiff)")
        }
    }

    @Test func repeatedInputsGiveIdenticalVectorsWithinABatch() throws {
        let model = try MiniLMTestFiles.model()
        let ids = try MiniLMTestFiles.golden().items[7].tokenIDs
        let vectors = try model.embed(tokenBatch: Array(repeating: ids, count: 6), threads: 2)
        for v in vectors.dropFirst() {
            #expect(EmbeddingDistance(v, vectors[0]).maxAbsDiff <= 2e-6)
        }
    }

    @Test func emptyBatchGivesNoVectors() throws {
        #expect(try MiniLMTestFiles.model().embed(tokenBatch: []).isEmpty)
    }

    @Test func invalidSequencesAreRefusedNamingTheInput() throws {
        let model = try MiniLMTestFiles.model()
        let cases: [([[Int32]], String)] = [
            ([[101, 102], []], "input 1"),
            ([[101] + Array(repeating: 1000, count: 511) + [102]], "513 tokens"),
            ([[101, 30522, 102]], "token id 30522"),
            ([[101, -1, 102]], "token id -1"),
        ]
        for (batch, fragment) in cases {
            let error = #expect(throws: EmbeddingError.self) { try model.embed(tokenBatch: batch) }
            #expect(error?.kind == .invalidInput)
            #expect(error?.isUserError == true)
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "no error")")
        }
    }

    @Test func longestAcceptedSequenceEmbeds() throws {
        let ids: [Int32] = [101] + (0..<510).map { Int32(1000 + $0 * 37 % 20000) } + [102]
        let v = try MiniLMTestFiles.model().embed(tokenBatch: [ids])[0]
        #expect(v.count == 384 && v.allSatisfy(\.isFinite))
    }

    @Test func planCoversEveryInputOnceInBalancedChunks() {
        let lengths = (0..<75).map { 5 + ($0 * 53) % 250 }
        for threads in [1, 2, 4] {
            let plan = MiniLMBatchPlan(lengths: lengths, threads: threads)
            #expect(plan.chunks.flatMap { $0 }.sorted() == Array(lengths.indices))
            #expect(plan.chunks.count % threads == 0)
            let loads = plan.chunks.map { $0.reduce(0.0) { $0 + MiniLMBatchPlan.cost(lengths[$1]) } }
            #expect(loads == loads.sorted(by: >))
            #expect(loads.max()! <= loads.min()! * 1.5, "\(loads)")
        }
    }

    @Test func planKeepsASingleInputOnOneChunk() {
        #expect(MiniLMBatchPlan(lengths: [12], threads: 2).chunks == [[0]])
        #expect(MiniLMBatchPlan(lengths: [], threads: 2).chunks.isEmpty)
        #expect(MiniLMBatchPlan(lengths: [9, 12], threads: 2).chunks.count == 2)
    }
}
