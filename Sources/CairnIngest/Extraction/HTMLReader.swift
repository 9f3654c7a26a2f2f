/// The scanner behind ``HTMLExtractor``: walks the markup once, feeding an ``HTMLTextBuilder``.
struct HTMLReader {
    private let input: [Unicode.Scalar]
    private var i = 0
    var output = HTMLTextBuilder()
    private(set) var headings: [HeadingMark] = []
    private(set) var title: String?

    private var preDepth = 0
    private var inHead = false
    private var listDepth = 0
    private var cellIndex = 0
    /// The heading being read: its level, where its text starts, its text so far.
    private var openHeading: (level: Int, offset: Int?, title: [Unicode.Scalar])?

    init(_ input: [Unicode.Scalar]) {
        self.input = input
    }

    /// Elements whose whole content is dropped (read raw up to their end tag).
    private static let skipped: Set<String> = ["script", "style", "noscript", "template", "svg", "textarea"]
    /// Elements that may appear in `<head>`.
    private static let headContent: Set<String> = ["head", "title", "meta", "link", "base", "script", "style", "noscript", "template"]
    /// Elements that start and end a blank-line-separated block.
    private static let paragraphBlocks: Set<String> = [
        "p", "pre", "blockquote", "table", "section", "article", "header", "footer", "main", "aside", "nav",
        "figure", "hr", "address", "details", "form", "fieldset", "dl", "h1", "h2", "h3", "h4", "h5", "h6",
    ]
    /// Elements that start and end a line.
    private static let lineBlocks: Set<String> = [
        "div", "li", "tr", "dt", "dd", "caption", "figcaption", "summary", "legend", "center", "thead", "tbody",
        "tfoot", "option", "body", "html", "title", "head",
    ]

    mutating func run() {
        while i < input.count {
            let s = input[i]
            if s == "<", tag() { continue }
            if s == "&", let reference = HTMLEntities.reference(in: input, at: i) {
                for scalar in reference.value { text(scalar) }
                i += reference.length
                continue
            }
            text(s)
            i += 1
        }
        closeHeading()
    }

    private mutating func text(_ s: Unicode.Scalar) {
        if inHead { return }
        if preDepth > 0 {
            if openHeading != nil { noteHeadingText(s) }
            output.appendVerbatim(s)
            return
        }
        if openHeading != nil {
            if HTMLTextBuilder.isCollapsible(s) {
                openHeading!.title.append(" ")
            } else {
                noteHeadingText(s)
            }
        }
        output.appendCollapsing(s)
    }

    private mutating func noteHeadingText(_ s: Unicode.Scalar) {
        if openHeading!.offset == nil, !HTMLTextBuilder.isCollapsible(s) {
            output.flush()
            openHeading!.offset = output.scalars.count
        }
        openHeading!.title.append(s)
    }

    /// Handles the markup starting at `input[i] == "<"`; false when the `<` is literal text.
    private mutating func tag() -> Bool {
        guard i + 1 < input.count else { return false }
        let next = input[i + 1]
        if next == "!" {
            if starts(with: "<!--", at: i) {
                i = end(of: "-->", from: i + 4)
            } else {
                i = end(of: ">", from: i + 2)
            }
            return true
        }
        if next == "?" {
            i = end(of: ">", from: i + 2)
            return true
        }
        let closing = next == "/"
        let nameStart = i + (closing ? 2 : 1)
        guard nameStart < input.count, input[nameStart].isASCII, input[nameStart].properties.isAlphabetic else {
            return false
        }
        var j = nameStart
        while j < input.count, input[j] != ">", input[j] != "/", !HTMLTextBuilder.isCollapsible(input[j]) { j += 1 }
        let name = String(String.UnicodeScalarView(input[nameStart..<j])).lowercased()
        // Skip the attributes, honouring quotes (a `>` inside a quoted value does not end the tag).
        var quote: Unicode.Scalar?
        while j < input.count {
            let s = input[j]
            if let q = quote {
                if s == q { quote = nil }
            } else if s == "\"" || s == "'" {
                quote = s
            } else if s == ">" {
                break
            }
            j += 1
        }
        i = min(j + 1, input.count)
        if closing {
            endTag(name)
        } else {
            startTag(name)
        }
        return true
    }

