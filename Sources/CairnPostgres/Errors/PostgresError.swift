/// A PostgreSQL failure, classified the way every layer of Cairn classifies errors.
///
/// - ``Kind/connection``: the server could not be reached or the connection broke (retry later; the mirror's
///   outbox keeps the changes meanwhile).
/// - ``Kind/query``: the server refused a statement; ``sqlState`` says why (`23505` a unique violation,
///   `42P01` an undefined table …).
/// - ``Kind/invalidArgument``: Cairn refused a value before sending it (a NUL byte in text, which PostgreSQL's
///   `text` cannot hold).
/// - ``Kind/protocolViolation``: libpq answered something this client does not expect (a result of the wrong
///   shape): a bug or an incompatible server.
///
/// The description never holds a password: connection strings are shown through ``PostgresURL/redacted``.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        case connection
        case query
        case invalidArgument = "invalid argument"
        case protocolViolation = "protocol violation"
    }

    public let kind: Kind
    public let message: String
    /// The five-character SQLSTATE of a server error.
    public let sqlState: String?
    /// The statement (its first 200 characters), when one was running.
    public let sql: String?

    public init(_ kind: Kind, _ message: String, sqlState: String? = nil, sql: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.sql = sql.map { $0.count > 200 ? String($0.prefix(200)) + "…" : $0 }
    }

    /// Whether retrying later may succeed: a broken connection, or a server that is starting, stopping, out of
    /// connections or in recovery (SQLSTATE classes 08, 53, 57P).
    public var isTransient: Bool {
        if kind == .connection { return true }
        guard let state = sqlState else { return false }
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") || state == "40001"
            || state == "40P01"
    }

    public var description: String {
        var text = "PostgreSQL \(kind.rawValue) error"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let sql { text += " (in: \(sql))" }
        return text
    }
}
