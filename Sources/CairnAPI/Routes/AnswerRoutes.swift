import CairnDialogue
import CairnIngest
import CairnService
import Foundation
import Hummingbird

/// `POST /v1/prompt` (the rendered prompt and its citation map, for a backend that calls its own model) and
/// `POST /v1/answer` (Cairn asks the configured chat model and records the dialogue; 501 without one).
struct AnswerRoutes {
    let service: CairnService

    func register(on router: Router<CairnRequestContext>) {
        router.post("/v1/prompt") { request, context in try await prompt(request, context) }
        router.post("/v1/answer") { request, context in try await answer(request, context) }
    }

    func prompt(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        var body = try await BodyReader.jsonObject(request, limit: service.configuration.maxJSONBytes)
        let retrieval = try Self.retrieval(&body)
        try body.rejectUnknown()
        let result = try await service.prompt(retrieval, as: identity)
        return JSONResponse.make([
            "object": "prompt", "retrieval_id": .string(result.retrieval.id), "language": .string(result.language),
            "messages": .array(result.prompt.messages.map { ["role": .string($0.role), "content": .string($0.content)] }),
            "citation_map": .array(result.prompt.chunks.map(Self.mapEntry)),
            "model": .string(service.configuration.llm.baseURL == nil ? nil : service.configuration.llm.model),
        ])
    }

    static func mapEntry(_ c: PromptChunk) -> JSONValue {
        ["marker": .string("[\(c.marker)]"), "number": .int(c.marker), "chunk_id": .int(c.chunkID),
         "material_id": .int(c.materialID), "title": .string(c.title), "page_number": .int(c.pageNumber),
         "source_uri": .string(c.sourceURI), "license_type": .string(c.license), "similarity": .double(c.similarity)]
    }

    /// The retrieval fields; the question is required.
    static func retrieval(_ body: inout RequestObject) throws(ServiceError) -> RetrievalRequest {
        let r = try RetrieveRoutes.parseFields(&body, dimension: 16_384)
        guard let query = r.query, !query.isEmpty else {
            throw ServiceError(.invalid, "\"query\" is missing: give the student's question", field: "query")
        }
        // Checked here too, so /v1/answer refuses it before asking whether a chat model is configured.
        guard !QuestionText.isBlank(query) else {
            throw ServiceError(.invalid, "\"query\" " + QuestionText.blankReason, field: "query")
        }
        guard r.embedding == nil else {
            throw ServiceError(.invalid, "\"embedding\" is not taken here: give the question as \"query\"", field: "embedding")
        }
        try RequestObject.refuseNUL(query, field: "query")
        return r
    }

    func answer(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        var body = try await BodyReader.jsonObject(request, limit: service.configuration.maxJSONBytes)
        let retrieval = try Self.retrieval(&body)
        let user = try body.required("user_id", maxLength: 256)
        let session = try body.required("session_id", maxLength: 256)
        let temperature = try body.number("temperature", 0...2)
        try body.rejectUnknown()
        // A malformed request is a 400 either way; a good one learns what the server lacks.
        if let reason = service.answerUnavailableReason {
            throw ServiceError(.notImplemented, reason, field: "llm.base_url")
        }
        let result = try await service.answer(retrieval, userID: user, sessionID: session, temperature: temperature,
                                              as: identity)
        return JSONResponse.make([
            "object": "answer", "answer": .string(result.answer), "unknown_markers": .array(result.unknownMarkers.map { .int($0) }),
            "attempts": .int(result.attempts), "dialogue": Wire.dialogue(result.dialogue),
        ])
    }
}
