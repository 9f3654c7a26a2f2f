public import CairnEmbedding
import CairnIndex
import CairnKeyword
import CairnStorage
import CairnVectorMath
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
    /// - Throws: ``IngestError`` `.configuration` for a question that is empty or only whitespace (without a
    ///   vector), a vector of the wrong dimension, k outside 1...1000, or a keyword or hybrid search without
    ///   text; `.embedding` when the question cannot be embedded, `.storage` when the store or index fails.
    /// - Parameter embedder: embeds the question (default: the library's; a server passes its query embedder,
    ///   so questions do not wait behind ingestion batches).
    public func search(_ query: ChunkQuery, embedder: (any Embedder)? = nil) async throws(IngestError)
        -> ChunkSearchResult
    {
        guard (1...IndexConfiguration.maxK).contains(query.topK) else {
            throw IngestError(.configuration, "top-k = \(query.topK) is out of range 1...\(IndexConfiguration.maxK)",
                              field: "top_k")
        }
        let hasText = !QuestionText.isBlank(query.text)
        if query.vector == nil, !hasText {
            throw IngestError(.configuration, query.text.isEmpty ? "the question is empty"
                              : "the question " + QuestionText.blankReason, field: "query")
        }
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
        // Each ranking is asked for what the mode needs of it: the fused and diversified modes take 4 × top k
        // candidates of both; a single ranking takes top k of its own and only the best of the other (for the
        // grounding signals).
        let depth = Self.candidateDepth(topK: query.topK)
        let single = query.diversify ? depth : query.topK
        let vectorDepth = query.mode == .hybrid ? depth : query.mode == .vector ? single : 1
        let keywordDepth = query.mode == .hybrid ? depth : query.mode == .keyword ? single : 1
        // Labels whose rows were deleted a moment ago may still be in the indexes: ask for a few extra.
        let slack = allowedLabels == nil ? 8 : 0
        var vectorHits: [SearchHit] = []
        var exact = true
        if allowedLabels?.count != 0 {
            let k = min(IndexConfiguration.maxK, vectorDepth + slack)
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
            keyword = keywords.search(query.text, k: min(IndexConfiguration.maxK, keywordDepth + slack),
                                      allowed: allowedLabels?.labels)
        }
        let searched = clock.now
        // BM25 scores every chunk that shares a term: the keyword ranking is always exhaustive.
        if query.mode == .keyword { exact = true }
        let order = Self.candidates(query, vectorHits: vectorHits, keywordHits: keyword?.hits ?? [])
        let materialized = try materialize(order, query: query, vector: vector,
                                           needed: query.diversify ? order.count : query.topK)
        var hits = materialized.hits
        let below = materialized.below
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
        let maxSimilarity = vectorHits.first?.similarity
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

    /// One candidate of the query's ranking, before its row is read.
    struct Candidate {
        var label: UInt64
        var similarity: Float?
        var vectorRank: Int?
        var keywordRank: Int?
        var keywordScore: Float?
        var fused: Double?
    }

    /// The candidates of the query's mode, best first, with their ranks in each ranking.
    static func candidates(_ query: ChunkQuery, vectorHits: [SearchHit], keywordHits: [KeywordHit]) -> [Candidate] {
        var byLabel: [UInt64: Candidate] = [:]
        for (i, hit) in vectorHits.enumerated() {
            byLabel[hit.label] = Candidate(label: hit.label, similarity: hit.similarity, vectorRank: i + 1)
        }
        for (i, hit) in keywordHits.enumerated() {
            byLabel[hit.label, default: Candidate(label: hit.label)].keywordRank = i + 1
            byLabel[hit.label]!.keywordScore = hit.score
        }
        switch query.mode {
        case .vector: return vectorHits.map { byLabel[$0.label]! }
        case .keyword: return keywordHits.map { byLabel[$0.label]! }
        case .hybrid:
            return RankFusion.fuse(vector: vectorHits.map(\.label), keyword: keywordHits.map(\.label),
                                   weights: query.weights).map { fused in
                var c = byLabel[fused.label]!
                c.fused = fused.score
                return c
            }
        }
    }

    /// Reads the rows of candidates in order until `needed` pass `minSimilarity` (labels without a row are
    /// skipped); also counts the candidates among the first top k that the threshold dropped.
    private func materialize(_ order: [Candidate], query: ChunkQuery, vector: [Float], needed: Int)
        throws(IngestError) -> (hits: [ChunkHit], below: Int)
    {
        var hits: [ChunkHit] = []
        var below = 0, live = 0, next = 0
        // The question at unit length, once: the index keeps its vectors normalised (cosine), so a stored
        // vector's similarity is one dot product with the index's own kernel.
        var unit = vector
        unit.withUnsafeMutableBufferPointer { _ = normalize($0.baseAddress!, count: $0.count) }
        let kernel = DistanceKernel(metric: .cosine, dimension: unit.count)
        while hits.count < needed, next < order.count {
            let batch = order[next..<min(order.count, next + max(16, needed - hits.count + 8))]
            next += batch.count
            let rows = try store.citedChunks(batch.map { ChunkID(label: $0.label) })
            for c in batch {
                guard let chunk = rows[ChunkID(label: c.label)] else { continue }
                live += 1
                let similarity = c.similarity ?? cosineSimilarity(unit, label: c.label, kernel: kernel)
                if let minimum = query.minSimilarity, similarity < minimum {
                    if live <= query.topK { below += 1 }
                    continue
                }
                guard hits.count < needed else { continue }
                hits.append(ChunkHit(chunk: chunk, similarity: similarity, vectorRank: c.vectorRank,
                                     keywordRank: c.keywordRank, keywordScore: c.keywordScore, fusedScore: c.fused))
            }
        }
        return (hits, below)
    }

    /// The cosine similarity of the unit-length question to a chunk's stored vector (-1 when it has none).
    private func cosineSimilarity(_ unit: [Float], label: UInt64, kernel: DistanceKernel) -> Float {
        guard let v = vectors.index.vector(for: label), v.count == unit.count else { return -1 }
        return 1 - unit.withUnsafeBufferPointer { q in v.withUnsafeBufferPointer { kernel.distance(q.baseAddress!, $0.baseAddress!) } }
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
        // Surrounding space does not change the question. One of only whitespace was refused above; one that
        // Foundation trims to nothing (a lone U+200B, which it counts as space) is embedded as it is.
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
