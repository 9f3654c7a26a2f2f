/// Turns the small HTML fragments of item banks (`stem_rich.html`, an option's `html`) into plain text.
///
/// A deliberately small converter for fragments, not documents: tags are dropped, `<br>`, `<li>`, `<tr>`
/// start a new line, `<p>`, `<div>`, lists, tables and headings are blocks on lines of their own
/// (so paragraphs end up separated by a blank line), `<sup>` becomes `^` (so `x<sup>2</sup>` reads `x^2`),
/// `<script>`/`<style>` content is dropped, character references (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`,
/// `&apos;`, `&nbsp;`, `&#NNN;`, `&#xHH;`) are decoded, spaces inside a line are collapsed and blank lines
/// reduced to one.
enum ItemBankHTML {
    /// Blocks: a line break where they open and where they close (a paragraph ends its line).
    private static let blockTags: Set<String> = [
        "p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section",
        "article", "hr", "dl",
    ]
    /// Line starters: a line break where they open only, so list items stay on consecutive lines.
    private static let lineTags: Set<String> = ["br", "li", "tr", "dt", "dd"]
    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—",
        "times": "×", "divide": "÷", "minus": "−", "le": "≤", "ge": "≥", "ne": "≠", "plusmn": "±", "deg": "°",
        "hellip": "…", "middot": "·", "pi": "π", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
    ]

    /// The plain text of an HTML fragment.
    static func plainText(_ html: String) -> String {
        var out = String.UnicodeScalarView()
        let s = Array(html.unicodeScalars)
        var i = 0
        var skipUntil: String?
        while i < s.count {
            let c = s[i]
            if c == "<", i + 1 < s.count, s[i + 1].properties.isAlphabetic || s[i + 1] == "/" || s[i + 1] == "!",
               let close = s[i...].firstIndex(of: ">") {
                let tag = tagName(s[(i + 1)..<close])
                i = close + 1
                if let end = skipUntil {
                    if tag.closing && tag.name == end { skipUntil = nil }
                    continue
                }
                if !tag.closing && (tag.name == "script" || tag.name == "style") { skipUntil = tag.name; continue }
                if blockTags.contains(tag.name) || (lineTags.contains(tag.name) && !tag.closing) { out.append("\n") }
                else if tag.name == "sup" && !tag.closing { out.append("^") }
                else if tag.name == "td" || tag.name == "th" { out.append(" ") }
                continue
            }
            i += 1
            if skipUntil != nil { continue }
            if c == "&", let (decoded, length) = entity(s, at: i - 1) {
                out.append(contentsOf: decoded.unicodeScalars)
                i = i - 1 + length
            } else {
                out.append(c)
            }
        }
        return tidy(String(out))
    }

    /// Collapses runs of spaces and tabs, trims each line, keeps at most one blank line in a row.
    static func tidy(_ text: String) -> String {
        var lines: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{A0}" }).joined(separator: " ")
            if line.isEmpty && (lines.last?.isEmpty ?? true) { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    private static func tagName(_ inner: ArraySlice<Unicode.Scalar>) -> (name: String, closing: Bool) {
        var body = inner.drop(while: { $0 == " " })
        let closing = body.first == "/"
        if closing { body = body.dropFirst() }
        let name = body.prefix(while: { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        return (String(String.UnicodeScalarView(name)).lowercased(), closing)
    }

    /// The decoded character reference starting at `s[start] == "&"`, and how many scalars it spans.
    private static func entity(_ s: [Unicode.Scalar], at start: Int) -> (String, Int)? {
        var end = start + 1
        while end < s.count, end - start <= 10, s[end] != ";" { end += 1 }
        guard end < s.count, s[end] == ";", end > start + 1 else { return nil }
        let body = String(String.UnicodeScalarView(s[(start + 1)..<end]))
        let length = end - start + 1
        if body.hasPrefix("#") {
            let digits = body.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let value, let scalar = Unicode.Scalar(value) else { return nil }
            return (value == 0xA0 ? " " : String(scalar), length)
        }
        guard let text = named[body] else { return nil }
        return (text, length)
    }
}
