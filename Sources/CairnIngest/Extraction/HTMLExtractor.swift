/// HTML (`.html`, `.htm`, `.xhtml`, and rich-text fields of item banks): readable text with its headings.
///
/// A small, forgiving reader rather than a conforming parser: it never fails on bad markup. It
/// - drops tags, comments, doctype and processing instructions;
/// - drops the content of `<script>`, `<style>`, `<noscript>`, `<template>`, `<svg>` and everything in
///   `<head>` except `<title>`, which is returned apart as the document's title;
/// - decodes character references (``HTMLEntities``); `&nbsp;` reads as an ordinary space;
/// - turns block elements into line breaks (`div`, `li`, `tr`, `br`, `dt`, `dd`, …) or blank lines (`p`,
///   `h1`–`h6`, `table`, `blockquote`, `pre`, `section`, …), collapses other whitespace to single spaces
///   (except inside `<pre>`), starts each `<li>` with `- ` (indented two spaces per nesting level) and
///   separates table cells with ` | `;
/// - marks `<h1>`–`<h6>` as ``HeadingMark``s at the offset where their text starts in the output.
///
/// ```swift
/// let (extracted, title) = HTMLExtractor.extract("<title>Notes</title><h1>Algebra</h1><p>x&nbsp;=&nbsp;2</p>")
/// extracted.text       // "Algebra\n\nx = 2"
/// extracted.headings   // [HeadingMark(offset: 0, level: 1, title: "Algebra")]
/// title                // "Notes"
/// ```
public enum HTMLExtractor {
    /// The text, headings and `<title>` of an HTML document.
    public static func extract(_ html: String) -> (text: ExtractedText, title: String?) {
        var reader = HTMLReader(Array(html.unicodeScalars))
        reader.run()
        var out = reader.output
        let text = String(String.UnicodeScalarView(out.finish()))
        return (ExtractedText(text: text, headings: reader.headings), reader.title)
    }

    /// Decodes and extracts an HTML file.
    ///
    /// - Throws: ``IngestError`` `.malformed` for bytes that are not text, `.emptyContent` when the page has
    ///   no visible text.
    public static func extract(bytes: [UInt8], name: String) throws(IngestError) -> (text: ExtractedText, title: String?) {
        let result = extract(try TextDecoding.decode(bytes, name: name))
        try PlainTextExtractor.requireContent(result.text, name: name)
        return result
    }

    /// The visible text of an HTML fragment such as an item's `stem_rich.html`, e.g.
    /// `"<p>Solve <b>x</b> + 1 = 3.</p>"` → `"Solve x + 1 = 3."`.
    public static func plainText(fromHTMLFragment html: String) -> String {
        extract(html).text.text
    }
}

/// The output text under construction: whitespace collapsing, pending line breaks and prefixes.
struct HTMLTextBuilder {
    private(set) var scalars: [Unicode.Scalar] = []
    /// Line breaks owed before the next text: 1 for a new line, 2 for a blank line.
    private var pendingBreaks = 0
    private var pendingSpace = false
    /// Written before the next text once breaks are flushed (`- ` of a list item, ` | ` between cells).
    var pendingPrefix: [Unicode.Scalar] = []

    mutating func requestBreak(_ count: Int) {
        pendingBreaks = max(pendingBreaks, count)
        pendingSpace = false
    }

    /// A `<br>`: always one more line end, so `<br><br>` leaves a blank line.
    mutating func lineBreak() {
        flushBreaks()
        trimTrailingSpaces()
        if !scalars.isEmpty { scalars.append("\n") }
        pendingSpace = false
    }

    /// Collapsible text (outside `<pre>`).
    mutating func appendCollapsing(_ scalar: Unicode.Scalar) {
        if Self.isCollapsible(scalar) {
            pendingSpace = true
            return
        }
        flush()
        scalars.append(scalar)
    }

    /// Preformatted text: kept as is.
    mutating func appendVerbatim(_ scalar: Unicode.Scalar) {
        flush()
        scalars.append(scalar)
    }

    /// Writes owed breaks, spaces and prefixes; the next scalar appended starts at `scalars.count`.
    mutating func flush() {
        flushBreaks()
        if pendingSpace, pendingPrefix.first != " ", let last = scalars.last, last != "\n", last != " " {
            scalars.append(" ")
        }
        pendingSpace = false
        if !pendingPrefix.isEmpty {
            scalars += pendingPrefix
            pendingPrefix = []
        }
    }

    private mutating func flushBreaks() {
        guard pendingBreaks > 0 else { return }
        defer { pendingBreaks = 0 }
        guard !scalars.isEmpty else { return }
        trimTrailingSpaces()
        let have = scalars.reversed().prefix { $0 == "\n" }.count
        if have < pendingBreaks { scalars += repeatElement("\n", count: pendingBreaks - have) }
        pendingSpace = false
    }

    private mutating func trimTrailingSpaces() {
        while scalars.last == " " { scalars.removeLast() }
    }

    /// The text with trailing whitespace removed (leading whitespace is never written).
    mutating func finish() -> [Unicode.Scalar] {
        while let last = scalars.last, last == " " || last == "\n" || last == "\t" { scalars.removeLast() }
        return scalars
    }

    /// HTML's inter-element whitespace (space, tab, line feed, form feed, carriage return) and the
    /// no-break space, which reads as an ordinary space in extracted text.
    static func isCollapsible(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\n" || s == "\t" || s == "\r" || s == "\u{0C}" || s == "\u{A0}"
    }
}
