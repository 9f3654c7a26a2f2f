public import CairnIngest
import Foundation

/// A request for the chunks that ground an answer: a question (or its embedding), how many, and filters.
public struct RetrievalRequest: Sendable, Hashable {
    /// The question; exactly one of `query` and `embedding` is given.
    public var query: String?
    /// A query vector of the index's dimension.
    public var embedding: [Float]?
    /// How many chunks (1...100).
    public var topK: Int
    /// Which chunks may be returned; for a coach key the owner is its tenant.
    public var filter: ChunkFilter
    /// Chunks below this cosine similarity are dropped (-1...1).
    public var minSimilarity: Float?
    /// HNSW candidate-list size for this request (1...10000).
    public var efSearch: Int?
    /// The ranking (nil: the server's `retrieval.mode`, or vector for a request with only an embedding).
    public var mode: RetrievalMode?
    /// The rankings' weights in hybrid mode (nil: both 1).
    public var weights: FusionWeights?
    /// Spread the results across materials (maximal marginal relevance).
    public var diversify = false
    /// MMR's λ (nil: the server's `retrieval.mmr_lambda`).
    public var mmrLambda: Double?

    /// The largest `top_k`.
    public static let maxTopK = 100

    public init(query: String? = nil, embedding: [Float]? = nil, topK: Int = 5, filter: ChunkFilter = ChunkFilter(),
                minSimilarity: Float? = nil, efSearch: Int? = nil, mode: RetrievalMode? = nil) {
        self.mode = mode
        self.query = query
        self.embedding = embedding
        self.topK = topK
        self.filter = filter
        self.minSimilarity = minSimilarity
        self.efSearch = efSearch
    }

    /// What is wrong with `question` as a retrieval's question, said after its field's name; nil when nothing is.
    public static func questionProblem(_ question: String) -> String? {
        if question.isEmpty { return "is empty" }
        if QuestionText.isBlank(question) { return QuestionText.blankReason }
        if question.unicodeScalars.count > 32_768 { return "is over 32,768 characters" }
        return nil
    }

    /// Checks the fields against their ranges; errors name the field as the API does.
    public func validate() throws(ServiceError) {
        switch (query, embedding) {
        case (nil, nil): throw ServiceError(.invalid, "give \"query\" (a question) or \"embedding\" (a vector)", field: "query")
        case (.some, .some): throw ServiceError(.invalid, "give either \"query\" or \"embedding\", not both", field: "embedding")
        case (let q?, nil):
            if let problem = Self.questionProblem(q) {
                throw ServiceError(.invalid, "\"query\" " + problem, field: "query")
            }
        default: break
        }
        guard (1...Self.maxTopK).contains(topK) else {
            throw ServiceError(.invalid, "\"top_k\" is \(topK); allowed: 1 to \(Self.maxTopK)", field: "top_k")
        }
        if let minSimilarity, !(minSimilarity >= -1 && minSimilarity <= 1) {
            throw ServiceError(.invalid, "\"min_similarity\" is \(minSimilarity); allowed: -1 to 1", field: "min_similarity")
        }
        if let efSearch, !(1...10_000).contains(efSearch) {
            throw ServiceError(.invalid, "\"ef_search\" is \(efSearch); allowed: 1 to 10000", field: "ef_search")
        }
        if let mode, mode != .vector, query == nil {
            throw ServiceError(.unprocessable, "the \(mode.rawValue) mode needs \"query\" (text to match); with only an "
                + "\"embedding\", use \"mode\": \"vector\"", field: "mode")
        }
        if let weights {
            for (name, w) in [("vector", weights.vector), ("keyword", weights.keyword)] where !(w >= 0 && w <= 100) {
                throw ServiceError(.invalid, "\"weights.\(name)\" is \(w); allowed: 0 to 100", field: "weights.\(name)")
            }
            guard weights.vector + weights.keyword > 0 else {
                throw ServiceError(.unprocessable, "\"weights\" are both 0; give one a positive weight", field: "weights")
            }
        }
        if let mmrLambda, !(mmrLambda >= 0 && mmrLambda <= 1) {
            throw ServiceError(.invalid, "\"mmr_lambda\" is \(mmrLambda); allowed: 0 to 1", field: "mmr_lambda")
        }
    }
}

/// One ranked chunk with its citation and provenance fields, and where it stood in each ranking.
public struct RetrievedChunk: Sendable, Hashable {
    public var rank: Int
    public var similarity: Float
    public var chunk: CitedChunk
    public var vectorRank: Int?
    public var keywordRank: Int?
    public var keywordScore: Float?
    public var fusedScore: Double?

    public init(rank: Int, similarity: Float, chunk: CitedChunk, vectorRank: Int? = nil, keywordRank: Int? = nil,
                keywordScore: Float? = nil, fusedScore: Double? = nil) {
        self.rank = rank
        self.similarity = similarity
        self.chunk = chunk
        self.vectorRank = vectorRank
        self.keywordRank = keywordRank
        self.keywordScore = keywordScore
        self.fusedScore = fusedScore
    }
}

/// What a retrieval found and how long each step took.
public struct RetrievalResult: Sendable, Hashable {
    /// The id the retrieval is kept under (`ret_…`), for the dialogue module.
    public var id: String
    /// The embedding model of the index.
    public var model: String
    /// The ranking used.
    public var mode: RetrievalMode
    public var chunks: [RetrievedChunk]
    /// True when the chunks are provably the true top k for the filter (an exact scan ran).
    public var exhaustive: Bool
    public var maxSimilarity: Float?
    public var belowThreshold: Int
    /// Whether the materials look like they hold an answer (see ``GroundingSignals``).
    public var grounding: GroundingSignals
    public var embedMilliseconds: Double
    public var filterMilliseconds: Double
    public var searchMilliseconds: Double
    /// Keyword scoring (part of `searchMilliseconds`).
    public var keywordMilliseconds: Double
    public var fetchMilliseconds: Double
    public var totalMilliseconds: Double
}

