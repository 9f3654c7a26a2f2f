/// An HTTP method.
public struct HTTPMethod: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The method token as sent on the wire, e.g. `POST`.
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let head = HTTPMethod(rawValue: "HEAD")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let put = HTTPMethod(rawValue: "PUT")
    public static let patch = HTTPMethod(rawValue: "PATCH")
    public static let delete = HTTPMethod(rawValue: "DELETE")

    public var description: String { rawValue }
}

/// One outbound HTTP request: what to send and how long to wait for the answer.
///
/// ```swift
/// var request = HTTPRequest(method: .post, url: "https://api.openai.com/v1/embeddings", timeout: .seconds(30))
/// request.headers["Content-Type"] = "application/json"
/// request.body = Array(json.utf8)
/// let response = try await client.send(request)
/// ```
public struct HTTPRequest: Sendable, Hashable {
    /// Default for ``maxResponseBytes``: 256 MiB.
    public static let defaultMaxResponseBytes = 256 << 20

    public var method: HTTPMethod
    /// The absolute URL (`http://` or `https://`).
    public var url: String
    public var headers: HTTPHeaders
    /// The request body; nil sends none. Its length is sent as `Content-Length`.
    public var body: [UInt8]?
    /// The whole exchange (connect, send, wait, receive) must finish within this time.
    public var timeout: Duration
    /// Connecting (DNS, TCP and TLS handshakes) must finish within this time (capped by ``timeout``).
    public var connectTimeout: Duration
    /// A longer response body fails with ``HTTPError/Kind/responseTooLarge``.
    public var maxResponseBytes: Int
    /// Follow 3xx redirects (up to 5); otherwise a 3xx is returned as an error status.
    public var followRedirects: Bool

    /// Creates a request.
    public init(
        method: HTTPMethod = .get, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil,
        timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(10),
        maxResponseBytes: Int = HTTPRequest.defaultMaxResponseBytes, followRedirects: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.followRedirects = followRedirects
    }
}
