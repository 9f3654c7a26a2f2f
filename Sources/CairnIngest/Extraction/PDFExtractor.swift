import Foundation
import Glibc
import Synchronization

/// Extracts a PDF's text page by page with poppler's `pdftotext` (Debian's `poppler-utils`), run as a
/// subprocess so a broken PDF can never take the service down with it.
///
/// `pdftotext -enc UTF-8 -eol unix <file> -` runs without `-layout`: Cairn wants reading order (columns
/// one after the other, words joined) rather than a picture of the page in spaces. Its output separates
/// pages with form feeds; each page has trailing spaces removed from its lines and blank lines removed
/// at both ends, and the pages are joined with a blank line (`"\n\n"`). ``ExtractedText/pageStarts``
/// gives the scalar offset where each page begins, so every chunk knows its page; an empty page still
/// has its own start.
public enum PDFExtractor {
    /// How long one file may take before `pdftotext` is killed.
    public static let defaultTimeout: Duration = .seconds(120)

    /// The text of the PDF at `path`, page by page.
    ///
    /// - Parameters:
    ///   - path: the file on disk (uploads are written to disk first).
    ///   - displayName: the name error messages show (the upload's file name).
    ///   - timeout: how long `pdftotext` may run before it is killed.
    /// - Throws: ``IngestError/Kind/io`` when the file cannot be read, `pdftotext` is not installed, fails
    ///   to run or is killed at the timeout; ``IngestError/Kind/malformed`` for an encrypted or damaged PDF,
    ///   with `pdftotext`'s own first line of complaint; ``IngestError/Kind/emptyContent`` when no page has
    ///   text (a scanned PDF: OCR is not supported).
    public static func extract(path: String, displayName: String, timeout: Duration = defaultTimeout)
        throws(IngestError) -> ExtractedText {
        guard access(path, R_OK) == 0 else {
            throw IngestError(.io, "\(displayName): cannot read the file (\(String(cString: strerror(errno))))")
        }
        guard let tool = executable("pdftotext") else {
            throw IngestError(.io, "\(displayName): pdftotext is not installed (package poppler-utils); "
                + "run `bash scripts/bootstrap.sh`")
        }
        let run = try Subprocess.run(tool, ["-enc", "UTF-8", "-eol", "unix", path, "-"], timeout: timeout, name: displayName)
        if run.timedOut {
            throw IngestError(.io, "\(displayName): pdftotext did not finish within \(timeout) and was stopped")
        }
        guard run.status == 0 else {
            let complaint = String(decoding: run.stderr, as: UTF8.self).split(whereSeparator: \.isNewline)
                .first(where: { !$0.allSatisfy(\.isWhitespace) }).map(String.init) ?? "exit status \(run.status)"
            // 1: cannot open or parse the file (or it needs a password), 3: copying text is not permitted.
            let encrypted = run.status == 3 || complaint.localizedCaseInsensitiveContains("password")
            throw IngestError(run.status == 1 || run.status == 3 ? .malformed : .io,
                              "\(displayName): \(encrypted ? "the PDF is encrypted" : "not a readable PDF") (\(complaint))")
        }
        // A NUL byte in pdftotext's output (some fonts map glyphs to U+0000) is no character of the text: dropped.
        let extracted = pages(String(decoding: run.stdout.filter { $0 != 0 }, as: UTF8.self))
        guard extracted.text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw IngestError(.emptyContent, "\(displayName): no extractable text (scanned PDF? OCR is not supported)")
        }
        return extracted
    }

    /// Splits `pdftotext` output at form feeds into pages and joins them as described on the type.
    static func pages(_ output: String) -> ExtractedText {
        var pages = output.split(separator: "\u{0C}", omittingEmptySubsequences: false).map(String.init)
        // pdftotext ends every page, the last one included, with a form feed.
        if pages.count > 1, pages.last?.allSatisfy(\.isWhitespace) == true { pages.removeLast() }
        var text = ""
        var starts: [Int] = []
        var offset = 0
        for (i, page) in pages.enumerated() {
            if i > 0 {
                text += "\n\n"
                offset += 2
            }
            starts.append(offset)
            let cleaned = clean(page)
            text += cleaned
            offset += cleaned.unicodeScalars.count
        }
        return ExtractedText(text: text, pageStarts: starts)
    }

    /// Trailing spaces removed per line, blank lines removed at both ends.
    private static func clean(_ page: String) -> String {
        var lines = page.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var end = line.endIndex
            while end > line.startIndex, line[line.index(before: end)] == " " || line[line.index(before: end)] == "\t" {
                end = line.index(before: end)
            }
            return line[..<end]
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// The first executable `name` on `PATH` (or the usual system directories).
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/bin"]
        return directories.lazy.map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }
}

/// Runs a tool to completion, collecting its output, and kills it with SIGKILL at a deadline.
enum Subprocess {
    struct Outcome {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
        var timedOut: Bool
    }

    static func run(_ executable: String, _ arguments: [String], timeout: Duration, name: String) throws(IngestError) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw IngestError(.io, "\(name): cannot run \(executable) (\(error.localizedDescription))")
        }
        let pid = process.processIdentifier
        let timedOut = Atomic<Bool>(false)
        let finished = Atomic<Bool>(false)
        let errorBytes = Mutex<[UInt8]>([])
        let errorHandle = err.fileHandleForReading
        let group = DispatchGroup()
        // Read stderr on another thread so that neither pipe can fill up and stall the tool.
        DispatchQueue.global().async(group: group) {
            let data = errorHandle.readDataToEndOfFile()
            errorBytes.withLock { $0 = [UInt8](data) }
        }
        let (seconds, attoseconds) = timeout.components
        let deadline = DispatchTime.now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        let killer = DispatchWorkItem {
            guard !finished.load(ordering: .acquiring) else { return }
            timedOut.store(true, ordering: .releasing)
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: deadline, execute: killer)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        finished.store(true, ordering: .releasing)
        killer.cancel()
        group.wait()
        return Outcome(status: process.terminationStatus, stdout: [UInt8](output),
                       stderr: errorBytes.withLock { $0 }, timedOut: timedOut.load(ordering: .acquiring))
    }
}
