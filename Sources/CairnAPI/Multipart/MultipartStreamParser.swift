/// A streaming `multipart/form-data` parser (RFC 2046 §5.1.1, RFC 7578): feed it the body in chunks of any
/// size; it reports each part's headers, its content in pieces, and its end.
///
/// It never holds more than one header block (at most `maxHeaderBytes`) or a delimiter's length of content in
/// memory, whatever the part sizes. Every byte value is input it can meet: a malformed body is a
/// `MultipartSyntaxError`, never a crash.
///
/// The body is read as the RFC lays it out: a preamble (ignored), then parts each opened by the delimiter
/// `--boundary` (at the start or after CRLF), optional spaces or tabs and CRLF, header lines `Name: value`
/// (token names) ending with an empty line, the content up to the next CRLF `--boundary`, and after the
/// close delimiter `--boundary--` an epilogue (ignored).
struct MultipartStreamParser {
    /// What went wrong, for the log; the client hears only that the body is malformed.
    struct SyntaxError: Error, Equatable {
        let reason: String
    }

    /// A part's header lines, in order, as (name, value) with the value's surrounding white space trimmed.
    var onHeaders: ([(String, String)]) throws -> Void = { _ in }
    /// A piece of the current part's content (pieces arrive in order; a part may have none).
    var onContent: (UnsafeRawBufferPointer) throws -> Void = { _ in }
    /// The current part ended.
    var onPartEnd: () throws -> Void = {}

    let maxHeaderBytes: Int

    private enum State {
        case preamble
        case afterDelimiter
        case headers
        case content
        case epilogue
    }

    private let delimiter: [UInt8]  // CRLF "--" boundary
    private var state = State.preamble
    private var pending: [UInt8]
    private var headerBytes = 0
    private var headers: [(String, String)] = []

    /// Whether the close delimiter has been read: the body holds every part it announced.
    var isComplete: Bool {
        if case .epilogue = state { return true }
        return false
    }

    init(boundary: String, maxHeaderBytes: Int = 16_384) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.maxHeaderBytes = maxHeaderBytes
        // The first delimiter may open the body without a CRLF before it: read the body as if one were there.
        pending = [0x0D, 0x0A]
    }

    /// Reads the next chunk of the body.
    mutating func feed<Bytes: Sequence>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        if case .epilogue = state { return }
        pending.append(contentsOf: bytes)
        var start = 0
        defer { pending.removeSubrange(0..<start) }
        while true {
            switch state {
            case .preamble:
                guard let match = find(delimiter, in: pending, from: start) else {
                    start = max(start, pending.count - (delimiter.count - 1))
                    return
                }
                start = match + delimiter.count
                state = .afterDelimiter
            case .afterDelimiter:
                // "--" closes the body; otherwise optional transport padding (spaces, tabs), then CRLF.
                var i = start
                guard i + 1 < pending.count else { return }
                if pending[i] == 0x2D, pending[i + 1] == 0x2D {
                    state = .epilogue
                    start = pending.count
                    return
                }
                while i < pending.count, pending[i] == 0x20 || pending[i] == 0x09 { i += 1 }
                guard i - start <= 256 else { throw SyntaxError(reason: "too much padding after a delimiter") }
                guard i + 1 < pending.count else { return }
                guard pending[i] == 0x0D, pending[i + 1] == 0x0A else {
                    throw SyntaxError(reason: "a delimiter is followed by neither CRLF nor \"--\"")
                }
                start = i + 2
                headers = []
                headerBytes = 0
                state = .headers
            case .headers:
                guard let lineEnd = find([0x0D, 0x0A], in: pending, from: start) else {
                    guard headerBytes + pending.count - start <= maxHeaderBytes else {
                        throw SyntaxError(reason: "a part's headers are over \(maxHeaderBytes) bytes")
                    }
                    return
                }
                headerBytes += lineEnd - start + 2
                guard headerBytes <= maxHeaderBytes else {
                    throw SyntaxError(reason: "a part's headers are over \(maxHeaderBytes) bytes")
                }
                if lineEnd == start {
                    start = lineEnd + 2
                    try onHeaders(headers)
                    state = .content
                } else {
                    headers.append(try Self.header(pending[start..<lineEnd]))
                    start = lineEnd + 2
                }
            case .content:
                if let match = find(delimiter, in: pending, from: start) {
                    try emit(start..<match)
                    try onPartEnd()
                    start = match + delimiter.count
                    state = .afterDelimiter
                } else {
                    // Keep what could still be the start of a delimiter.
                    let safe = max(start, pending.count - (delimiter.count - 1))
                    try emit(start..<safe)
                    start = safe
                    return
                }
            case .epilogue:
                start = pending.count
                return
            }
        }
    }

    private func emit(_ range: Range<Int>) throws {
        guard !range.isEmpty else { return }
        try pending.withUnsafeBytes { raw in try onContent(UnsafeRawBufferPointer(rebasing: raw[range])) }
    }

    /// `Name: value` with a token name (RFC 9110 §5.6.2); the value is read as UTF-8.
    static func header(_ line: ArraySlice<UInt8>) throws -> (String, String) {
        guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex else {
            throw SyntaxError(reason: "a header line has no name or no colon")
        }
        let name = line[..<colon]
        guard name.allSatisfy(isTokenByte) else {
            throw SyntaxError(reason: "a header name holds a byte a token may not")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// tchar: ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: true
        default: false
        }
    }

    /// The first index at or after `from` where `needle` occurs in `haystack`.
    private func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        let count = needle.count
        guard count > 0, haystack.count - from >= count else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pattern in
                let first = pattern[0]
                var i = from
                let last = hay.count - count
                while i <= last {
                    if hay[i] == first {
                        var j = 1
                        while j < count, hay[i + j] == pattern[j] { j += 1 }
                        if j == count { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }
}
