/// A shell-style file pattern, matched against a path relative to the walked root (`/`-separated).
///
/// - `*` matches any run of characters except `/`; `?` one character except `/`;
/// - `[abc]`, `[a-z]`, `[!a-z]` (or `[^a-z]`) one character of (or not of) a set;
/// - `**` as a whole path segment matches any number of directories: `notes/**/*.pdf` matches
///   `notes/a.pdf` and `notes/x/y/a.pdf`; a trailing `/**` matches everything below a directory; `**`
///   inside a segment matches any characters, `/` included;
/// - `\x` matches `x` literally;
/// - a pattern without `/` matches the file name at any depth (`*.pdf` matches `a/b/c.pdf`); one with a `/`
///   matches the whole relative path (a leading `/` or `./` anchors it at the root and is dropped).
///
/// ```swift
/// let drafts = try Glob("drafts/**")
/// drafts.matches("drafts/2024/ch1.md")   // true
/// ```
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as given.
    public let pattern: String
    private let tokens: [Token]
    private let matchesName: Bool

    private enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case one
        case star
        /// `**/`: zero or more whole directories.
        case anyDirectories
        /// `**` elsewhere: any characters, `/` included.
        case anything
        case set([ClosedRange<Unicode.Scalar>], negated: Bool)
    }

    /// Compiles `pattern`.
    ///
    /// - Throws: ``IngestError/Kind/configuration`` for an empty pattern or an unclosed `[`.
    public init(_ pattern: String) throws(IngestError) {
        self.pattern = pattern
        var body = Substring(pattern)
        let anchored = body.hasPrefix("./") || body.hasPrefix("/")
        if body.hasPrefix("./") { body = body.dropFirst(2) } else if body.hasPrefix("/") { body = body.dropFirst() }
        guard !body.isEmpty else { throw IngestError(.configuration, "glob \"\(pattern)\" is empty") }
        matchesName = !anchored && !body.contains("/")
        let s = Array(body.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            switch c {
            case "*":
                if i + 1 < s.count, s[i + 1] == "*" {
                    var end = i + 2
                    while end < s.count, s[end] == "*" { end += 1 }
                    let segmentStart = i == 0 || s[i - 1] == "/"
                    if segmentStart && end < s.count && s[end] == "/" {
                        tokens.append(.anyDirectories)
                        i = end + 1
                    } else {
                        tokens.append(.anything)
                        i = end
                    }
                } else {
                    tokens.append(.star)
                    i += 1
                }
            case "?":
                tokens.append(.one)
                i += 1
            case "[":
                guard let (token, next) = Self.parseSet(s, from: i) else {
                    throw IngestError(.configuration, "glob \"\(pattern)\": \"[\" is never closed by \"]\"")
                }
                tokens.append(token)
                i = next
            case "\\" where i + 1 < s.count:
                tokens.append(.literal(s[i + 1]))
                i += 2
            default:
                tokens.append(.literal(c))
                i += 1
            }
        }
        self.tokens = tokens
    }

    public var description: String { pattern }

    /// Whether the pattern names a hidden entry (a path segment starting with a literal `.`), so that a walk
    /// must look inside hidden files and directories for it.
    public var mentionsHidden: Bool {
        var atSegmentStart = true
        for token in tokens {
            if case .literal(".") = token, atSegmentStart { return true }
            switch token {
            case .literal("/"), .anyDirectories: atSegmentStart = true
            default: atSegmentStart = false
            }
        }
        return false
    }

    /// Whether `relativePath` (`/`-separated, relative to the walked root) matches.
    public func matches(_ relativePath: String) -> Bool {
        var path = Substring(relativePath)
        if path.hasPrefix("./") { path = path.dropFirst(2) }
        if matchesName, let slash = path.lastIndex(of: "/") { path = path[path.index(after: slash)...] }
        let s = Array(path.unicodeScalars)
        // memo[t * (s.count + 1) + i]: 0 unknown, 1 no, 2 yes — keeps backtracking over many stars linear-ish.
        var memo = [UInt8](repeating: 0, count: (tokens.count + 1) * (s.count + 1))
        return match(0, 0, s, &memo)
    }

    private func match(_ t: Int, _ i: Int, _ s: [Unicode.Scalar], _ memo: inout [UInt8]) -> Bool {
        let key = t * (s.count + 1) + i
        if memo[key] != 0 { return memo[key] == 2 }
        let result: Bool
        if t == tokens.count {
            result = i == s.count
        } else {
            switch tokens[t] {
            case .literal(let c): result = i < s.count && s[i] == c && match(t + 1, i + 1, s, &memo)
            case .one: result = i < s.count && s[i] != "/" && match(t + 1, i + 1, s, &memo)
            case .set(let ranges, let negated):
                result = i < s.count && s[i] != "/" && ranges.contains(where: { $0.contains(s[i]) }) != negated
                    && match(t + 1, i + 1, s, &memo)
            case .star:
                var j = i
                var found = match(t + 1, j, s, &memo)
                while !found, j < s.count, s[j] != "/" {
                    j += 1
                    found = match(t + 1, j, s, &memo)
                }
                result = found
            case .anything:
                result = (i...s.count).contains { match(t + 1, $0, s, &memo) }
            case .anyDirectories:
                // Zero directories, or any prefix that ends just after a "/".
                result = match(t + 1, i, s, &memo)
                    || (i..<s.count).contains { s[$0] == "/" && match(t + 1, $0 + 1, s, &memo) }
            }
        }
        memo[key] = result ? 2 : 1
        return result
    }

    /// Parses `[...]` starting at `s[start] == "["`; nil when it is never closed.
    private static func parseSet(_ s: [Unicode.Scalar], from start: Int) -> (Token, Int)? {
        var i = start + 1
        var negated = false
        if i < s.count, s[i] == "!" || s[i] == "^" { negated = true; i += 1 }
        var ranges: [ClosedRange<Unicode.Scalar>] = []
        var first = true
        while i < s.count {
            var c = s[i]
            if c == "]" && !first { return (.set(ranges, negated: negated), i + 1) }
            first = false
            if c == "\\", i + 1 < s.count { i += 1; c = s[i] }
            if i + 2 < s.count, s[i + 1] == "-", s[i + 2] != "]" {
                let upper = s[i + 2]
                if c <= upper { ranges.append(c...upper) }
                i += 3
            } else {
                ranges.append(c...c)
                i += 1
            }
        }
        return nil
    }
}
