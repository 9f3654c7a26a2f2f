import CairnDialogue
import CairnService
import Foundation
import Hummingbird

/// The dialogue log: `POST /v1/dialogues` records an answer, `GET /v1/dialogues` lists, `GET /v1/dialogues/{id}`
/// reads one, `POST /v1/dialogues/{id}/feedback` takes the student's verdict. Coach keys work within their
/// tenant; another tenant's dialogue answers 404.
struct DialogueRoutes {
    let service: CairnService

    func register(on router: Router<CairnRequestContext>) {
        router.post("/v1/dialogues") { request, context in try await record(request, context) }
        router.get("/v1/dialogues") { request, context in try list(request, context) }
        router.get("/v1/dialogues/{id}") { request, context in try one(request, context) }
        router.post("/v1/dialogues/{id}/feedback") { request, context in try await feedback(request, context) }
    }

    func record(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        var body = try await BodyReader.jsonObject(request, limit: service.configuration.maxJSONBytes)
        let submission = try Self.parse(&body)
        let stored = try await UploadRoutes.offload { [service] in try service.recordDialogue(submission, as: identity) }
        return JSONResponse.make(Wire.dialogue(stored), status: .created)
    }

    static let textLimit = 65_536

    static func parse(_ body: inout RequestObject) throws(ServiceError) -> DialogueSubmission {
        let userID = try body.required("user_id", maxLength: 256)
        let sessionID = try body.required("session_id", maxLength: 256)
        let query = try body.required("query", maxLength: 32_768)
        let response = try body.required("response", maxLength: textLimit, minLength: 0)
        let model = try body.required("model_used", maxLength: 256)
        guard let promptTokens = try body.int("prompt_tokens", 0...100_000_000) else {
            throw ServiceError(.invalid, "\"prompt_tokens\" is missing", field: "prompt_tokens")
        }
        guard let completionTokens = try body.int("completion_tokens", 0...100_000_000) else {
            throw ServiceError(.invalid, "\"completion_tokens\" is missing", field: "completion_tokens")
        }
        guard var latency = try body.object("latency_ms") else {
            throw ServiceError(.invalid, "\"latency_ms\" is missing: give at least {\"total\": milliseconds}",
                               field: "latency_ms")
        }
        let limit = 0.0...3_600_000.0
        guard let total = try latency.number("total", limit) else {
            throw ServiceError(.invalid, "\"latency_ms.total\" is missing", field: "latency_ms.total")
        }
        var input = DialogueInput(tenant: "", userID: userID, sessionID: sessionID, query: query, response: response,
                                  modelUsed: model, latencyTotalMilliseconds: total, promptTokens: promptTokens,
                                  completionTokens: completionTokens)
        input.latencyRetrievalMilliseconds = try latency.number("retrieval", limit)
        input.latencyGenerationMilliseconds = try latency.number("generation", limit)
        try latency.rejectUnknown()
        if let id = try body.string("retrieval_id", maxLength: 64) {
            guard id.range(of: "^ret_[0-9a-f]{28}$", options: .regularExpression) != nil else {
                throw body.invalid("retrieval_id", "is not a retrieval id (ret_ and 28 hex digits, as /v1/retrieve gives)")
            }
            input.retrievalID = id
        }
        for (i, var c) in (try body.objects("citations", maxCount: DialogueStore.maxCitations) ?? []).enumerated() {
            guard let chunk = try Self.chunkID(&c) else {
                throw ServiceError(.invalid, "\"citations[\(i)].chunk_id\" is missing", field: "citations[\(i)].chunk_id")
            }
            let marker = try c.string("marker", maxLength: 32)
            let quote = try c.string("quote", maxLength: 4_096)
            if let marker { try RequestObject.refuseNUL(marker, field: "citations[\(i)].marker") }
            if let quote { try RequestObject.refuseNUL(quote, field: "citations[\(i)].quote") }
            try c.rejectUnknown()
            input.citations.append(.init(chunkID: chunk, marker: marker, quote: quote))
        }
        input.temperature = try body.number("temperature", 0...2)
        input.contextWindowSize = try body.int("context_window_size", 0...100_000_000)
        input.relevanceScore = try body.number("relevance_score", 0...1)
        let tenant = try body.string("tenant", maxLength: 256)
        if let tenant { try RequestObject.refuseNUL(tenant, field: "tenant") }
        if let raw = try body.string("created_at", maxLength: 64) {
            guard let date = RFC3339.date(raw) else {
                throw body.invalid("created_at", "must be an RFC 3339 date-time (2026-12-04T09:30:00Z)")
            }
            guard date.timeIntervalSince1970 >= 946_684_800, date.timeIntervalSinceNow < 86_400 else {
                throw ServiceError(.unprocessable, "\"created_at\" must be from 2000 up to now", field: "created_at")
            }
            input.createdAt = date
        }
        try body.rejectUnknown()
        return DialogueSubmission(input: input, tenant: tenant)
    }

    private static func chunkID(_ c: inout RequestObject) throws(ServiceError) -> Int64? {
        try c.id("chunk_id")
    }

    func list(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        var query = QueryParameters(request)
        var q = DialogueQuery()
        q.tenant = query.string("tenant")
        q.userID = query.string("user_id")
        q.sessionID = query.string("session_id")
        q.from = try Self.time(&query, "from")
        q.to = try Self.time(&query, "to")
        q.before = try query.cursor()
        q.limit = try query.int("limit", 1...1_000) ?? 50
        try query.rejectUnknown()
        let page = try service.dialogues(q, as: identity)
        return JSONResponse.make(Wire.list(page.items.map(Wire.dialogue), nextCursor: page.next))
    }

    static func time(_ query: inout QueryParameters, _ key: String) throws(ServiceError) -> Date? {
        guard let raw = query.string(key) else { return nil }
        guard let date = RFC3339.date(raw) else {
            throw ServiceError(.invalid, "\"\(key)\" is \"\(raw)\"; give an RFC 3339 date (2026-12-04) or date-time",
                               field: key)
        }
        return date
    }

    func one(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        let id = try context.parameters.id(what: "dialogue")
        return JSONResponse.make(Wire.dialogue(try service.dialogue(id, as: identity)))
    }

    func feedback(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        let id = try context.parameters.id(what: "dialogue")
        var body = try await BodyReader.jsonObject(request, limit: service.configuration.maxJSONBytes)
        guard let value = try body.int("user_feedback", -1...1) else {
            throw ServiceError(.invalid, "\"user_feedback\" is missing: give -1, 0 or 1", field: "user_feedback")
        }
        try body.rejectUnknown()
        let updated = try await UploadRoutes.offload { [service] in try service.setFeedback(id, value, as: identity) }
        return JSONResponse.make(Wire.dialogue(updated))
    }
}
