/// The answer to an ``HTTPRequest``: status, headers (of the final response after redirects) and body.
public struct HTTPResponse: Sendable, Hashable {
    /// The HTTP status code, e.g. 200.
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is in 200...299.
    public var isSuccess: Bool { (200...299).contains(status) }

    /// The body decoded as UTF-8 (invalid sequences repaired).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
