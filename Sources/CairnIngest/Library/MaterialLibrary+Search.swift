public import CairnEmbedding
import CairnIndex
import CairnStorage
import Foundation

/// A question for ``MaterialLibrary/search(_:embedder:)``: its text (embedded with the library's embedder) or
/// a vector, the ranking wanted and its options.
public struct ChunkQuery: Sendable, Hashable {
    public var text: String
    /// A query vector of the index's dimension; when set, `text` is not embedded (it may be empty, and then
    /// only the vector mode is possible).
    public var vector: [Float]?
    public var topK: Int
    public var filter: ChunkFilter
    /// Hits below this cosine similarity are dropped.
    public var minSimilarity: Float?
    /// HNSW ef for this query (nil: ``MaterialLibrary/defaultEf(depth:)``).
    public var efSearch: Int?
    public var mode: RetrievalMode
    /// The rankings' weights in hybrid mode.
    public var weights: FusionWeights
    /// Spread results across materials by maximal marginal relevance.
    public var diversify: Bool
    /// MMR's λ (1: relevance only).
    public var mmrLambda: Double
    /// Where the grounding signals' thresholds sit.
    public var grounding: GroundingThresholds
    /// Scan every vector instead of walking the graph (benchmarks: the ANN loss).
    public var exact: Bool

    public init(text: String, vector: [Float]? = nil, topK: Int = 5, filter: ChunkFilter = ChunkFilter(),
                minSimilarity: Float? = nil, efSearch: Int? = nil, mode: RetrievalMode = .vector,
                weights: FusionWeights = .equal, diversify: Bool = false, mmrLambda: Double = 0.5,
                grounding: GroundingThresholds = .standard, exact: Bool = false) {
        self.text = text
        self.vector = vector
        self.topK = topK
        self.filter = filter
        self.minSimilarity = minSimilarity
        self.efSearch = efSearch
        self.mode = mode
        self.weights = weights
        self.diversify = diversify
        self.mmrLambda = mmrLambda
        self.grounding = grounding
        self.exact = exact
    }
}

/// One search hit, ready to cite, with where it stood in each ranking.
public struct ChunkHit: Sendable, Hashable, Codable {
    public var chunk: CitedChunk
    /// Cosine similarity of the chunk to the question (computed from its stored vector when only the
    /// keyword ranking found it).
    public var similarity: Float
    /// Its rank in the vector ranking (1 = nearest), nil when it was not among that ranking's candidates.
    public var vectorRank: Int?
    /// Its rank in the keyword ranking, nil when it was not among that ranking's candidates.
    public var keywordRank: Int?
    /// Its BM25 score over the question's ceiling (0..<1), nil when it was not a keyword candidate.
    public var keywordScore: Float?
    /// Its reciprocal-rank-fusion score (hybrid mode only).
    public var fusedScore: Double?

    public init(chunk: CitedChunk, similarity: Float, vectorRank: Int? = nil, keywordRank: Int? = nil,
                keywordScore: Float? = nil, fusedScore: Double? = nil) {
        self.chunk = chunk
        self.similarity = similarity
        self.vectorRank = vectorRank
        self.keywordRank = keywordRank
        self.keywordScore = keywordScore
        self.fusedScore = fusedScore
    }
}

/// What tells a coach whether the materials hold an answer at all.
public struct GroundingSignals: Sendable, Hashable, Codable {
    /// The best similarity of any allowed chunk (nil: none).
    public var maxSimilarity: Float?
    /// The best normalised keyword score of any allowed chunk (nil: the question has no text, or no chunk
    /// shares a term with it).
    public var maxKeywordScore: Float?
    /// Whether `maxSimilarity` is below the similarity threshold.
    public var belowThreshold: Bool
    /// Distinct materials among the results.
    public var materialsCovered: Int
    /// True when neither the best similarity nor the best keyword score reaches its threshold.
    public var notInMaterials: Bool
    /// The thresholds applied.
    public var thresholds: GroundingThresholds
}

/// Search results and where the time went.
public struct ChunkSearchResult: Sendable, Hashable, Codable {
    public var hits: [ChunkHit]
    public var mode: RetrievalMode
    /// Whether the hits are the true top k: an exact vector scan ran (vector, hybrid), or keyword mode.
    public var exact: Bool
    /// The best similarity among the vector candidates, before the threshold dropped any (nil: no candidates).
    public var maxSimilarity: Float?
    /// Candidates the `minSimilarity` threshold dropped.
    public var belowThreshold: Int
    /// Chunks the filter allowed (nil: no filter).
    public var allowedChunks: Int?
    public var grounding: GroundingSignals
    public var embedMilliseconds: Double
    public var filterMilliseconds: Double
    public var searchMilliseconds: Double
    /// Keyword scoring (part of `searchMilliseconds`).
    public var keywordMilliseconds: Double
    public var fetchMilliseconds: Double
    public var totalMilliseconds: Double
}
