import Foundation

/// A connection string (`postgresql://user:password@host:port/database?sslmode=…` or libpq's `key=value`
/// form), kept with a redacted form for logs and errors.
public struct PostgresURL: Sendable, CustomStringConvertible {
    /// What libpq receives.
    public let raw: String

    public init(_ raw: String) {
        self.raw = raw
    }

    /// The string with any password replaced by `***`: the userinfo password of a URL (up to the last `@`
    /// before the path, as libpq reads it, so a `?` or `#` in a password is covered), and the value of
    /// `password=` in a query string or a `key = value` string, quoted or not.
    public var redacted: String {
        var text = raw
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
        }
        for range in Self.passwordValues(in: text).reversed() {
            text.replaceSubrange(range, with: "***")
        }
        return text
    }

    /// The password as given (userinfo or `password=`), percent-decoded too, for scrubbing messages.
    var passwords: [String] {
        var found: [String] = []
        if let scheme = raw.range(of: "://") {
            let rest = raw[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                found.append(String(rest[rest.index(after: colon)..<at]))
            }
        }
        for range in Self.passwordValues(in: raw) {
            var value = String(raw[range])
            if value.hasPrefix("'"), value.hasSuffix("'"), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            found.append(value)
        }
        return found.flatMap { [$0, $0.removingPercentEncoding ?? $0] }.filter { !$0.isEmpty }
    }

    /// `message` with every form of the password replaced by `***` (libpq quotes parts of a bad URL back).
    public func scrubbing(_ message: String) -> String {
        passwords.sorted { $0.count > $1.count }.reduce(message) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    /// The ranges of the values of `password` keys: `password=v` in a query (up to `&`) or `password = v` /
    /// `password='a b'` in a key=value string.
    static func passwordValues(in text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var search = text.startIndex..<text.endIndex
        while let found = text.range(of: "password", options: .caseInsensitive, range: search) {
            var i = found.upperBound
            while i < text.endIndex, text[i] == " " { i = text.index(after: i) }
            guard i < text.endIndex, text[i] == "=" else {
                search = found.upperBound..<text.endIndex
                continue
            }
            i = text.index(after: i)
            while i < text.endIndex, text[i] == " " { i = text.index(after: i) }
            let start = i
            if i < text.endIndex, text[i] == "'" {
                i = text.index(after: i)
                while i < text.endIndex, text[i] != "'" {
                    if text[i] == "\\", text.index(after: i) < text.endIndex { i = text.index(after: i) }
                    i = text.index(after: i)
                }
                if i < text.endIndex { i = text.index(after: i) }
            } else {
                while i < text.endIndex, text[i] != "&", text[i] != " " { i = text.index(after: i) }
            }
            if start < i { ranges.append(start..<i) }
            search = i..<text.endIndex
        }
        return ranges
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
