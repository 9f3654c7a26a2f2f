/// The text of one material as chunks are cut from it, with where its pages and sections begin.
///
/// Every offset counts Unicode scalars of ``text`` (not bytes, not grapheme clusters), so a chunk's
/// `char_start..<char_end` selects the same characters as Python's `text[char_start:char_end]`.
public struct ExtractedText: Sendable, Hashable {
    /// The extracted text.
    public var text: String
    /// Scalar offset where page `i + 1` starts (`pageStarts[0] == 0`); empty when the format has no pages.
    public var pageStarts: [Int]
    /// Section headings in offset order.
    public var headings: [HeadingMark]

    public init(text: String, pageStarts: [Int] = [], headings: [HeadingMark] = []) {
        self.text = text
        self.pageStarts = pageStarts
        self.headings = headings
    }
}

/// "From `offset` on, the section at `level` is `title`": deeper levels open under it and are closed by
/// the next heading at the same or a shallower level.
public struct HeadingMark: Sendable, Hashable {
    /// Scalar offset into ``ExtractedText/text`` where the heading's section starts.
    public var offset: Int
    /// 1 for a top-level heading (`#`, `<h1>`), up to 6.
    public var level: Int
    /// The heading's text, whitespace collapsed.
    public var title: String

    public init(offset: Int, level: Int, title: String) {
        self.offset = offset
        self.level = level
        self.title = title
    }
}
