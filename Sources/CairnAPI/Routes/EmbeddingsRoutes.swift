import CairnService
import Foundation
import Hummingbird

/// `POST /v1/embeddings` in OpenAI's wire format, so the official clients work with their base URL set to
/// Cairn: the vectors of the model the index holds, as floats or as base64 of little-endian float32.
struct EmbeddingsRoutes {
    let service: CairnService

    /// How the vectors are written.
    enum Encoding: String, CaseIterable {
        case float, base64
    }

    func register(on router: Router<CairnRequestContext>) {
        router.post("/v1/embeddings") { request, context in try await embeddings(request, context) }
    }

    func embeddings(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        var body = try await BodyReader.jsonObject(request, limit: service.configuration.maxJSONBytes)
        let (embeddingsRequest, encoding) = try Self.parse(&body)
        let result = try await service.embed(embeddingsRequest, as: identity)
        var buffer = ByteBuffer()
        buffer.writeBytes(Wire.embeddings(result, base64: encoding == .base64))
        var response = Response(status: .ok, headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: buffer))
        response.headers[RequestMiddleware.serverTimingHeader] = String(format: "embed;dur=%.3f", result.milliseconds)
        return response
    }

    static func parse(_ body: inout RequestObject) throws(ServiceError) -> (EmbeddingsRequest, Encoding) {
        let inputs = try parseInput(body.value("input"))
        guard let model = try body.string("model", maxLength: 256) else {
            throw ServiceError(.invalid, "\"model\" is missing; give the embedding model's id", field: "model")
        }
        var encoding = Encoding.float
        if let raw = try body.string("encoding_format", maxLength: 64) {
            guard let value = Encoding(rawValue: raw) else {
                throw body.invalid("encoding_format", "is \"\(raw)\"; allowed: float, base64")
            }
            encoding = value
        }
        let dimensions = try body.int("dimensions", 1...1_000_000)
        _ = try body.string("user", maxLength: 512)  // OpenAI's end-user id: accepted, not used.
        try body.rejectUnknown()
        return (EmbeddingsRequest(inputs: inputs, model: model, dimensions: dimensions), encoding)
    }

    /// `input`: a string or a list of strings; token-id lists (OpenAI also takes those) are refused by name.
    static func parseInput(_ value: Any?) throws(ServiceError) -> [String] {
        let tokens = "token ids are not accepted here; send the text (Cairn tokenizes it with its model's tokenizer)"
        switch value {
        case nil:
            throw ServiceError(.invalid, "\"input\" is missing; give a string or a list of strings", field: "input")
        case let text as String:
            return [text]
        case let list as [Any]:
            // The count and each text's length are the service's to check (CairnService.embed).
            var texts: [String] = []
            texts.reserveCapacity(list.count)
            for (i, item) in list.enumerated() {
                switch item {
                case let text as String: texts.append(text)
                case let n as NSNumber where !RequestObject.isBool(n):
                    throw ServiceError(.invalid, "\"input[\(i)]\": \(tokens)", field: "input[\(i)]")
                case is [Any]:
                    throw ServiceError(.invalid, "\"input[\(i)]\": \(tokens)", field: "input[\(i)]")
                default:
                    throw ServiceError(.invalid, "\"input[\(i)]\" must be a string", field: "input[\(i)]")
                }
            }
            return texts
        default:
            throw ServiceError(.invalid, "\"input\" must be a string or a list of strings", field: "input")
        }
    }
}
