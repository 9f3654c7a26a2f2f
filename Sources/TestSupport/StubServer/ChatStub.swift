import CairnHTTP
import Foundation
import Synchronization

/// A ``StubHTTPServer`` speaking OpenAI's `POST /v1/chat/completions` (non-streaming) with scripted faults.
///
/// A normal answer cites the context the way a careful coach would: for each numbered source it finds in the
/// user message (`[1] …`, `[2] …`), up to ``citations``, one sentence ending in that marker — so tests can check
/// the markers Cairn maps back. Usage counts one token per whitespace-separated word of the messages and of
/// the answer, and is reported as OpenAI does. The answer's `model` is the requested model plus `-2024-07-18`,
/// as OpenAI names snapshots.
///
/// ```swift
/// let stub = try ChatStub()
/// stub.enqueue(.rateLimited(retryAfter: "0"))   // the first request gets 429, the retry succeeds
/// ```
public final class ChatStub: Sendable {
    public enum Fault: Sendable, Hashable {
        /// 429 with OpenAI's rate-limit body and `Retry-After`.
        case rateLimited(retryAfter: String? = nil)
        /// A 5xx with an error body.
        case serverError(status: Int = 500)
        /// 401 with OpenAI's invalid-key body.
        case unauthorized
        /// A 200 whose body is not JSON.
        case malformedJSON
        /// A 200 with JSON lacking `usage`.
        case missingUsage
        /// The normal answer after `delay`.
        case slow(Duration)
        /// The connection closes without an answer.
        case dropConnection
        /// A normal answer whose text is this (markers included as written).
        case answer(String)
    }

    /// How many sources a normal answer cites.
    public let citations: Int
    public let apiKey: String?
    public let server: StubHTTPServer
    let faults = Mutex<[Fault]>([])

    public init(citations: Int = 2, apiKey: String? = nil) throws {
        self.citations = citations
        self.apiKey = apiKey
        let box = WeakChatStub()
        server = try StubHTTPServer { request in box.stub?.answer(request) ?? .text("stub released", status: 503) }
        box.stub = self
    }

    /// `http://127.0.0.1:<port>/v1`: the base URL to configure.
    public var baseURL: String { server.baseURL + "/v1" }

    public var requests: [StubHTTPRequest] { server.requests }

    /// Queues `fault` for the next `times` requests.
    public func enqueue(_ fault: Fault, times: Int = 1) {
        faults.withLock { $0.append(contentsOf: repeatElement(fault, count: times)) }
    }

    /// The JSON object a logged request sent.
    public func json(of request: StubHTTPRequest) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]) ?? [:]
    }

    func answer(_ request: StubHTTPRequest) -> StubHTTPResponse {
        guard request.method == "POST", request.path == "/v1/chat/completions" else {
            return error(404, "Unknown request URL: \(request.method) \(request.path)", code: "unknown_url")
        }
        if let apiKey, request.headers["authorization"] != "Bearer \(apiKey)" {
            return error(401, "Incorrect API key provided.", code: "invalid_api_key")
        }
        let fault = faults.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch fault {
        case .rateLimited(let retryAfter)?:
            return error(429, "Rate limit reached for requests", code: "rate_limit_exceeded",
                         headers: retryAfter.map { [("Retry-After", $0)] } ?? [])
        case .serverError(let status)?:
            return error(status, "The server had an error while processing your request.", code: "server_error")
        case .unauthorized?:
            return error(401, "Incorrect API key provided.", code: "invalid_api_key")
        case .malformedJSON?:
            return StubHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array("{\"choices\": [".utf8))
        case .dropConnection?:
            return StubHTTPResponse(action: .close)
        default:
            break
        }
        let body = json(of: request)
        guard let messages = body["messages"] as? [[String: Any]], let model = body["model"] as? String else {
            return error(400, "'messages' and 'model' are required", code: "invalid_request_error")
        }
        let texts = messages.compactMap { $0["content"] as? String }
        let user = texts.last ?? ""
        var text: String
        if case .answer(let scripted)? = fault {
            text = scripted
        } else {
            let numbers = Self.sourceNumbers(in: user).prefix(citations)
            text = numbers.isEmpty ? "The sources do not say." : numbers.map { "Source \($0) explains part of it [\($0)]." }
                .joined(separator: " ")
            text += " Ask me if anything is unclear."
        }
        var usage: [String: Any] = [
            "prompt_tokens": texts.reduce(0) { $0 + Self.words($1) }, "completion_tokens": Self.words(text),
        ]
        usage["total_tokens"] = (usage["prompt_tokens"] as! Int) + (usage["completion_tokens"] as! Int)
        var response: [String: Any] = [
            "id": "chatcmpl-stub\(request.sequence)", "object": "chat.completion", "created": 1_733_000_000,
            "model": model + "-2024-07-18",
            "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop"]],
        ]
        if fault != .missingUsage { response["usage"] = usage }
        let data = (try? JSONSerialization.data(withJSONObject: response)) ?? Data()
        var out = StubHTTPResponse.json(String(decoding: data, as: UTF8.self))
        if case .slow(let delay)? = fault { out.delay = delay }
        return out
    }

    /// The numbers of lines starting `[n]` in a prompt.
    static func sourceNumbers(in text: String) -> [Int] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return nil }
            return Int(line[line.index(after: line.startIndex)..<close])
        }
    }

    static func words(_ text: String) -> Int { text.split(whereSeparator: \.isWhitespace).count }

    func error(_ status: Int, _ message: String, code: String, headers: [(String, String)] = []) -> StubHTTPResponse {
        let body: [String: Any] = ["error": ["message": message, "type": "invalid_request_error", "param": NSNull(),
                                             "code": code]]
        let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        return .json(String(decoding: data, as: UTF8.self), status: status, headers: headers)
    }
}

private final class WeakChatStub: @unchecked Sendable {
    weak var stub: ChatStub?
}
