import CairnIngest
import Foundation

extension CairnService {
    /// Searches one tenant's materials the way OpenAI's vector-store search does: each query is a retrieval
    /// restricted to the tenant (and to `predicate`) inside the index; with several queries, a chunk keeps
    /// its best similarity and the best `maxResults` chunks come back. Ranked by vector similarity, which is
    /// the `score` OpenAI's clients read and compare across queries.
    /// - Throws: `.notFound` for a store that is not the caller's tenant (coach keys) or has no materials
    ///   (admin keys); `.invalid` naming `query`, `query[i]`, `max_num_results` or
    ///   `ranking_options.score_threshold`; `.notReady`; `.internal`.
    public func searchVectorStore(_ request: VectorStoreSearchRequest, as identity: Identity)
        async throws(ServiceError) -> VectorStoreSearchResult
    {
        let parts = try parts()
        let known = identity.role == .coach ? identity.tenant?.rawValue.utf8.elementsEqual(request.storeID.utf8) ?? false
            : parts.library.catalog.hasOwner(request.storeID)
        guard known else {
            throw ServiceError(.notFound, "no vector store \"\(request.storeID)\"; a vector store is a tenant's "
                + "materials (its owner_id)\(identity.role == .coach ? ", and this key may search only its own" : "")")
        }
        guard !request.queries.isEmpty else { throw ServiceError(.invalid, "\"query\" is empty", field: "query") }
        guard request.queries.count <= VectorStoreSearchRequest.maxQueries else {
            throw ServiceError(.invalid, "\"query\" has \(request.queries.count) questions; allowed: at most "
                + "\(VectorStoreSearchRequest.maxQueries)", field: "query")
        }
        let many = request.queries.count > 1
        for (i, q) in request.queries.enumerated() {
            let field = many ? "query[\(i)]" : "query"
            if let problem = RetrievalRequest.questionProblem(q) {
                throw ServiceError(.invalid, "\"\(field)\" " + problem, field: field)
            }
        }
        guard (1...VectorStoreSearchRequest.maxResultsLimit).contains(request.maxResults) else {
            throw ServiceError(.invalid, "\"max_num_results\" is \(request.maxResults); allowed: 1 to "
                + "\(VectorStoreSearchRequest.maxResultsLimit)", field: "max_num_results")
        }
        if let t = request.scoreThreshold, !(t >= 0 && t <= 1) {
            throw ServiceError(.invalid, "\"ranking_options.score_threshold\" is \(t); allowed: 0 to 1",
                               field: "ranking_options.score_threshold")
        }
        var best: [ChunkID: RetrievedChunk] = [:]
        var ids: [String] = []
        for q in request.queries {
            let filter = ChunkFilter(owner: request.storeID, attributes: request.predicate)
            let result = try await retrieve(
                RetrievalRequest(query: q, topK: request.maxResults, filter: filter,
                                 minSimilarity: request.scoreThreshold, mode: .vector), as: identity)
            ids.append(result.id)
            for hit in result.chunks where (best[hit.chunk.chunkID]?.similarity ?? -.infinity) < hit.similarity {
                best[hit.chunk.chunkID] = hit
            }
        }
        let ranked = best.values.sorted { ($0.similarity, $1.chunk.chunkID.rawValue) > ($1.similarity, $0.chunk.chunkID.rawValue) }
            .prefix(request.maxResults).enumerated().map { i, hit in
                var hit = hit
                hit.rank = i + 1
                return hit
            }
        return VectorStoreSearchResult(queries: request.queries, chunks: ranked, retrievalIDs: ids)
    }
}
