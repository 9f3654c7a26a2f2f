public import CairnEmbedding
import Foundation
import Synchronization

/// A ``StubHTTPServer`` that speaks one embedding API — OpenAI's `POST /v1/embeddings`, Ollama's
/// `POST /api/embed` or TEI's `POST /embed` — with scripted failures.
///
/// Vectors are a deterministic function of the text (``vector(for:dimension:)``), so tests can check that
/// results come back in input order; OpenAI answers list `data` in reverse to prove the client orders by
/// `index`. Usage counts one token per whitespace-separated word (``tokenCount(_:)``). Faults queued with
/// ``enqueue(_:times:)`` are used one per request, in order, before normal answers resume.
///
/// ```swift
/// let stub = try EmbeddingStub(format: .openai, dimension: 8, apiKey: "sk-test")
/// stub.enqueue(.rateLimited(retryAfter: "1"))
/// // … embed through stub.baseURL; the first request gets 429, the retry succeeds
/// #expect(stub.requests.count == 2)
/// ```
public final class EmbeddingStub: Sendable {
    /// A scripted misbehaviour for one request.
    public enum Fault: Sendable, Hashable {
        /// 429 with a rate-limit body and, when given, `Retry-After` and/or `retry-after-ms` headers.
        case rateLimited(retryAfter: String? = nil, retryAfterMilliseconds: Int? = nil)
        /// 429 whose body says `insufficient_quota` (OpenAI's out-of-credit answer).
        case insufficientQuota
        /// 402 Payment Required.
        case paymentRequired
        /// 401 with an invalid-key body.
        case unauthorized
        /// 403 Forbidden.
        case forbidden
        /// A 5xx with an error body.
        case serverError(status: Int = 500)
        /// Any status with the format's error body carrying `message`.
        case status(Int, message: String)
        /// The normal answer, sent after `delay`.
        case slow(Duration)
        /// A complete HTTP response whose JSON body stops halfway.
        case truncatedJSON
        /// A 200 whose body is not JSON.
        case malformedJSON
        /// Valid JSON without the vectors field.
        case missingField
        /// One vector fewer than inputs.
        case wrongCount
        /// Vectors of this dimension instead of the configured one.
        case wrongDimension(Int)
        /// Headers with the full `Content-Length`, then half the body, then the connection closes.
        case cutBody
        /// The connection closes without an answer.
        case dropConnection
    }

    struct Script {
        var faults: [Fault] = []
    }

    /// The wire format spoken.
    public let format: EmbeddingProvider
    /// Dimension of normal answers (OpenAI requests with `dimensions` get that instead).
    public let dimension: Int
    /// When set, requests without `Authorization: Bearer <apiKey>` get 401.
    public let apiKey: String?
    /// Delay before every normal answer (to make requests overlap in concurrency tests).
    public let responseDelay: Duration
    /// The HTTP server.
    public let server: StubHTTPServer
    let script = Mutex(Script())

    /// Starts a stub speaking `format`.
    public init(format: EmbeddingProvider, dimension: Int = 8, apiKey: String? = nil, responseDelay: Duration = .zero) throws {
        self.format = format
        self.dimension = dimension
        self.apiKey = apiKey
        self.responseDelay = responseDelay
        let box = WeakStub()
        server = try StubHTTPServer { request in
            box.stub?.answer(request) ?? .text("stub released", status: 503)
        }
        box.stub = self
    }

    /// `http://127.0.0.1:<port>`: the base URL to configure.
    public var baseURL: String { server.baseURL }

    /// Every request received, in arrival order.
    public var requests: [StubHTTPRequest] { server.requests }

    /// The most requests that were in progress at the same time.
    public var maxConcurrentRequests: Int { server.maxConcurrentRequests }

    /// Queues `fault` for the next `times` requests (after faults already queued).
    public func enqueue(_ fault: Fault, times: Int = 1) {
        script.withLock { $0.faults.append(contentsOf: repeatElement(fault, count: times)) }
    }

    /// Faults queued and not used yet.
    public var pendingFaults: Int { script.withLock { $0.faults.count } }

    /// The path this format is served on.
    public var path: String {
        switch format {
        case .openai: "/v1/embeddings"
        case .ollama: "/api/embed"
        case .tei: "/embed"
        case .builtin: "/"
        }
    }

    /// The texts a logged request asked to embed (empty if its body was not a valid request).
    public func inputs(of request: StubHTTPRequest) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else { return [] }
        let value = object[format == .tei ? "inputs" : "input"]
        if let texts = value as? [String] { return texts }
        if let text = value as? String { return [text] }
        return []
    }

    /// The JSON object a logged request sent.
    public func json(of request: StubHTTPRequest) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]) ?? [:]
    }

    /// The vector the stub returns for `text`: `dimension` multiples of 1/1024 in [-1000/1024, 1000/1024],
    /// exactly representable as `Float` and in JSON.
    public static func vector(for text: String, dimension: Int) -> [Float] {
        var state: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return (0..<dimension).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Float(Int(state % 2001) - 1000) / 1024
        }
    }

    /// Tokens the stub reports for `text`: its whitespace-separated words, at least one.
    public static func tokenCount(_ text: String) -> Int {
        max(1, text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count)
    }

    func nextFault() -> Fault? {
        script.withLock { $0.faults.isEmpty ? nil : $0.faults.removeFirst() }
    }
}

/// Lets the server's handler reach the stub without keeping it alive.
private final class WeakStub: Sendable {
    private struct Reference {
        weak var stub: EmbeddingStub?
    }

    private let reference = Mutex(Reference())

    var stub: EmbeddingStub? {
        get { reference.withLock { $0.stub } }
        set { reference.withLock { $0.stub = newValue } }
    }
}
