/// The file formats Cairn extracts text from.
///
/// ```swift
/// MaterialFileType.detect(filename: "notes.md", head: [])              // .markdown
/// MaterialFileType.detect(filename: "scan", head: Array("%PDF-1.7".utf8)) // .pdf
/// ```
public enum MaterialFileType: String, Sendable, Hashable, CaseIterable {
    case text, markdown, html, pdf, json, jsonl, csv

    /// The type named by `filename`'s extension, else sniffed from the file's first bytes.
    ///
    /// Without a known extension: `%PDF-` is a PDF, `<!doctype html` or `<html` (after a BOM and leading
    /// whitespace, any case) is HTML, `{` or `[` is JSON, other valid UTF-8 (or UTF-16 with a BOM) is plain
    /// text (so `README` or `notes.log` read as text). Nil for binary content (NUL bytes or invalid UTF-8,
    /// as in a `.docx` or an image).
    /// - Parameters:
    ///   - filename: The file's name or path; only its extension is looked at.
    ///   - head: The first bytes of the file (a few hundred are plenty; may be the whole file).
    public static func detect(filename: String, head: [UInt8]) -> MaterialFileType? {
        let name = filename.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? filename
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let ext = name[name.index(after: dot)...].lowercased()
            if let type = byExtension[ext] { return type }
        }
        return sniff(head)
    }

    /// Whether files of this type hold records (one material per record, each of which may name its own
    /// owner) rather than one document.
    public var holdsRecords: Bool { self == .json || self == .jsonl || self == .csv }

    /// The MIME type Cairn records for materials of this type.
    public var mimeType: String {
        switch self {
        case .text: "text/plain"
        case .markdown: "text/markdown"
        case .html: "text/html"
        case .pdf: "application/pdf"
        case .json: "application/json"
        case .jsonl: "application/jsonl"
        case .csv: "text/csv"
        }
    }

    /// The type of each known extension (lower case, without the dot).
    static let byExtension: [String: MaterialFileType] = [
        "txt": .text, "text": .text, "md": .markdown, "markdown": .markdown, "htm": .html, "html": .html,
        "xhtml": .html, "pdf": .pdf, "json": .json, "jsonl": .jsonl, "ndjson": .jsonl, "csv": .csv,
    ]

    private static func sniff(_ head: [UInt8]) -> MaterialFileType? {
        if head.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) { return .text }
        var start = TextDecoding.droppingUTF8BOM(head[...]).startIndex
        while start < head.count, [0x20, 0x09, 0x0A, 0x0D].contains(head[start]) { start += 1 }
        let rest = head[start...]
        let lowered = rest.prefix(14).map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        if lowered.starts(with: Array("<!doctype html".utf8)) || lowered.starts(with: Array("<html".utf8)) {
            return .html
        }
        if head.contains(0) || !isUTF8Prefix(head) { return nil }
        if rest.first == UInt8(ascii: "{") || rest.first == UInt8(ascii: "[") { return .json }
        return .text
    }

    /// Whether `bytes` is valid UTF-8, allowing a scalar cut off at the end (a head is a prefix of the file).
    private static func isUTF8Prefix(_ bytes: [UInt8]) -> Bool {
        switch TextDecoding.firstInvalidUTF8Offset(bytes[...]) {
        case nil: true
        case let offset?: bytes.count - offset < 4 && TextDecoding.isTruncatedScalar(bytes[offset...])
        }
    }
}
