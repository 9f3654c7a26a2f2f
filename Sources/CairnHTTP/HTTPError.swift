/// Why an HTTP request failed: the libcurl result or HTTP status it came from, turned into one typed value
/// where it happened.
///
/// ``kind`` says what went wrong in terms a caller can act on (retry a timeout, fix a URL, re-authenticate);
/// ``message`` names the URL and the cause; ``curlCode`` keeps libcurl's own code when it produced the error;
/// ``response`` holds the full response of a ``Kind/status(_:)`` error so that callers can read its headers
/// (`Retry-After`) and body (the API's error message).
///
/// ```swift
/// do {
///     let response = try await client.send(HTTPRequest(method: .get, url: "http://127.0.0.1:8080/health"))
/// } catch let error where error.kind == .timeout {
///     // try again later
/// }
/// ```
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// The URL is malformed or uses a scheme libcurl does not support; a header or option was refused.
        case invalidRequest
        /// The host name could not be resolved.
        case dnsFailure
        /// Nothing accepts connections at the host and port.
        case connectionRefused
        /// A connection could not be established for another reason (unreachable network, connect timeout).
        case connectionFailed
        /// The connection broke while sending or receiving (reset, closed early, empty reply).
        case connectionLost
        /// No complete response within the request's timeout.
        case timeout
        /// The TLS handshake or certificate verification failed.
        case tls
        /// The response body exceeded ``HTTPRequest/maxResponseBytes``.
        case responseTooLarge
        /// The server answered with this status, outside 200...299.
        case status(Int)
        /// The calling task was cancelled before the response arrived.
        case cancelled
        /// libcurl itself failed (out of memory, an internal error, a code Cairn does not classify).
        case transport

        public var description: String {
            switch self {
            case .invalidRequest: "invalid request"
            case .dnsFailure: "DNS failure"
            case .connectionRefused: "connection refused"
            case .connectionFailed: "connection failed"
            case .connectionLost: "connection lost"
            case .timeout: "timeout"
            case .tls: "TLS failure"
            case .responseTooLarge: "response too large"
            case .status(let code): "HTTP \(code)"
            case .cancelled: "cancelled"
            case .transport: "transport error"
            }
        }
    }

    /// What went wrong.
    public let kind: Kind
    /// A human-readable explanation naming the URL and the cause.
    public let message: String
    /// libcurl's `CURLcode` (or `CURLMcode` for multi-handle failures), when libcurl reported the error.
    public let curlCode: Int32?
    /// The response, for ``Kind/status(_:)`` errors.
    public let response: HTTPResponse?
    /// The Cairn source file (`#fileID`) that raised the error.
    public let sourceFile: String
    /// The line in ``sourceFile`` that raised the error.
    public let sourceLine: Int

    /// Creates an error.
    public init(
        _ kind: Kind, _ message: String, curlCode: Int32? = nil, response: HTTPResponse? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
        self.response = response
        self.sourceFile = file
        self.sourceLine = line
    }

    /// Whether the same request may succeed if sent again later: timeouts, lost or refused connections,
    /// DNS failures, and the statuses 408, 425, 429 and 5xx other than 501 and 505.
    ///
    /// TLS failures are not retryable (a certificate does not fix itself), nor are malformed requests.
    public var isRetryable: Bool {
        switch kind {
        case .timeout, .connectionRefused, .connectionFailed, .connectionLost, .dnsFailure: true
        case .status(let code): code == 408 || code == 425 || code == 429 || ((500...599).contains(code) && code != 501 && code != 505)
        case .invalidRequest, .tls, .responseTooLarge, .cancelled, .transport: false
        }
    }

    /// Whether the caller is at fault (a malformed URL or request, or a 4xx status other than 408/425/429),
    /// rather than the network or the server.
    public var isUserError: Bool {
        switch kind {
        case .invalidRequest: true
        case .status(let code): (400...499).contains(code) && code != 408 && code != 425 && code != 429
        default: false
        }
    }

    public var description: String { message }
}
