public import CairnEmbedding
import CairnIndex
import CairnKeyword
import CairnStorage
import Foundation

extension MaterialLibrary {
    /// The HNSW ef used when a query gives none: at least the index's own default, and at least
    /// ``efPerCandidate`` times the candidates asked of the vector ranking (see docs/RETRIEVAL.md, "ANN loss").
    public func defaultEf(depth: Int) -> Int {
        min(10_000, max(vectors.configuration.efSearch, Self.efPerCandidate * depth))
    }

    /// ef per vector candidate when the caller gives none.
    public static let efPerCandidate = 4

    /// Candidates each ranking contributes to fusion and diversification: 4 × top k, at least 20.
    public static func candidateDepth(topK: Int) -> Int { min(IndexConfiguration.maxK, max(20, 4 * topK)) }

    /// The `topK` chunks for the question that pass its filter and threshold, ranked by its mode.
    ///
    /// The filter becomes the set of allowed chunk labels (from the in-memory ``catalog``), which the vector
    /// index scans exactly when it is small and admits during its graph walk otherwise, and which the keyword
    /// index applies while scoring; hits are then looked up in the store, and labels whose rows are gone are
    /// dropped. Every mode computes the grounding signals from both rankings (the keyword side needs the
    /// question's text).
    /// - Throws: ``IngestError`` `.configuration` for an empty question, a vector of the wrong dimension, k
    ///   outside 1...1000, or a keyword or hybrid search without text; `.embedding` when the question cannot
    ///   be embedded, `.storage` when the store or index fails.
    /// - Parameter embedder: embeds the question (default: the library's; a server passes its query embedder,
    ///   so questions do not wait behind ingestion batches).
    public func search(_ query: ChunkQuery, embedder: (any Embedder)? = nil) async throws(IngestError)
        -> ChunkSearchResult
    {
        guard (1...IndexConfiguration.maxK).contains(query.topK) else {
            throw IngestError(.configuration, "top-k = \(query.topK) is out of range 1...\(IndexConfiguration.maxK)",
                              field: "top_k")
        }
        let hasText = !query.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        if query.mode != .vector, !hasText {
            throw IngestError(.configuration, "the \(query.mode.rawValue) mode needs the question's text; with only "
                + "an embedding, use the vector mode", field: "mode")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let vector = try await queryVector(query, embedder: embedder ?? self.embedder)
        let embedded = clock.now
        var allowedLabels: AllowedLabels? = nil
        if !query.filter.isEmpty { allowedLabels = catalog.allowed(matching: query.filter) }
        let filtered = clock.now
        let depth = query.mode == .vector && !query.diversify ? query.topK : Self.candidateDepth(topK: query.topK)
        // Labels whose rows were deleted a moment ago may still be in the indexes: ask for a few extra.
        let slack = allowedLabels == nil ? 8 : 0
        var vectorHits: [SearchHit] = []
        var exact = true
        if allowedLabels?.count != 0 {
            let k = min(IndexConfiguration.maxK, depth + slack)
            do {
                let result = try vectors.index.search(vector, options: SearchOptions(
                    k: k, efSearch: query.efSearch ?? defaultEf(depth: k),
                    filter: allowedLabels.map(SearchFilter.allowed), exact: query.exact))
                vectorHits = result.hits
                exact = result.exact
            } catch {
                throw IngestError(.configuration, "searching the chunk index: \(error)")
            }
        }
        let keywordStarted = clock.now
        var keyword: KeywordSearchResult? = nil
        if hasText, allowedLabels?.count != 0 {
            try prepareKeywordIndex()
            keyword = keywords.search(query.text, k: min(IndexConfiguration.maxK, depth + slack),
                                      allowed: allowedLabels?.labels)
        }
        let searched = clock.now
        let ranked = try rank(query, vector: vector, vectorHits: vectorHits, keywordHits: keyword?.hits ?? [])
        // BM25 scores every chunk that shares a term: the keyword ranking is always exhaustive.
        if query.mode == .keyword { exact = true }
        var hits = ranked.hits
        var below = 0
        if let minimum = query.minSimilarity {
            let kept = hits.filter { $0.similarity >= minimum }
            below = min(hits.count, query.topK) - min(kept.count, query.topK)
            hits = kept
        }
        if query.diversify {
            let candidates = hits.map { hit in
                Diversifier.Candidate(relevance: hit.fusedScore ?? Double(query.mode == .keyword
                                          ? hit.keywordScore ?? 0 : hit.similarity),
                                      material: hit.chunk.materialID.rawValue,
                                      vector: vectors.index.vector(for: hit.chunk.chunkID.label))
            }
            hits = Diversifier.select(candidates, count: query.topK, lambda: query.mmrLambda).map { hits[$0] }
        }
        hits = Array(hits.prefix(query.topK))
        let maxSimilarity = ranked.maxSimilarity
        let maxKeyword = keyword?.hits.first?.score
        let grounding = GroundingSignals(
            maxSimilarity: maxSimilarity, maxKeywordScore: maxKeyword,
            belowThreshold: (maxSimilarity ?? -1) < query.grounding.similarity,
            materialsCovered: Set(hits.map(\.chunk.materialID)).count,
            notInMaterials: (maxSimilarity ?? -1) < query.grounding.similarity
                && (maxKeyword ?? 0) < query.grounding.keyword,
            thresholds: query.grounding)
        let done = clock.now
        func ms(_ a: ContinuousClock.Instant, _ b: ContinuousClock.Instant) -> Double {
            let d = b - a
            return Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
        }
        return ChunkSearchResult(
            hits: hits, mode: query.mode, exact: exact, maxSimilarity: maxSimilarity, belowThreshold: below,
            allowedChunks: allowedLabels?.count, grounding: grounding, embedMilliseconds: ms(started, embedded),
            filterMilliseconds: ms(embedded, filtered), searchMilliseconds: ms(filtered, searched),
            keywordMilliseconds: ms(keywordStarted, searched), fetchMilliseconds: ms(searched, done),
            totalMilliseconds: ms(started, done))
    }

    /// The candidates of the query's mode, best first, with their rows (labels without rows dropped before
    /// ranks are counted) and the best vector similarity.
    private func rank(_ query: ChunkQuery, vector: [Float], vectorHits: [SearchHit], keywordHits: [KeywordHit])
        throws(IngestError) -> (hits: [ChunkHit], maxSimilarity: Float?)
    {
        let wanted = query.mode == .keyword ? keywordHits.map(\.label)
            : query.mode == .vector ? vectorHits.map(\.label) : vectorHits.map(\.label) + keywordHits.map(\.label)
        let rows = try store.citedChunks(Array(Set(wanted)).map(ChunkID.init(label:)))
        let liveVector = vectorHits.filter { rows[ChunkID(label: $0.label)] != nil }
        let liveKeyword = keywordHits.filter { rows[ChunkID(label: $0.label)] != nil }
        var similarity: [UInt64: Float] = [:]
        var vectorRank: [UInt64: Int] = [:]
        for (i, hit) in liveVector.enumerated() {
            similarity[hit.label] = hit.similarity
            vectorRank[hit.label] = i + 1
        }
        var keywordRank: [UInt64: (Int, Float)] = [:]
        for (i, hit) in liveKeyword.enumerated() { keywordRank[hit.label] = (i + 1, hit.score) }
        let order: [(label: UInt64, fused: Double?)]
        switch query.mode {
        case .vector: order = liveVector.map { ($0.label, nil) }
        case .keyword: order = liveKeyword.map { ($0.label, nil) }
        case .hybrid:
            order = RankFusion.fuse(vector: liveVector.map(\.label), keyword: liveKeyword.map(\.label),
                                    weights: query.weights).map { ($0.label, $0.score) }
        }
        let hits = order.compactMap { entry -> ChunkHit? in
            guard let chunk = rows[ChunkID(label: entry.label)] else { return nil }
            let cosine = similarity[entry.label] ?? cosineSimilarity(vector, label: entry.label)
            return ChunkHit(chunk: chunk, similarity: cosine, vectorRank: vectorRank[entry.label],
                            keywordRank: keywordRank[entry.label]?.0, keywordScore: keywordRank[entry.label]?.1,
                            fusedScore: entry.fused)
        }
        return (hits, liveVector.first?.similarity)
    }

    /// The cosine similarity of the question to a chunk's stored vector (-1 when it has none).
    private func cosineSimilarity(_ query: [Float], label: UInt64) -> Float {
        guard let v = vectors.index.vector(for: label), v.count == query.count else { return -1 }
        var dot: Float = 0, nq: Float = 0, nv: Float = 0
        for i in v.indices {
            dot += query[i] * v[i]
            nq += query[i] * query[i]
            nv += v[i] * v[i]
        }
        return nq > 0 && nv > 0 ? dot / (nq.squareRoot() * nv.squareRoot()) : 0
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
