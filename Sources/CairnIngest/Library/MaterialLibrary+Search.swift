public import CairnEmbedding
import CairnIndex
import CairnStorage
import Foundation

/// A question for ``MaterialLibrary/search(_:)``: its text (embedded with the library's embedder) or a vector.
public struct ChunkQuery: Sendable, Hashable {
    public var text: String
    /// A query vector of the index's dimension; when set, `text` is not embedded (it may be empty).
    public var vector: [Float]?
    public var topK: Int
    public var filter: ChunkFilter
    /// Hits below this cosine similarity are dropped.
    public var minSimilarity: Float?
    /// HNSW ef for this query (nil: the index default).
    public var efSearch: Int?

    public init(text: String, vector: [Float]? = nil, topK: Int = 5, filter: ChunkFilter = ChunkFilter(),
                minSimilarity: Float? = nil, efSearch: Int? = nil) {
        self.text = text
        self.vector = vector
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
    /// The best similarity among the candidates, before the threshold dropped any (nil: no candidates).
    public var maxSimilarity: Float?
    /// Candidates the `minSimilarity` threshold dropped.
    public var belowThreshold: Int
    /// Chunks the filter allowed (nil: no filter).
    public var allowedChunks: Int?
    public var embedMilliseconds: Double
    public var filterMilliseconds: Double
    public var searchMilliseconds: Double
    public var fetchMilliseconds: Double
    public var totalMilliseconds: Double
}

extension MaterialLibrary {
    /// The `topK` chunks most similar to the question that pass its filter and threshold.
    ///
    /// The filter becomes the set of allowed chunk labels (from the in-memory ``catalog``), which the index
    /// scans exactly when it is small and admits during its graph walk otherwise; hits are then looked up in
    /// the store, and labels whose rows are gone are dropped.
    /// - Throws: ``IngestError`` `.configuration` for an empty question, a vector of the wrong dimension or k
    ///   outside 1...1000, `.embedding` when the question cannot be embedded, `.storage` when the store or index
    ///   fails.
    /// - Parameter embedder: embeds the question (default: the library's; a server passes its query embedder,
    ///   so questions do not wait behind ingestion batches).
    public func search(_ query: ChunkQuery, embedder: (any Embedder)? = nil) async throws(IngestError)
        -> ChunkSearchResult
    {
        guard (1...IndexConfiguration.maxK).contains(query.topK) else {
            throw IngestError(.configuration, "top-k = \(query.topK) is out of range 1...\(IndexConfiguration.maxK)",
                              field: "top_k")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let vector = try await queryVector(query, embedder: embedder ?? self.embedder)
        let embedded = clock.now
        var filter: SearchFilter? = nil
        var allowed: Int? = nil
        if !query.filter.isEmpty {
            let labels = catalog.allowed(matching: query.filter)
            allowed = labels.count
            filter = .allowed(labels)
        }
        let filtered = clock.now
        var hits: [SearchHit] = []
        var exact = true
        if allowed != 0 {
            // Labels whose rows were deleted a moment ago may still be in the index: ask for a few extra.
            let k = min(IndexConfiguration.maxK, query.topK + (filter == nil ? 8 : 0))
            do {
                let result = try vectors.index.search(vector, options: SearchOptions(k: k, efSearch: query.efSearch,
                                                                                    filter: filter))
                hits = result.hits
                exact = result.exact
            } catch {
                throw IngestError(.configuration, "searching the chunk index: \(error)")
            }
        }
        let searched = clock.now
        let rows = try store.citedChunks(hits.map { ChunkID(label: $0.label) })
        var candidates = hits.compactMap { hit in
            rows[ChunkID(label: hit.label)].map { ChunkHit(chunk: $0, similarity: hit.similarity) }
        }
        let maxSimilarity = candidates.first?.similarity
        var below = 0
        if let minimum = query.minSimilarity {
            let kept = candidates.filter { $0.similarity >= minimum }
            below = min(candidates.count, query.topK) - min(kept.count, query.topK)
            candidates = kept
        }
        let done = clock.now
        func ms(_ a: ContinuousClock.Instant, _ b: ContinuousClock.Instant) -> Double {
            let d = b - a
            return Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
        }
        return ChunkSearchResult(
            hits: Array(candidates.prefix(query.topK)), exact: exact, maxSimilarity: maxSimilarity,
            belowThreshold: below, allowedChunks: allowed, embedMilliseconds: ms(started, embedded),
            filterMilliseconds: ms(embedded, filtered), searchMilliseconds: ms(filtered, searched),
            fetchMilliseconds: ms(searched, done), totalMilliseconds: ms(started, done))
    }

    /// The query's vector: given, or the embedding of its text.
    private func queryVector(_ query: ChunkQuery, embedder: any Embedder) async throws(IngestError) -> [Float] {
        if let vector = query.vector {
            let dimension = vectors.configuration.dimension
            guard vector.count == dimension else {
                throw IngestError(.configuration, "the embedding has \(vector.count) values; the index holds "
                    + "\(dimension)-dimensional vectors of \(embedder.model.id)", field: "embedding")
            }
            guard vector.allSatisfy(\.isFinite) else {
                throw IngestError(.configuration, "the embedding has a non-finite value", field: "embedding")
            }
            return vector
        }
        guard !query.text.isEmpty else { throw IngestError(.configuration, "the question is empty", field: "query") }
        // Surrounding space does not change the question; one of only space is embedded as it is.
        let trimmed = query.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = trimmed.isEmpty ? query.text : trimmed
        do {
            guard let first = try await embedder.embed([text]).vectors.first else {
                throw IngestError(.embedding, "the embedder returned no vector for the question")
            }
            return first
        } catch let error as EmbeddingError {
            throw IngestError(.embedding, "embedding the question: \(error)")
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError(.embedding, "embedding the question: \(error)")
        }
    }
}
