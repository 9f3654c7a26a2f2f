import CairnIngest
import Testing

/// File type detection, decoding, and the text, Markdown and HTML extractors.
@Suite struct ExtractionTests {
    // MARK: File types

    @Test func fileTypeByExtension() {
        let cases: [(String, MaterialFileType)] = [
            ("a.txt", .text), ("b.TEXT", .text), ("notes.md", .markdown), ("x/y/README.markdown", .markdown),
            ("page.htm", .html), ("page.HTML", .html), ("p.xhtml", .html), ("scan.pdf", .pdf), ("bank.json", .json),
            ("bank.jsonl", .jsonl), ("log.ndjson", .jsonl), ("sheet.csv", .csv),
        ]
        for (name, type) in cases {
            #expect(MaterialFileType.detect(filename: name, head: []) == type, "\(name)")
        }
        #expect(MaterialFileType.detect(filename: "a.md", head: Array("%PDF-1.4".utf8)) == .markdown)
        #expect(MaterialFileType.pdf.mimeType == "application/pdf")
        #expect(MaterialFileType.markdown.mimeType == "text/markdown")
        #expect(Set(MaterialFileType.allCases.map(\.mimeType)).count == MaterialFileType.allCases.count)
    }

    @Test func fileTypeSniffedWithoutKnownExtension() {
        func sniff(_ head: String, _ name: String = "upload") -> MaterialFileType? {
            MaterialFileType.detect(filename: name, head: Array(head.utf8))
        }
        #expect(sniff("%PDF-1.7\n%âãÏÓ") == .pdf)
        #expect(sniff("\u{FEFF}  <!DOCTYPE html><html>") == .html)
        #expect(sniff("<HTML><body>hi") == .html)
        #expect(sniff("  {\"a\": 1}") == .json)
        #expect(sniff("[1, 2]", "data.dat") == .json)
        #expect(sniff("Just some notes, 한국어 too.", "notes.log") == .text)
        #expect(sniff("README text") == .text)
        // A head may end inside a multi-byte scalar.
        #expect(MaterialFileType.detect(filename: "x", head: Array("한".utf8).dropLast()) == .text)
        #expect(MaterialFileType.detect(filename: "x", head: [0xFF, 0xFE, 0x41, 0x00]) == .text)
        #expect(MaterialFileType.detect(filename: "photo.png", head: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]) == nil)
        #expect(MaterialFileType.detect(filename: "doc.docx", head: [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]) == nil)
        #expect(MaterialFileType.detect(filename: "bad", head: [0x61, 0xC3, 0x28, 0x61]) == nil)
    }

    // MARK: Decoding

    @Test func aNULByteMakesAFileNotText() {
        // Past the first bytes the type sniffer looks at, so only decoding can notice it.
        let bytes = Array(String(repeating: "plain words ", count: 1_000).utf8) + [0] + Array("more".utf8)
        #expect(throws: IngestError.self) { try TextDecoding.decode(bytes, name: "a.txt") }
        do {
            _ = try TextDecoding.decode(bytes, name: "a.txt")
        } catch {
            #expect(error.message == "a.txt: holds a NUL byte (byte offset 12000), so it is not text", "\(error)")
        }
    }

    @Test func decodesUTF8AndStripsTheByteOrderMark() throws {
        #expect(try TextDecoding.decode(Array("\u{FEFF}héllo".utf8), name: "a.txt") == "héllo")
        #expect(try TextDecoding.decode([], name: "a.txt") == "")
        // Not Unicode-normalised: the combining accent stays a separate scalar.
        let decomposed = try TextDecoding.decode(Array("e\u{301}".utf8), name: "a.txt")
        #expect(decomposed.unicodeScalars.count == 2)
    }

