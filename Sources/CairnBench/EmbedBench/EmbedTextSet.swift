import Foundation

/// The deterministic texts every embedding benchmark runs on: short queries and paragraph-length documents.
///
/// A text set is a directory with `queries.txt` and `documents.txt`, one text per line, UTF-8. Lines are
/// trimmed of surrounding white space and blank lines are skipped; order is kept, since documents are
/// batched in file order. The committed set, `Benchmarks/texts/`, is written by its seeded
/// `make_texts.py`: 512 student questions of 3 to 12 words and 320 study passages of about 100 to 200
/// WordPiece tokens, with some accented, Korean and Chinese lines.
///
/// ```swift
/// let texts = try EmbedTextSet.load(directory: "Benchmarks/texts")
/// print(texts.queries.count, texts.documents.count)   // 512 320
/// ```
public struct EmbedTextSet: Sendable, Equatable {
    /// The file of queries inside a text set directory.
    public static let queriesFile = "queries.txt"
    /// The file of documents inside a text set directory.
    public static let documentsFile = "documents.txt"

    /// Short questions, embedded one at a time.
    public var queries: [String]
    /// Paragraphs, embedded in batches of consecutive documents.
    public var documents: [String]

    /// A text set from texts in memory (tests, tools).
    public init(queries: [String], documents: [String]) {
        self.queries = queries
        self.documents = documents
    }

    /// Reads `queries.txt` and `documents.txt` from `directory`.
    ///
    /// - Throws: ``EmbedBenchError/textSet(_:)`` naming the file that is missing, not UTF-8 or empty.
    public static func load(directory: String) throws(EmbedBenchError) -> EmbedTextSet {
        func read(_ name: String) throws(EmbedBenchError) -> [String] {
            let path = (directory as NSString).appendingPathComponent(name)
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw .textSet("cannot read \(path): \(error.localizedDescription) "
                    + "(the committed set is Benchmarks/texts; pass --texts DIR)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw .textSet("\(path) is not UTF-8 text")
            }
            let lines = lines(of: text)
            guard !lines.isEmpty else { throw .textSet("\(path) has no texts (one per line expected)") }
            return lines
        }
        return EmbedTextSet(queries: try read(queriesFile), documents: try read(documentsFile))
    }

    /// The non-blank lines of `text`, trimmed, in order (`\n` or `\r\n` endings).
    static func lines(of text: String) -> [String] {
        text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// The documents cut into consecutive batches of at most `size` (the last one may be shorter).
    public func documentBatches(of size: Int) -> [[String]] {
        stride(from: 0, to: documents.count, by: max(1, size)).map {
            Array(documents[$0..<min($0 + max(1, size), documents.count)])
        }
    }
}
