import CairnIngest
import Testing

/// Reciprocal-rank fusion and maximal marginal relevance against their definitions.
@Suite struct FusionTests {
    @Test func reciprocalRankFusionAddsWeightedReciprocalRanks() {
        let fused = RankFusion.fuse(vector: [1, 2, 3], keyword: [3, 4, 1], weights: .equal)
        let score: [UInt64: Double] = Dictionary(uniqueKeysWithValues: fused.map { ($0.label, $0.score) })
        let both: Double = 1.0 / 61.0 + 1.0 / 63.0
        let second: Double = 1.0 / 62.0
        #expect(abs(score[1]! - both) < 1e-15)
        #expect(abs(score[3]! - both) < 1e-15)
        #expect(abs(score[4]! - second) < 1e-15)
        // 1 and 3 tie on score: 1 has the better single rank in the vector list, 3 in the keyword list; both are
        // rank 1 somewhere, so the smaller label goes first.
        #expect(fused.map(\.label) == [1, 3, 2, 4])
        #expect(fused.first { $0.label == 4 }?.vectorRank == nil && fused.first { $0.label == 4 }?.keywordRank == 2)
        let keywordHeavy = RankFusion.fuse(vector: [1, 2], keyword: [2, 1], weights: FusionWeights(vector: 1, keyword: 3))
        #expect(keywordHeavy.map(\.label) == [2, 1])
        let vectorOnly = RankFusion.fuse(vector: [5, 6, 7], keyword: [7, 6], weights: FusionWeights(vector: 1, keyword: 0))
        #expect(vectorOnly.map(\.label) == [5, 6, 7])
    }

    @Test func maximalMarginalRelevance() {
        typealias C = Diversifier.Candidate
        // Three chunks of material 1 (most relevant), then one each of materials 2 and 3.
        let candidates = [C(relevance: 1.0, material: 1, vector: [1, 0, 0]), C(relevance: 0.95, material: 1, vector: [1, 0, 0]),
                          C(relevance: 0.9, material: 1, vector: [1, 0, 0]), C(relevance: 0.6, material: 2, vector: [0, 1, 0]),
                          C(relevance: 0.5, material: 3, vector: [0, 0, 1])]
        #expect(Diversifier.select(candidates, count: 5, lambda: 1) == [0, 1, 2, 3, 4])
        #expect(Diversifier.select(candidates, count: 3, lambda: 0.5) == [0, 3, 4])
        #expect(Diversifier.select(candidates, count: 3, lambda: 0) == [0, 3, 4])
        // A near-duplicate from another material counts as redundant by its cosine similarity.
        let twins = [C(relevance: 1, material: 1, vector: [1, 0]), C(relevance: 0.9, material: 2, vector: [1, 0.01]),
                     C(relevance: 0.5, material: 3, vector: [0, 1])]
        #expect(Diversifier.select(twins, count: 2, lambda: 0.5) == [0, 2])
        #expect(Diversifier.select([], count: 3, lambda: 0.5).isEmpty)
        // Negative relevance (cosine similarities) is shifted, not misread.
        let negative = [C(relevance: -0.1, material: 1, vector: nil), C(relevance: -0.5, material: 2, vector: nil)]
        #expect(Diversifier.select(negative, count: 2, lambda: 1) == [0, 1])
    }
}
