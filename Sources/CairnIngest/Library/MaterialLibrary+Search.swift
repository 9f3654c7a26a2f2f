import CairnEmbedding
import CairnIndex
import CairnStorage
import Foundation

/// A question for ``MaterialLibrary/search(_:)``.
public struct ChunkQuery: Sendable, Hashable {
    public var text: String
    public var topK: Int
    public var filter: ChunkFilter
    /// Hits below this cosine similarity are dropped.
    public var minSimilarity: Float?
    /// HNSW ef for this query (nil: the index default).
    public var efSearch: Int?

    public init(text: String, topK: Int = 5, filter: ChunkFilter = ChunkFilter(), minSimilarity: Float? = nil,
                efSearch: Int? = nil) {
        self.text = text
        self.topK = topK
        self.filter = filter
        self.minSimilarity = minSimilarity
        self.efSearch = efSearch
    }
}

/// One search hit, ready to cite.
public struct ChunkHit: Sendable, Hashable, Codable {
    public var chunk: CitedChunk
    /// Cosine similarity of the chunk to the question.
    public var similarity: Float
}

/// Search results and where the time went.
public struct ChunkSearchResult: Sendable, Hashable, Codable {
    public var hits: [ChunkHit]
    /// Whether the hits are the true top k (a filtered set small enough for an exact scan).
    public var exact: Bool
    public var embedMilliseconds: Double
    public var filterMilliseconds: Double
    public var searchMilliseconds: Double
    public var fetchMilliseconds: Double
    public var totalMilliseconds: Double
}

extension MaterialLibrary {
    /// The `topK` chunks most similar to the question that pass its filter and threshold.
    /// - Throws: ``IngestError`` `.configuration` for an empty question or k outside 1...1000, `.embedding`
    ///   when the question cannot be embedded, `.storage` when the store or index fails.
    public func search(_ query: ChunkQuery) async throws(IngestError) -> ChunkSearchResult {
        let text = query.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw IngestError(.configuration, "the question is empty") }
        guard (1...IndexConfiguration.maxK).contains(query.topK) else {
            throw IngestError(.configuration, "top-k = \(query.topK) is out of range 1...\(IndexConfiguration.maxK)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let vector: [Float]
        do {
            guard let first = try await embedder.embed([text]).vectors.first else {
                throw IngestError(.embedding, "the embedder returned no vector for the question")
            }
            vector = first
        } catch let error as EmbeddingError {
            throw IngestError(.embedding, "embedding the question: \(error)")
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError(.embedding, "embedding the question: \(error)")
        }
        let embedded = clock.now
        var filter: SearchFilter? = nil
        if !query.filter.isEmpty {
            filter = .labels(Set(try store.chunkIDs(filter: query.filter).map(\.label)))
        }
        let filtered = clock.now
        // Labels whose rows were deleted a moment ago may still be in the index: ask for a few extra.
        let k = min(IndexConfiguration.maxK, query.topK + (filter == nil ? 8 : 0))
        let result: SearchResult
        do {
            result = try vectors.index.search(vector, options: SearchOptions(k: k, efSearch: query.efSearch, filter: filter))
        } catch {
            throw IngestError(.storage, "searching the chunk index: \(error)")
        }
        let searched = clock.now
        var hits = result.hits
        if let minimum = query.minSimilarity { hits = hits.filter { $0.similarity >= minimum } }
        let rows = try store.citedChunks(hits.map { ChunkID(label: $0.label) })
        let cited = hits.compactMap { hit in
            rows[ChunkID(label: hit.label)].map { ChunkHit(chunk: $0, similarity: hit.similarity) }
        }
        let done = clock.now
        func ms(_ a: ContinuousClock.Instant, _ b: ContinuousClock.Instant) -> Double {
            let d = b - a
            return Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
        }
        return ChunkSearchResult(
            hits: Array(cited.prefix(query.topK)), exact: result.exact, embedMilliseconds: ms(started, embedded),
            filterMilliseconds: ms(embedded, filtered), searchMilliseconds: ms(filtered, searched),
            fetchMilliseconds: ms(searched, done), totalMilliseconds: ms(started, done))
    }
}
