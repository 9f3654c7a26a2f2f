import Foundation
import CairnIngest
import CairnService
import Hummingbird

/// `POST /v1/retrieve`: the chunks that ground an answer.
struct RetrieveRoutes {
    let service: CairnService

    func register(on router: Router<CairnRequestContext>) {
        router.post("/v1/retrieve") { request, context in try await retrieve(request, context) }
    }

    func retrieve(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        var body = try await BodyReader.jsonObject(request, limit: service.configuration.maxJSONBytes)
        let retrieval = try Self.parse(&body, dimension: service.model.dimension ?? 16_384)
        let result = try await service.retrieve(retrieval, as: identity)
        var response = JSONResponse.make(Wire.retrieval(result))
        response.headers[RequestMiddleware.serverTimingHeader] = String(
            format: "embed;dur=%.3f, filter;dur=%.3f, search;dur=%.3f, keyword;dur=%.3f, fetch;dur=%.3f",
            result.embedMilliseconds, result.filterMilliseconds, result.searchMilliseconds, result.keywordMilliseconds,
            result.fetchMilliseconds)
        return response
    }

    static func parse(_ body: inout RequestObject, dimension: Int) throws(ServiceError) -> RetrievalRequest {
        let r = try parseFields(&body, dimension: dimension)
        try body.rejectUnknown()
        return r
    }

    /// The retrieval fields of a body that may hold others (`/v1/prompt`, `/v1/answer`).
    static func parseFields(_ body: inout RequestObject, dimension: Int) throws(ServiceError) -> RetrievalRequest {
        var r = RetrievalRequest()
        r.query = try body.string("query", maxLength: 32_768)
        r.embedding = try body.floats("embedding", maxCount: max(1, dimension))
        if let embedding = r.embedding, embedding.count != dimension {
            throw ServiceError(.invalid, "\"embedding\" has \(embedding.count) numbers; the index holds \(dimension)-"
                + "dimensional vectors", field: "embedding")
        }
        r.topK = try body.int("top_k", 1...RetrievalRequest.maxTopK) ?? 5
        r.minSimilarity = try body.number("min_similarity", -1...1).map(Float.init)
        r.efSearch = try body.int("ef_search", 1...10_000)
        if let mode = try body.string("mode", maxLength: 64) {
            guard let parsed = RetrievalMode(rawValue: mode) else {
                throw body.invalid("mode", "is \"\(mode)\"; allowed: vector, keyword, hybrid")
            }
            r.mode = parsed
        }
        if var w = try body.object("weights") {
            r.weights = FusionWeights(vector: try w.number("vector", 0...100) ?? 1, keyword: try w.number("keyword", 0...100) ?? 1)
            try w.rejectUnknown()
        }
        r.diversify = try body.bool("diversify") ?? false
        r.mmrLambda = try body.number("mmr_lambda", 0...1)
        if var f = try body.object("filters") {
            r.filter = try parseFilter(&f)
            try f.rejectUnknown()
        }
        return r
    }

    static func parseFilter(_ f: inout RequestObject) throws(ServiceError) -> ChunkFilter {
        var filter = ChunkFilter()
        filter.owner = try f.string("owner_id", maxLength: 256)
        filter.materialIDs = try f.ints("material_ids")?.map(MaterialID.init(rawValue:))
        filter.externalIDs = try f.strings("external_ids")
        filter.topic = try f.string("topic", maxLength: 1_024)
        filter.tagsAny = try f.strings("tags_any", maxCount: 1_000)
        filter.tags = try f.strings("tags_all", maxCount: 1_000) ?? []
        if let lang = try f.string("lang", maxLength: 64) {
            guard MetadataFields.isLanguageTag(lang), let tag = MetadataFields.normalizeLanguage(lang) else {
                throw f.invalid("lang", "is \"\(lang)\"; allowed: a language tag such as en, ko, zh-Hans or zh-Hant")
            }
            filter.language = tag
        }
        if let type = try f.string("content_type", maxLength: 64) {
            guard ContentType(rawValue: type) != nil else {
                throw f.invalid("content_type", "is \"\(type)\"; allowed: "
                    + ContentType.allCases.map(\.rawValue).joined(separator: ", "))
            }
            filter.contentType = type
        }
        if let license = try f.string("license_type", maxLength: 64) {
            guard LicenseType(rawValue: license) != nil else {
                throw f.invalid("license_type", "is \"\(license)\"; allowed: an identifier such as "
                    + LicenseType.known.joined(separator: ", "))
            }
            filter.licenseType = LicenseType.known.first { $0.caseInsensitiveCompare(license) == .orderedSame } ?? license
        }
        return filter
    }
}
