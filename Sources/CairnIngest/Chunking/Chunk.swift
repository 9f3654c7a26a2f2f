/// One citable piece of a material's extracted text.
///
/// `content` is exactly the text between `charStart` and `charEnd`, counted in Unicode scalars of
/// ``ExtractedText/text`` (so Python's `text[char_start:char_end]` gives the same string):
///
/// ```swift
/// let scalars = Array(extracted.text.unicodeScalars)
/// String(String.UnicodeScalarView(scalars[chunk.charStart..<chunk.charEnd])) == chunk.content  // always
/// ```
public struct Chunk: Sendable, Hashable, Codable {
    /// Position among the material's chunks, from 0.
    public var index: Int
    /// Scalar offset of the first character.
    public var charStart: Int
    /// Scalar offset just past the last character.
    public var charEnd: Int
    /// The chunk's text; never empty, never starting or ending with whitespace.
    public var content: String
    /// The 1-based page holding the first character; nil for formats without pages.
    public var pageNumber: Int?
    /// The 1-based page holding the last character, only when it differs from ``pageNumber``.
    public var pageEnd: Int?
    /// Titles of the sections open at ``charStart``, outermost first.
    public var headingPath: [String]
    /// Tokens of ``content`` by the embedder's tokenizer, without special tokens.
    public var tokenCount: Int
    /// Lower-case hexadecimal SHA-256 of ``content``'s UTF-8 bytes.
    public var contentHash: String

    public init(
        index: Int, charStart: Int, charEnd: Int, content: String, pageNumber: Int? = nil, pageEnd: Int? = nil,
        headingPath: [String] = [], tokenCount: Int, contentHash: String
    ) {
        self.index = index
        self.charStart = charStart
        self.charEnd = charEnd
        self.content = content
        self.pageNumber = pageNumber
        self.pageEnd = pageEnd
        self.headingPath = headingPath
        self.tokenCount = tokenCount
        self.contentHash = contentHash
    }
}