    private mutating func startTag(_ name: String) {
        if Self.skipped.contains(name) {
            i = rawEnd(of: name)
            return
        }
        if inHead, !Self.headContent.contains(name) { inHead = false }  // a body element: the head has ended
        switch name {
        case "title":
            let start = i
            let close = closeTagStart(name, from: i)
            i = close == input.count ? close : end(of: ">", from: close)
            if title == nil {
                var decoded = HTMLReader(Array(input[start..<close]))
                decoded.run()
                let text = String(String.UnicodeScalarView(decoded.output.finish()))
                let collapsed = TextDecoding.collapsingWhitespace(text)
                if !collapsed.isEmpty { title = collapsed }
            }
            return
        case "head": inHead = true
        case "body": inHead = false
        case "br": output.lineBreak()
        case "sup":
            // Exponents keep their meaning in plain text: x<sup>2</sup> reads x^2.
            output.pendingPrefix = ["^"]
            return
        case "pre":
            output.requestBreak(2)
            preDepth += 1
            if i < input.count, input[i] == "\n" { i += 1 }  // a newline right after <pre> is not content
            return
        case "ul", "ol":
            output.requestBreak(listDepth == 0 ? 2 : 1)
            listDepth += 1
            return
        case "li":
            output.requestBreak(1)
            output.pendingPrefix = Array(String(repeating: "  ", count: max(listDepth - 1, 0)).unicodeScalars) + ["-", " "]
            return
        case "tr":
            cellIndex = 0
        case "td", "th":
            if cellIndex > 0 { output.pendingPrefix = [" ", "|", " "] }
            cellIndex += 1
            return
        default:
            break
        }
        if let level = headingLevel(name) {
            closeHeading()
            output.requestBreak(2)
            openHeading = (level, nil, [])
            return
        }
        blockBreak(name)
    }

    private mutating func endTag(_ name: String) {
        switch name {
        case "head": inHead = false
        case "pre": preDepth = max(preDepth - 1, 0)
        case "ul", "ol":
            listDepth = max(listDepth - 1, 0)
            output.requestBreak(listDepth == 0 ? 2 : 1)
            return
        case "li":
            output.pendingPrefix = []
        default: break
        }
        if headingLevel(name) != nil {
            closeHeading()
        }
        blockBreak(name)
    }

    private mutating func blockBreak(_ name: String) {
        if Self.paragraphBlocks.contains(name) {
            output.requestBreak(2)
        } else if Self.lineBlocks.contains(name) {
            output.requestBreak(1)
        }
    }

    private func headingLevel(_ name: String) -> Int? {
        let scalars = Array(name.unicodeScalars)
        guard scalars.count == 2, scalars[0] == "h", ("1"..."6").contains(scalars[1]) else { return nil }
        return Int(scalars[1].value - 0x30)
    }

    private mutating func closeHeading() {
        guard let heading = openHeading else { return }
        openHeading = nil
        let title = TextDecoding.collapsingWhitespace(String(String.UnicodeScalarView(heading.title)))
        if let offset = heading.offset, !title.isEmpty {
            headings.append(HeadingMark(offset: offset, level: heading.level, title: title))
        }
        output.requestBreak(2)
    }

    private func starts(with literal: String, at offset: Int) -> Bool {
        var k = offset
        for s in literal.unicodeScalars {
            guard k < input.count, input[k] == s else { return false }
            k += 1
        }
        return true
    }

    /// The index just past the first `terminator` at or after `from` (the end of input when there is none).
    private func end(of terminator: String, from: Int) -> Int {
        var k = from
        while k < input.count {
            if starts(with: terminator, at: k) { return k + terminator.unicodeScalars.count }
            k += 1
        }
        return input.count
    }

    /// The index just past `</name …>` (any case) at or after `i`, or the end of input.
    private func rawEnd(of name: String) -> Int {
        let start = closeTagStart(name, from: i)
        return start == input.count ? start : end(of: ">", from: start)
    }

    /// Where `</name` (any case) first occurs at or after `from`, or the end of input.
    private func closeTagStart(_ name: String, from: Int) -> Int {
        let pattern = Array(name.unicodeScalars)
        var k = from
        while k + 1 + pattern.count < input.count {
            if input[k] == "<", input[k + 1] == "/" {
                var matched = true
                for (offset, p) in pattern.enumerated() {
                    let s = input[k + 2 + offset]
                    let lower = s.isASCII && s.properties.isUppercase ? Unicode.Scalar(s.value + 0x20)! : s
                    if lower != p { matched = false; break }
                }
                if matched { return k }
            }
            k += 1
        }
        return input.count
    }
}
