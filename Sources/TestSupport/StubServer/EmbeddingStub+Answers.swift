import CairnEmbedding
import CairnHTTP
import Foundation

extension EmbeddingStub {
    /// The answer to one request: routing, authentication, the next scripted fault, or vectors.
    func answer(_ request: StubHTTPRequest) -> StubHTTPResponse {
        guard request.path == path else { return error(404, "no route for \(request.path)", code: "not_found") }
        guard request.method == "POST" else { return error(405, "use POST", code: "method_not_allowed") }
        if let apiKey, request.headers["authorization"] != "Bearer \(apiKey)" {
            return error(401, "Incorrect API key provided", code: "invalid_api_key")
        }
        let fault = nextFault()
        let body = json(of: request)
        let texts = inputs(of: request)
        guard !texts.isEmpty else { return error(400, "input must be a non-empty string or array", code: "invalid_request") }
        var dimension = (body["dimensions"] as? Int) ?? self.dimension
        var vectors = texts.map { Self.vector(for: $0, dimension: dimension) }
        let tokens = texts.reduce(0) { $0 + Self.tokenCount($1) }
        var delay = responseDelay

        switch fault {
        case .rateLimited(let seconds, let milliseconds)?:
            var headers: [(String, String)] = []
            if let seconds { headers.append(("Retry-After", seconds)) }
            if let milliseconds { headers.append(("retry-after-ms", String(milliseconds))) }
            return error(429, "Rate limit reached for requests", code: "rate_limit_exceeded", headers: headers)
        case .insufficientQuota?:
            return error(429, "You exceeded your current quota, please check your plan and billing details.",
                         code: "insufficient_quota")
        case .paymentRequired?:
            return error(402, "Payment required", code: "payment_required")
        case .unauthorized?:
            return error(401, "Incorrect API key provided", code: "invalid_api_key")
        case .forbidden?:
            return error(403, "You are not allowed to use this model", code: "forbidden")
        case .serverError(let status)?:
            return error(status, "The server had an error while processing your request", code: "server_error")
        case .status(let status, let message)?:
            return error(status, message, code: "error")
        case .malformedJSON?:
            return .json(#"{"data": [{"index": 0, "embedding": [0.5, oops]}"#)
        case .missingField?:
            return .json(format == .tei ? #"{"vectors": []}"# : #"{"model": "stub"}"#)
        case .dropConnection?:
            return StubHTTPResponse(action: .close)
        case .slow(let extra)?:
            delay += extra
        case .wrongCount?:
            vectors.removeLast()
        case .wrongDimension(let other)?:
            dimension = other
            vectors = texts.map { Self.vector(for: $0, dimension: other) }
        case .truncatedJSON?, .cutBody?, nil:
            break
        }

        var response = success(vectors, model: body["model"] as? String ?? "stub", tokens: tokens)
        response.delay = delay
        if fault == .truncatedJSON { response.body = Array(response.body.prefix(response.body.count / 2)) }
        if fault == .cutBody { response.action = .cutBody(afterBytes: response.body.count / 2) }
        return response
    }

    /// A normal answer in this format.
    private func success(_ vectors: [[Float]], model: String, tokens: Int) -> StubHTTPResponse {
        let arrays = vectors.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }
        switch format {
        case .openai:
            // Listed in reverse: clients must order by `index`, not by position.
            let data = arrays.enumerated().reversed().map { index, array in
                #"{"object":"embedding","index":\#(index),"embedding":\#(array)}"#
            }
            return .json(#"{"object":"list","data":[\#(data.joined(separator: ","))],"model":\#(Self.quoted(model)),"usage":{"prompt_tokens":\#(tokens),"total_tokens":\#(tokens)}}"#)
        case .ollama:
            return .json(#"{"model":\#(Self.quoted(model)),"embeddings":[\#(arrays.joined(separator: ","))],"total_duration":1000,"load_duration":0,"prompt_eval_count":\#(tokens)}"#)
        case .tei, .builtin:
            return .json("[" + arrays.joined(separator: ",") + "]", headers: [("x-compute-tokens", String(tokens))])
        }
    }

    /// An error answer in this format's shape.
    private func error(_ status: Int, _ message: String, code: String, headers: [(String, String)] = []) -> StubHTTPResponse {
        let body = switch format {
        case .openai:
            #"{"error":{"message":\#(Self.quoted(message)),"type":\#(Self.quoted(code)),"param":null,"code":\#(Self.quoted(code))}}"#
        case .ollama:
            #"{"error":\#(Self.quoted(message + " (" + code + ")"))}"#
        case .tei, .builtin:
            #"{"error":\#(Self.quoted(message + " (" + code + ")")),"error_type":"Validation"}"#
        }
        return .json(body, status: status, headers: headers)
    }

    static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
