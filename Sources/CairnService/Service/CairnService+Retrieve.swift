import Metrics
import CairnEmbedding
import CairnIngest
import Foundation

extension CairnService {
    /// The top-k chunks for a question, restricted to what `identity` may see.
    ///
    /// A coach key's tenant becomes the filter's owner (a filter naming another owner is refused), so the
    /// index itself only scans or admits that tenant's chunks. The request, its results and scores are kept
    /// under the returned id (written in batches by ``RetrievalLog``).
    /// - Throws: `.invalid` naming the field, `.forbidden` for another tenant's owner, `.notReady`, `.internal`.
    public func retrieve(_ request: RetrievalRequest, as identity: Identity) async throws(ServiceError) -> RetrievalResult {
        let parts = try parts()
        try request.validate()
        var filter = request.filter
        if identity.role == .coach {
            guard let tenant = identity.tenant else { throw ServiceError(.forbidden, "this key has no tenant") }
            if let owner = filter.owner, owner != tenant.rawValue {
                throw ServiceError(.forbidden, "this key may only search tenant \"\(tenant)\"", field: "filters.owner_id")
            }
            filter.owner = tenant.rawValue
        }
        let settings = configuration.retrieval
        let mode = request.mode ?? (request.query == nil ? .vector : settings.mode)
        let search: ChunkSearchResult
        do {
            search = try await parts.library.search(
                ChunkQuery(text: request.query ?? "", vector: request.embedding, topK: request.topK, filter: filter,
                           minSimilarity: request.minSimilarity, efSearch: request.efSearch, mode: mode,
                           weights: request.weights ?? .equal, diversify: request.diversify,
                           mmrLambda: request.mmrLambda ?? settings.mmrLambda, grounding: settings.grounding),
                embedder: parts.queryEmbedder)
        } catch {
            throw ServiceError(error)
        }
        let result = RetrievalResult(
            id: RetrievalLog.newID(), model: parts.library.embedder.model.id, mode: mode,
            chunks: search.hits.enumerated().map { i, hit in
                RetrievedChunk(rank: i + 1, similarity: hit.similarity, chunk: hit.chunk, vectorRank: hit.vectorRank,
                               keywordRank: hit.keywordRank, keywordScore: hit.keywordScore, fusedScore: hit.fusedScore)
            },
            exhaustive: search.exact, maxSimilarity: search.maxSimilarity, belowThreshold: search.belowThreshold,
            grounding: search.grounding, embedMilliseconds: search.embedMilliseconds,
            filterMilliseconds: search.filterMilliseconds, searchMilliseconds: search.searchMilliseconds,
            keywordMilliseconds: search.keywordMilliseconds, fetchMilliseconds: search.fetchMilliseconds,
            totalMilliseconds: search.totalMilliseconds)
        metrics.embed.recordMilliseconds(search.embedMilliseconds)
        metrics.filter.recordMilliseconds(search.filterMilliseconds)
        metrics.search.recordMilliseconds(search.searchMilliseconds)
        metrics.retrieve.recordMilliseconds(search.totalMilliseconds)
        metrics.retrievals.increment()
        parts.retrievals.append(record(of: result, request: request, filter: filter, identity: identity))
        return result
    }

    private func record(of result: RetrievalResult, request: RetrievalRequest, filter: ChunkFilter,
                        identity: Identity) -> RetrievalRecord {
        RetrievalRecord(
            id: result.id, createdAt: Date(), keyID: identity.keyID, tenant: identity.tenant, query: request.query,
            topK: request.topK, filters: Self.filterFields(filter), minSimilarity: request.minSimilarity,
            efSearch: request.efSearch, embeddingGiven: request.embedding != nil,
            results: result.chunks.map {
                .init(rank: $0.rank, chunkID: $0.chunk.chunkID.rawValue, materialID: $0.chunk.materialID.rawValue,
                      similarity: $0.similarity)
            },
            maxSimilarity: result.maxSimilarity, belowThreshold: result.belowThreshold, exhaustive: result.exhaustive,
            timings: ["embed_ms": result.embedMilliseconds, "filter_ms": result.filterMilliseconds,
                      "search_ms": result.searchMilliseconds, "keyword_ms": result.keywordMilliseconds,
                      "fetch_ms": result.fetchMilliseconds,
                      "total_ms": result.totalMilliseconds],
            embeddingModel: result.model)
    }

    static func filterFields(_ f: ChunkFilter) -> [String: RetrievalRecord.FilterValue] {
        var o: [String: RetrievalRecord.FilterValue] = [:]
        if let v = f.owner { o["owner_id"] = .text(v) }
        if let v = f.materialIDs { o["material_ids"] = .ids(v.map(\.rawValue)) }
        if let v = f.externalIDs { o["external_ids"] = .list(v) }
        if let v = f.topic { o["topic"] = .text(v) }
        if !f.tags.isEmpty { o["tags_all"] = .list(f.tags) }
        if let v = f.tagsAny { o["tags_any"] = .list(v) }
        if let v = f.language { o["lang"] = .text(v) }
        if let v = f.contentType { o["content_type"] = .text(v) }
        if let v = f.licenseType { o["license_type"] = .text(v) }
        if let v = f.attributes { o["attributes"] = .text(v.description) }
        return o
    }
}
