public import CairnHTTP

/// One request as a ``StubHTTPServer`` received it, kept in its request log.
public struct StubHTTPRequest: Sendable {
    /// Position in the server's log (0 for the first request).
    public var sequence: Int
    /// The connection it arrived on (0, 1, … in accept order), to observe connection reuse.
    public var connection: Int
    public var method: String
    /// The request target, e.g. `/v1/embeddings`.
    public var path: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// When its last byte was read.
    public var receivedAt: ContinuousClock.Instant
    /// Requests in progress (read, not yet answered) on the server when this one arrived, itself included.
    public var inFlight: Int

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// What a ``StubHTTPServer`` handler answers; ``action`` scripts misbehaviour.
public struct StubHTTPResponse: Sendable {
    /// How the response is delivered.
    public enum Action: Sendable {
        /// Send the whole response.
        case respond
        /// Send the headers (with the full `Content-Length`) and only this many body bytes, then close:
        /// the client sees the connection break mid-body.
        case cutBody(afterBytes: Int)
        /// Close the connection without answering.
        case close
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Waited before anything is sent (a slow server).
    public var delay: Duration
    public var action: Action

    /// Creates a response; `Content-Length` is added by the server.
    public init(
        status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [], delay: Duration = .zero,
        action: Action = .respond
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.action = action
    }

    /// A JSON response.
    public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> StubHTTPResponse {
        StubHTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    /// A plain-text response.
    public static func text(_ text: String, status: Int = 200) -> StubHTTPResponse {
        StubHTTPResponse(status: status, headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 411: "Length Required"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
