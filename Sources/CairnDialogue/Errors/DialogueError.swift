/// Why the dialogue module refused or failed, classified like every layer's errors; the service maps the kinds
/// onto its own (and the HTTP layer onto status codes).
///
/// - ``Kind/invalid``: a field is out of range or malformed (`field` names it).
/// - ``Kind/unprocessable``: well-formed, but it names something Cairn cannot use — an unknown or another
///   tenant's chunk, an unknown retrieval.
/// - ``Kind/notFound``: no such dialogue (or one of another tenant).
/// - ``Kind/configuration``: a price table, SLO or prompt template that cannot be used; the message names the
///   file and what is wrong.
/// - ``Kind/upstream``: the chat-completions endpoint failed (``upstreamStatus`` says how).
/// - ``Kind/storage``: the store failed.
public struct DialogueError: Error, CustomStringConvertible, Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case invalid
        case unprocessable
        case notFound
        case configuration
        case upstream
        case storage
    }

    public var kind: Kind
    public var message: String
    public var field: String?
    /// For ``Kind/upstream``: `rate_limited`, `timeout`, `unavailable`, `authentication`, `malformed`, `refused`.
    public var upstreamStatus: String?
    /// Seconds the upstream asked to wait, when it did.
    public var retryAfterSeconds: Int?

    public init(_ kind: Kind, _ message: String, field: String? = nil, upstreamStatus: String? = nil,
                retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
        self.upstreamStatus = upstreamStatus
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// Wraps a store failure.
    static func storage(_ what: String, _ error: any Error) -> DialogueError {
        DialogueError(.storage, "\(what): \(error)")
    }
}