    @Test func decodesUTF16WithByteOrderMark() throws {
        let text = "Zoë 한 𝄞\r\nend"
        var little: [UInt8] = [0xFF, 0xFE], big: [UInt8] = [0xFE, 0xFF]
        for unit in text.utf16 {
            little += [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            big += [UInt8(unit >> 8), UInt8(unit & 0xFF)]
        }
        #expect(try TextDecoding.decode(little, name: "u.txt") == "Zoë 한 𝄞\nend")
        #expect(try TextDecoding.decode(big, name: "u.txt") == "Zoë 한 𝄞\nend")
        #expect(throws: IngestError.self) { try TextDecoding.decode([0xFF, 0xFE, 0x41], name: "u.txt") }
        #expect(throws: IngestError.self) { try TextDecoding.decode([0xFF, 0xFE, 0x00, 0xDC], name: "u.txt") }
    }

    @Test func normalisesLineEndings() throws {
        #expect(try TextDecoding.decode(Array("a\r\nb\rc\n\r\nd\r".utf8), name: "a.txt") == "a\nb\nc\n\nd\n")
        #expect(TextDecoding.normalizingLineEndings("x\r\n\r\ny") == "x\n\ny")
        #expect(PlainTextExtractor.extract("one\r\ntwo").text == "one\ntwo")
    }

    @Test func invalidUTF8NamesTheFileAndOffset() {
        func failure(_ bytes: [UInt8]) -> IngestError? {
            do {
                _ = try TextDecoding.decode(bytes, name: "scan.txt")
                return nil
            } catch {
                return error
            }
        }
        let bad = failure(Array("abc".utf8) + [0xFF] + Array("def".utf8))
        #expect(bad?.kind == .malformed)
        #expect(bad?.message == "scan.txt: not UTF-8 text (byte offset 3)")
        // Offsets count from the start of the file, byte-order mark included.
        #expect(failure([0xEF, 0xBB, 0xBF, 0x61, 0xC0, 0xAF])?.message == "scan.txt: not UTF-8 text (byte offset 4)")
        #expect(failure([0xED, 0xA0, 0x80]) != nil)  // a surrogate
        #expect(failure([0x61, 0xE2, 0x82]) != nil)  // cut off at the end
        #expect(failure([0xF4, 0x90, 0x80, 0x80]) != nil)  // past U+10FFFF
    }

    @Test func plainTextExtractionRefusesBlankFiles() throws {
        let extracted = try PlainTextExtractor.extract(bytes: Array("  Hello\r\n".utf8), name: "n.txt")
        #expect(extracted == ExtractedText(text: "  Hello\n"))
        #expect(throws: IngestError(.emptyContent, "blank.txt: the file holds no text to index")) {
            try PlainTextExtractor.extract(bytes: Array(" \n\t\r\n".utf8), name: "blank.txt")
        }
    }

    // MARK: Markdown

    @Test func markdownHeadingsAndOffsets() throws {
        let source = """
            # Algebra #

            Intro text with a #hashtag.
              ## Linear  equations
            Body.
            ####### not a heading
            #also not

            ```sh
            # a shell comment, not a heading
            ```
            ~~~
            ## still code
            ~~~
            ### Quadratics ###
            Setext title
            ============
            Sub part
            ---

            - list item
            ---
            """
        let extracted = MarkdownExtractor.extract(source)
        #expect(extracted.text == source)
        #expect(extracted.headings.map(\.title) == ["Algebra", "Linear equations", "Quadratics", "Setext title", "Sub part"])
        #expect(extracted.headings.map(\.level) == [1, 2, 3, 1, 2])
        let scalars = Array(source.unicodeScalars)
        func text(at offset: Int, _ count: Int) -> String { String(String.UnicodeScalarView(scalars[offset..<(offset + count)])) }
        #expect(text(at: extracted.headings[0].offset, 3) == "# A")
        #expect(text(at: extracted.headings[1].offset, 4) == "## L")
        #expect(text(at: extracted.headings[3].offset, 6) == "Setext")
        #expect(extracted.headings.map(\.offset) == extracted.headings.map(\.offset).sorted())
    }

    @Test func markdownFromBytesNormalisesLineEndings() throws {
        let extracted = try MarkdownExtractor.extract(bytes: Array("\u{FEFF}# Title\r\n\r\nText\r\n".utf8), name: "a.md")
        #expect(extracted.text == "# Title\n\nText\n")
        #expect(extracted.headings == [HeadingMark(offset: 0, level: 1, title: "Title")])
    }

    // MARK: HTML

    @Test func htmlDropsMarkupScriptsAndHead() {
        let html = """
            <!DOCTYPE html>
            <html><head>
              <meta charset="utf-8"><title> Unit 3 &amp; review </title>
              <style>body { color: red; }</style>
              <script>var x = "<p>not text</p>";</script>
            </head>
            <body>
              <!-- a comment <p>hidden</p> -->
              <noscript>Enable JavaScript</noscript>
              <template><p>template text</p></template>
              <p class="x" data-note="a > b">First   paragraph
              spans lines.</p>
              <p>Second <b>bold</b><i>italic</i> paragraph.</p>
              <SCRIPT type="text/javascript">alert('</p>')</SCRIPT>
            </body></html>
            """
        let (extracted, title) = HTMLExtractor.extract(html)
        #expect(title == "Unit 3 & review")
        #expect(extracted.text == "First paragraph spans lines.\n\nSecond bolditalic paragraph.")
        #expect(extracted.headings.isEmpty)
    }

