import Foundation

/// A connection string (`postgresql://user:password@host:port/database?sslmode=…` or libpq's `key=value`
/// form), kept with a redacted form for logs and errors.
public struct PostgresURL: Sendable, CustomStringConvertible {
    /// What libpq receives.
    public let raw: String

    public init(_ raw: String) {
        self.raw = raw
    }

    /// The string with any password replaced by `***`: the userinfo password of a URL, and `password=` in a
    /// query string or a `key=value` string.
    public var redacted: String {
        var text = raw
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"),
               let colon = rest[..<at].firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
        }
        var out = ""
        var remaining = Substring(text)
        while let found = remaining.range(of: "password=", options: .caseInsensitive) {
            out += remaining[..<found.upperBound]
            out += "***"
            let value = remaining[found.upperBound...]
            let end = value.firstIndex(where: { $0 == "&" || $0 == " " }) ?? value.endIndex
            remaining = value[end...]
        }
        return out + remaining
    }

    public var description: String { redacted }

    /// The same server and credentials, database `name` (a URL's path replaced, query kept; `dbname=` set in
    /// a key=value string).
    public func database(_ name: String) -> PostgresURL {
        guard let scheme = raw.range(of: "://") else {
            return PostgresURL(raw.split(separator: " ").filter { !$0.hasPrefix("dbname=") }.joined(separator: " ")
                + " dbname=\(name)")
        }
        let rest = raw[scheme.upperBound...]
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        let query = raw[queryStart...]
        let authorityEnd = rest[..<queryStart].firstIndex(of: "/") ?? queryStart
        return PostgresURL(String(raw[..<authorityEnd]) + "/" + name + query)
    }
}
