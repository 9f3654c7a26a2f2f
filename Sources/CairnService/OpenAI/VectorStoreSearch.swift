public import CairnIngest

/// A search of a vector store as `POST /v1/vector_stores/{id}/search` takes it (OpenAI's shape), where a
/// vector store is one tenant's collection of materials: its id is the tenant (`owner_id`).
public struct VectorStoreSearchRequest: Sendable, Hashable {
    /// The tenant whose materials are searched.
    public var storeID: String
    /// One or more questions (1...``maxQueries``); with several, each chunk scores its best similarity to any.
    public var queries: [String]
    /// How many chunks (1...50).
    public var maxResults: Int
    /// A condition over the materials' attributes (OpenAI's comparison and compound filters).
    public var predicate: MaterialPredicate?
    /// Chunks whose score (cosine similarity) is below this are left out (0...1).
    public var scoreThreshold: Float?

    public static let maxQueries = 10
    public static let maxResultsLimit = 50

    public init(storeID: String, queries: [String], maxResults: Int = 10, predicate: MaterialPredicate? = nil,
                scoreThreshold: Float? = nil) {
        self.storeID = storeID
        self.queries = queries
        self.maxResults = maxResults
        self.predicate = predicate
        self.scoreThreshold = scoreThreshold
    }
}

/// The chunks a vector-store search found, best first.
public struct VectorStoreSearchResult: Sendable {
    public var queries: [String]
    /// Each chunk once, with its best similarity over the queries as its score.
    public var chunks: [RetrievedChunk]
    /// The retrieval records kept for the search (one per query).
    public var retrievalIDs: [String]
}
