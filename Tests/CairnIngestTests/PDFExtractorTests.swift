@testable import CairnIngest
import Foundation
import Testing
import TestSupport

@Suite struct PDFExtractorTests {
    /// The scalars of `text` in `range`, as Python's `text[a:b]` would give them.
    private func slice(_ text: String, _ range: Range<Int>) -> String {
        let scalars = Array(text.unicodeScalars)
        return String(String.UnicodeScalarView(scalars[range]))
    }

    @Test func threePagesGiveTheirStarts() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-pdf")
        let path = dir.file("notes.pdf")
        try PDFWriter.write(pages: [["Page one starts here.", "It has two lines."], ["The second page."],
                                    ["Caf\u{E9} au lait, na\u{EF}ve r\u{E9}sum\u{E9} (third)."]], to: path)
        let extracted = try PDFExtractor.extract(path: path, displayName: "notes.pdf")
        #expect(extracted.pageStarts.count == 3)
        #expect(extracted.pageStarts.first == 0)
        let scalarCount = extracted.text.unicodeScalars.count
        let bounds = extracted.pageStarts + [scalarCount]
        let pages = (0..<3).map { slice(extracted.text, bounds[$0]..<bounds[$0 + 1]) }
        #expect(pages[0].hasPrefix("Page one starts here."))
        #expect(pages[0].contains("It has two lines."))
        #expect(pages[0].hasSuffix("\n\n"))
        #expect(pages[1] == "The second page.\n\n")
        #expect(pages[2] == "Caf\u{E9} au lait, na\u{EF}ve r\u{E9}sum\u{E9} (third).")
        #expect(!extracted.text.contains("\u{0C}"))
    }

    @Test func damagedPDFIsMalformed() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-pdf")
        let path = dir.file("broken.pdf")
        try PDFWriter.writeDamaged(to: path)
        let error = #expect(throws: IngestError.self) { try PDFExtractor.extract(path: path, displayName: "broken.pdf") }
        #expect(error?.kind == .malformed)
        #expect(error?.message.hasPrefix("broken.pdf: ") == true)
    }

    @Test func pagesWithoutTextAreEmptyContent() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-pdf")
        let path = dir.file("scan.pdf")
        try PDFWriter.write(pages: [[], []], to: path)
        let error = #expect(throws: IngestError.self) { try PDFExtractor.extract(path: path, displayName: "scan.pdf") }
        #expect(error?.kind == .emptyContent)
        #expect(error?.message.contains("OCR is not supported") == true)
    }

    @Test func missingFileIsAnIOError() {
        let error = #expect(throws: IngestError.self) {
            try PDFExtractor.extract(path: "/nonexistent/cairn/x.pdf", displayName: "x.pdf")
        }
        #expect(error?.kind == .io)
    }

    @Test func blankPageKeepsItsOwnStart() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-pdf")
        let path = dir.file("gap.pdf")
        try PDFWriter.write(pages: [["First."], [], ["Third."]], to: path)
        let extracted = try PDFExtractor.extract(path: path, displayName: "gap.pdf")
        #expect(extracted.pageStarts == [0, 8, 10])
        #expect(extracted.text == "First.\n\n\n\nThird.")
    }

    @Test func slowToolIsKilledAtTheTimeout() throws {
        let start = ContinuousClock.now
        let run = try Subprocess.run("/bin/sleep", ["5"], timeout: .milliseconds(200), name: "slow")
        #expect(run.timedOut)
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test func formFeedsSplitPages() {
        let extracted = PDFExtractor.pages("one  \ntwo\n\u{0C}\n\nthree\u{0C}")
        #expect(extracted.text == "one\ntwo\n\nthree")
        #expect(extracted.pageStarts == [0, 9])
    }
}
