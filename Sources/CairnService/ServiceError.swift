public import CairnIngest
public import CairnDialogue

/// Why the retrieval service refused or failed a request, classified so the HTTP layer can pick a status
/// without reading text.
///
/// ``message`` is written for the caller and names the field at fault (also in ``field``); internal detail
/// goes to ``detail``, which is logged and never sent to a client.
///
/// ```swift
/// throw ServiceError(.invalid, "top_k must be 1...100, got 0", field: "top_k")
/// ```
public struct ServiceError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What went wrong, as classes callers act on differently.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A field is missing, of the wrong type or out of range (HTTP 400).
        case invalid
        /// No key, an unknown key or a revoked key (401).
        case unauthenticated
        /// The key may not do this, or not for that tenant (403).
        case forbidden
        /// No such resource — or one of another tenant's (404).
        case notFound
        /// The resource is in a state that does not allow this (409).
        case conflict
        /// The body is over the configured limit (413).
        case tooLarge
        /// The body's media type is not one this route reads (415).
        case unsupportedMediaType
        /// Well-formed, but not something Cairn can process (422).
        case unprocessable
        /// The key's request rate is over its limit (429; ``retryAfterSeconds`` says when to retry).
        case rateLimited
        /// The service is still opening its data (503).
        case notReady
        /// The ingestion queue is full (503).
        case overloaded
        /// The route needs a setting this server does not have (501; the message names the setting).
        case notImplemented
        /// An upstream service Cairn called (the chat-completions endpoint) failed or answered nonsense (502).
        case badGateway
        /// An upstream service did not answer in time (504).
        case gatewayTimeout
        /// Cairn failed (500); the message sent to the client says no more than that.
        case `internal`
    }

    public var kind: Kind
    /// What the caller is told.
    public var message: String
    /// The request field at fault (`top_k`, `filters.owner_id`), if one is.
    public var field: String?
    /// For ``Kind/rateLimited``, ``Kind/notReady`` and ``Kind/overloaded``: seconds before a retry may succeed.
    public var retryAfterSeconds: Int?
    /// What went wrong inside, for the log only (never sent to a client).
    public var detail: String?

    public init(_ kind: Kind, _ message: String, field: String? = nil, retryAfterSeconds: Int? = nil,
                detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
        self.detail = detail
    }

    /// An internal failure: the caller learns only that it happened; `detail` is logged.
    public static func failure(_ detail: String) -> ServiceError {
        ServiceError(.internal, "internal error", detail: detail)
    }

    /// Maps an ingestion-layer error: user errors keep their message, the rest become internal failures.
    public init(_ error: IngestError, field: String? = nil) {
        switch error.kind {
        case .configuration, .malformed:
            self.init(.invalid, error.message, field: field ?? error.field)
        case .unsupportedFormat, .emptyContent:
            self.init(.unprocessable, error.message, field: field ?? error.field)
        case .tooLarge:
            self.init(.tooLarge, error.message, field: field ?? error.field)
        case .busy:
            self.init(.conflict, error.message, field: field ?? error.field)
        case .io, .embedding, .storage, .cancelled, .locked:
            self = .failure(error.message)
        }
    }

    /// Maps a dialogue-module error: user errors keep their message and field, the rest become internal.
    public init(_ error: DialogueError) {
        switch error.kind {
        case .invalid: self.init(.invalid, error.message, field: error.field)
        case .unprocessable: self.init(.unprocessable, error.message, field: error.field)
        case .notFound: self.init(.notFound, error.message, field: error.field)
        case .upstream:
            switch error.upstreamStatus {
            case "timeout": self.init(.gatewayTimeout, error.message, detail: error.message)
            case "rate_limited":
                self.init(.badGateway, error.message, retryAfterSeconds: error.retryAfterSeconds, detail: error.message)
            default: self.init(.badGateway, error.message, detail: error.message)
            }
        case .configuration, .storage: self = .failure(error.message)
        }
    }

    /// Runs a dialogue-module call, its error mapped by ``init(_:)-(DialogueError)``.
    public static func catching<T>(_ body: () throws(DialogueError) -> T) throws(ServiceError) -> T {
        do {
            return try body()
        } catch {
            throw ServiceError(error)
        }
    }

    public var description: String {
        "\(kind.rawValue): \(message)" + (detail.map { " (\($0))" } ?? "")
    }
}