    @Test func htmlEntities() {
        let html = "<p>a&nbsp;b &amp; c &lt;d&gt; &quot;e&quot; &apos;f&apos; g&mdash;h i&ndash;j k&hellip; &copy; "
            + "&#65;&#x42;&#X43; &#x1F600; &eacute;&Uuml; &alpha;&le;&pi; &unknown; & alone &amp x &#150;</p>"
        let text = HTMLExtractor.extract(html).text.text
        #expect(text == "a b & c <d> \"e\" 'f' g—h i–j k… © ABC 😀 éÜ α≤π &unknown; & alone & x –")
    }

    @Test func htmlBlocksListsTablesAndPre() {
        let html = """
            <div>Line one<br>Line two<br/><br>after blank</div>
            <ul><li>apples</li><li>pears<ul><li>green</li></ul></li></ul>
            <ol><li>first</li></ol>
            <table><tr><th>Term</th><th>Meaning</th></tr>
            <tr><td>x</td> <td>unknown</td></tr></table>
            <pre>
            let  x = 1
              y</pre>
            <p>end</p>
            """
        let text = HTMLExtractor.extract(html).text.text
        #expect(text == """
            Line one
            Line two

            after blank

            - apples
            - pears
              - green

            - first

            Term | Meaning
            x | unknown

            let  x = 1
              y

            end
            """)
    }

    @Test func htmlHeadingsMarkWhereTheirTextStarts() {
        let html = "<body><h1>  Cell <em>biology</em> </h1><p>Cells.</p><h2>Mito&shy;chondria</h2><p>Power.</p>"
            + "<h3></h3><h2 id=\"r\">Ribosomes</h2>text"
        let (extracted, title) = HTMLExtractor.extract(html)
        #expect(title == nil)
        #expect(extracted.headings.map(\.title) == ["Cell biology", "Mito\u{AD}chondria", "Ribosomes"])
        #expect(extracted.headings.map(\.level) == [1, 2, 2])
        let scalars = Array(extracted.text.unicodeScalars)
        for mark in extracted.headings {
            let prefix = String(String.UnicodeScalarView(scalars[mark.offset...].prefix(4)))
            #expect(mark.title.hasPrefix(prefix), "\(mark.title) at \(mark.offset): \(prefix)")
        }
        #expect(extracted.text.hasPrefix("Cell biology\n\nCells.\n\nMito"))
    }

    @Test func htmlIsForgiving() {
        #expect(HTMLExtractor.extract("a < b and c > d").text.text == "a < b and c > d")
        #expect(HTMLExtractor.extract("<p>unclosed <b>bold").text.text == "unclosed bold")
        #expect(HTMLExtractor.extract("<script>never closed").text.text == "")
        #expect(HTMLExtractor.extract("<!-- never closed").text.text == "")
        #expect(HTMLExtractor.extract("x<").text.text == "x<")
        #expect(HTMLExtractor.extract("<head><title>T</title><p>no body tag").text.text == "no body tag")
    }

    @Test func htmlFragmentToPlainText() {
        #expect(HTMLExtractor.plainText(fromHTMLFragment: "<p>Solve <b>x</b> + 1 = 3.</p>") == "Solve x + 1 = 3.")
        #expect(HTMLExtractor.plainText(fromHTMLFragment: "<p>다음 중 옳은 것은?</p><p>x&sup2; &minus; 1</p>")
            == "다음 중 옳은 것은?\n\nx² − 1")
        #expect(HTMLExtractor.plainText(fromHTMLFragment: "") == "")
    }

    @Test func htmlFromBytes() throws {
        let (extracted, title) = try HTMLExtractor.extract(bytes: Array("<title>T</title>\r\n<p>a\r\nb</p>".utf8), name: "p.html")
        #expect(extracted.text == "a b")
        #expect(title == "T")
        #expect(throws: IngestError.self) {
            try HTMLExtractor.extract(bytes: Array("<script>x</script>".utf8), name: "empty.html")
        }
    }
}
