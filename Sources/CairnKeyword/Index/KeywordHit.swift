/// One keyword match.
public struct KeywordHit: Sendable, Hashable {
    /// The chunk's label.
    public var label: UInt64
    /// The BM25 score divided by the query's ceiling (see ``KeywordSearchResult/ceiling``): in 0..<1, where
    /// values near 1 mean every term of the question occurs, often, in a chunk of typical length.
    public var score: Float
    /// The raw BM25 score.
    public var bm25: Float
}

/// What a keyword search found.
public struct KeywordSearchResult: Sendable, Hashable {
    /// The best hits, best first (ties by label).
    public var hits: [KeywordHit]
    /// The question's distinct terms.
    public var terms: [String]
    /// Terms of the question that no indexed chunk holds.
    public var unknownTerms: Int
    /// The highest BM25 score a chunk could reach for this question: Σ idf(t) · (k1 + 1) over its distinct
    /// terms, unknown terms counted at the highest idf (so a question mostly about things the materials never
    /// mention scores low even where one of its words matches).
    public var ceiling: Float
    /// Chunks that matched at least one term (and the filter).
    public var matched: Int
}
