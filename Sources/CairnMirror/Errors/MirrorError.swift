/// A failure of the PostgreSQL mirror, classified like every layer's errors.
///
/// - ``Kind/configuration``: the database cannot mirror this data directory as it is (another embedding
///   dimension, another data directory's mirror); the message names both sides and what to do.
/// - ``Kind/unavailable``: PostgreSQL cannot be reached or broke off; the outbox keeps every change meanwhile.
/// - ``Kind/failure``: a statement or the local store failed for another reason.
/// - ``Kind/divergence``: `verify` found rows that differ; the message names the first.
public struct MirrorError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        case configuration
        case unavailable
        case failure
        case divergence
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// What may be shown where no key is asked for (`/readyz`): the kind of trouble, no host, user or detail
    /// (those are in the log).
    public var summary: String {
        switch kind {
        case .unavailable: "PostgreSQL is unreachable; changes wait in the outbox (details in the log)"
        case .configuration: "this database cannot mirror this data directory (details in the log)"
        case .failure: "PostgreSQL refused the changes; they wait in the outbox (details in the log)"
        case .divergence: "the mirror differs from the store"
        }
    }
}
