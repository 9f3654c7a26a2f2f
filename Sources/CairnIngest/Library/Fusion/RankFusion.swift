/// Reciprocal-rank fusion: a candidate's score is Σ weight / (k + rank) over the rankings that hold it
/// (ranks from 1), k = 60 as in Cormack, Clarke and Büttcher (2009).
public enum RankFusion {
    /// The RRF constant.
    public static let k = 60.0

    /// One fused candidate.
    public struct Fused: Sendable, Hashable {
        public var label: UInt64
        public var score: Double
        public var vectorRank: Int?
        public var keywordRank: Int?
    }

    /// Fuses two rankings (best first, no repeats within one); ties go to the better single rank, then the
    /// smaller label.
    public static func fuse(vector: [UInt64], keyword: [UInt64], weights: FusionWeights) -> [Fused] {
        var byLabel: [UInt64: Fused] = [:]
        for (i, label) in vector.enumerated() {
            byLabel[label] = Fused(label: label, score: weights.vector / (k + Double(i + 1)), vectorRank: i + 1)
        }
        for (i, label) in keyword.enumerated() {
            let part = weights.keyword / (k + Double(i + 1))
            if byLabel[label] != nil {
                byLabel[label]!.score += part
                byLabel[label]!.keywordRank = i + 1
            } else {
                byLabel[label] = Fused(label: label, score: part, keywordRank: i + 1)
            }
        }
        return byLabel.values.sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            let ra = min(a.vectorRank ?? .max, a.keywordRank ?? .max), rb = min(b.vectorRank ?? .max, b.keywordRank ?? .max)
            return ra != rb ? ra < rb : a.label < b.label
        }
    }
}
