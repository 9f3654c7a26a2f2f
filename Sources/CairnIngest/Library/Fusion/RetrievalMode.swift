/// Which ranking a search returns.
public enum RetrievalMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nearest chunks by embedding (cosine similarity).
    case vector
    /// BM25 over the chunks' text.
    case keyword
    /// Reciprocal-rank fusion of the vector and keyword rankings.
    case hybrid
}

/// The weights of the two rankings in reciprocal-rank fusion.
public struct FusionWeights: Sendable, Hashable, Codable {
    public var vector: Double
    public var keyword: Double

    public init(vector: Double = 1, keyword: Double = 1) {
        self.vector = vector
        self.keyword = keyword
    }

    /// Both 1.
    public static let equal = FusionWeights()
}

/// Where the calibrated grounding thresholds sit (see docs/RETRIEVAL.md, "Grounding signals").
public struct GroundingThresholds: Sendable, Hashable, Codable {
    /// A question whose best chunk is less similar than this is `below_threshold`.
    public var similarity: Float
    /// A question whose best keyword score (normalised BM25, 0..<1) is below this has no keyword support.
    public var keyword: Float

    public init(similarity: Float, keyword: Float) {
        self.similarity = similarity
        self.keyword = keyword
    }

    /// Calibrated with `cairn bench quality` on Linux manual pages with all-MiniLM-L6-v2: the pair that flags
    /// the most questions whose pages were held out while flagging at most 5 % of answerable ones
    /// (docs/RETRIEVAL.md, Benchmarks/README.md).
    public static let standard = GroundingThresholds(similarity: 0.58, keyword: 0.35)
}
