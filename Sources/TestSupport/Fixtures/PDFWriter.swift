import Foundation

/// Writes small, valid PDF files for tests: PDF 1.4, one Helvetica (standard Type 1 font, WinAnsi encoding)
/// text line per string, correct cross-reference offsets — so tests need no binary fixtures.
///
/// ```swift
/// try PDFWriter.write(pages: [["Page one", "second line"], ["Page two"]], to: dir.file("a.pdf"))
/// ```
///
/// Text is ASCII or Latin-1; other characters are written as `?`. A page given as `[]` has no text at all,
/// which is what a scanned page looks like to a text extractor.
public enum PDFWriter {
    /// The bytes of a PDF whose page `i` shows the lines `pages[i]`, top to bottom.
    public static func bytes(pages: [[String]]) -> [UInt8] {
        let pageCount = pages.count
        // Objects: 1 catalog, 2 page tree, 3 font, then per page a page object and its content stream.
        var objects: [[UInt8]] = []
        let kids = (0..<pageCount).map { "\(4 + 2 * $0) 0 R" }.joined(separator: " ")
        objects.append(Array("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        objects.append(Array("<< /Type /Pages /Kids [\(kids)] /Count \(pageCount) >>".utf8))
        objects.append(Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8))
        for (i, lines) in pages.enumerated() {
            objects.append(Array(("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                + "/Resources << /Font << /F1 3 0 R >> >> /Contents \(5 + 2 * i) 0 R >>").utf8))
            var content: [UInt8] = []
            if !lines.isEmpty {
                content += Array("BT /F1 12 Tf 16 TL 72 720 Td\n".utf8)
                for line in lines { content += [UInt8(ascii: "(")] + escaped(line) + Array(") Tj T*\n".utf8) }
                content += Array("ET\n".utf8)
            }
            objects.append(Array("<< /Length \(content.count) >>\nstream\n".utf8) + content + Array("\nendstream".utf8))
        }

        var out: [UInt8] = Array("%PDF-1.4\n".utf8) + [0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A]
        var offsets: [Int] = []
        for (i, body) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(i + 1) 0 obj\n".utf8) + body + Array("\nendobj\n".utf8)
        }
        let xref = out.count
        out += Array("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n".utf8)
        for offset in offsets {
            // Each entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, n, space, LF.
            out += Array((String(repeating: "0", count: 10 - String(offset).count) + "\(offset) 00000 n \n").utf8)
        }
        out += Array("trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }

    /// Writes ``bytes(pages:)`` to `path`.
    public static func write(pages: [[String]], to path: String) throws {
        try Data(bytes(pages: pages)).write(to: URL(fileURLWithPath: path))
    }

    /// Bytes that start like a PDF but hold no objects, cross-reference table or trailer, so no reader can
    /// make sense of them.
    public static func damagedBytes() -> [UInt8] {
        Array("%PDF-1.4\n%garbage that is not a PDF body\n0 0 zz\nstartxref\n99999\n%%EOF\n".utf8)
    }

    /// Writes ``damagedBytes()`` to `path`.
    public static func writeDamaged(to path: String) throws {
        try Data(damagedBytes()).write(to: URL(fileURLWithPath: path))
    }

    /// A string's WinAnsi bytes inside a PDF literal string: `\`, `(` and `)` escaped.
    private static func escaped(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            let value = scalar.value < 0x100 && scalar.value >= 0x20 ? UInt8(scalar.value) : UInt8(ascii: "?")
            if value == UInt8(ascii: "\\") || value == UInt8(ascii: "(") || value == UInt8(ascii: ")") {
                bytes.append(UInt8(ascii: "\\"))
            }
            bytes.append(value)
        }
        return bytes
    }
}
