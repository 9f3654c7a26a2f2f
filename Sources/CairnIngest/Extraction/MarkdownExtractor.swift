/// Markdown (`.md`): the extracted text is the Markdown source itself, so a citation's offsets point into
/// the very file the user uploaded; the structure comes as ``HeadingMark``s.
///
/// Recognised headings: ATX (`#` … `######` followed by a space or the end of the line, at most three
/// spaces of indentation, optional closing `#`s) and Setext (a paragraph underlined by `===` for level 1 or
/// `---` for level 2). Lines inside fenced code blocks (```` ``` ```` or `~~~`) are never headings, so a
/// shell comment in a code sample does not open a section. A mark's offset is that of the heading's first
/// non-blank character.
///
/// ```swift
/// let extracted = MarkdownExtractor.extract("# Algebra\n\nIntro\n\n## Linear equations\n…")
/// extracted.headings.map(\.title)  // ["Algebra", "Linear equations"]
/// ```
public enum MarkdownExtractor {
    /// Extracts headings from Markdown `source` (line endings are normalised first).
    public static func extract(_ source: String) -> ExtractedText {
        let text = TextDecoding.normalizingLineEndings(source)
        return ExtractedText(text: text, headings: headings(in: Array(text.unicodeScalars)))
    }

    /// Decodes and extracts a Markdown file.
    ///
    /// - Throws: ``IngestError`` `.malformed` for bytes that are not text, `.emptyContent` for a blank file.
    public static func extract(bytes: [UInt8], name: String) throws(IngestError) -> ExtractedText {
        let extracted = extract(try TextDecoding.decode(bytes, name: name))
        try PlainTextExtractor.requireContent(extracted, name: name)
        return extracted
    }

    private struct Line {
        var start: Int  // scalar offset of the line's first scalar
        var scalars: ArraySlice<Unicode.Scalar>

        /// Columns of leading spaces (a tab counts 4) and the index after them.
        var indent: (width: Int, end: Int) {
            var width = 0
            var i = scalars.startIndex
            while i < scalars.endIndex, scalars[i] == " " || scalars[i] == "\t" {
                width += scalars[i] == "\t" ? 4 : 1
                i += 1
            }
            return (width, i)
        }

        var isBlank: Bool { indent.end == scalars.endIndex }
    }

    static func headings(in scalars: [Unicode.Scalar]) -> [HeadingMark] {
        var lines: [Line] = []
        var lineStart = 0
        for (i, s) in scalars.enumerated() where s == "\n" {
            lines.append(Line(start: lineStart, scalars: scalars[lineStart..<i]))
            lineStart = i + 1
        }
        lines.append(Line(start: lineStart, scalars: scalars[lineStart...]))

        var marks: [HeadingMark] = []
        var fence: (marker: Unicode.Scalar, length: Int)?
        var paragraph: [Line] = []  // the open paragraph's lines, candidates for a Setext heading
        for line in lines {
            let (width, first) = line.indent
            if let open = fence {
                if width < 4, let close = fenceRun(line.scalars[first...]), close.marker == open.marker,
                   close.length >= open.length, line.scalars[(first + close.length)...].allSatisfy(isBlankScalar) {
                    fence = nil
                }
                continue
            }
            if line.isBlank || width >= 4 && paragraph.isEmpty {
                paragraph = []
                continue
            }
            let body = line.scalars[first...]
            if width < 4, let open = fenceRun(body), open.marker == "~" || !body.dropFirst(open.length).contains("`") {
                fence = open
                paragraph = []
                continue
            }
            if width < 4, let heading = atxHeading(body) {
                if !heading.title.isEmpty {
                    marks.append(HeadingMark(offset: line.start + (first - line.scalars.startIndex),
                                             level: heading.level, title: heading.title))
                }
                paragraph = []
                continue
            }
            if width < 4, !paragraph.isEmpty, let level = setextLevel(body) {
                let title = TextDecoding.collapsingWhitespace(paragraph.map { String(String.UnicodeScalarView($0.scalars)) }.joined(separator: " "))
                let head = paragraph[0]
                marks.append(HeadingMark(offset: head.start + (head.indent.end - head.scalars.startIndex),
                                         level: level, title: title))
                paragraph = []
                continue
            }
            if width < 4, body.first == ">" || startsListItem(body) || isThematicBreak(body) {
                paragraph = []  // not paragraph text a Setext underline could turn into a heading
                continue
            }
            paragraph.append(line)
        }
        return marks
    }

    private static func isBlankScalar(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" }

    /// A run of at least three backticks or tildes at the start of `body`.
    private static func fenceRun(_ body: ArraySlice<Unicode.Scalar>) -> (marker: Unicode.Scalar, length: Int)? {
        guard let marker = body.first, marker == "`" || marker == "~" else { return nil }
        let length = body.prefix { $0 == marker }.count
        return length >= 3 ? (marker, length) : nil
    }

    private static func atxHeading(_ body: ArraySlice<Unicode.Scalar>) -> (level: Int, title: String)? {
        let level = body.prefix { $0 == "#" }.count
        guard (1...6).contains(level) else { return nil }
        var rest = body.dropFirst(level)
        guard rest.isEmpty || isBlankScalar(rest.first!) else { return nil }
        while let last = rest.last, isBlankScalar(last) { rest = rest.dropLast() }
        // A closing sequence of #s counts only when a space separates it from the title (or it is all there is).
        let closing = rest.reversed().prefix { $0 == "#" }.count
        if closing > 0 {
            let beforeClosing = rest.dropLast(closing)
            if beforeClosing.isEmpty || isBlankScalar(beforeClosing.last!) { rest = beforeClosing }
        }
        return (level, TextDecoding.collapsingWhitespace(String(String.UnicodeScalarView(rest))))
    }

    private static func setextLevel(_ body: ArraySlice<Unicode.Scalar>) -> Int? {
        var content = body
        while let last = content.last, isBlankScalar(last) { content = content.dropLast() }
        guard let marker = content.first, marker == "=" || marker == "-", content.allSatisfy({ $0 == marker }) else {
            return nil
        }
        return marker == "=" ? 1 : 2
    }

    private static func startsListItem(_ body: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = body.first else { return false }
        let second = body.dropFirst().first
        if first == "-" || first == "*" || first == "+" { return second == nil || second == " " || second == "\t" }
        let digits = body.prefix { ("0"..."9").contains($0) }.count
        guard (1...9).contains(digits) else { return false }
        let after = body.dropFirst(digits)
        guard let delimiter = after.first, delimiter == "." || delimiter == ")" else { return false }
        let next = after.dropFirst().first
        return next == nil || next == " " || next == "\t"
    }

    private static func isThematicBreak(_ body: ArraySlice<Unicode.Scalar>) -> Bool {
        let marks = body.filter { !isBlankScalar($0) }
        guard let first = marks.first, first == "-" || first == "*" || first == "_" else { return false }
        return marks.count >= 3 && marks.allSatisfy { $0 == first }
    }
}
