import Foundation

/// The study notes the service benchmarks index: variants of the committed documents.txt passages (their
/// sentences reordered by a seeded shuffle, under a numbered lesson title), so every passage is distinct text
/// and reads like the notes a class would upload.
struct ServeBenchCorpus {
    let passages: [String]

    init(textsDirectory: String) throws {
        passages = try EmbedTextSet.load(directory: textsDirectory).documents
        guard !passages.isEmpty else { throw BenchError("\(textsDirectory)/documents.txt holds no passages") }
    }

    /// Passage variant `i` (deterministic).
    func passage(_ i: Int) -> String {
        let source = passages[i % passages.count]
        var sentences = source.components(separatedBy: ". ").filter { !$0.isEmpty }
        var state = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        for j in stride(from: sentences.count - 1, to: 0, by: -1) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            sentences.swapAt(j, Int((state >> 33) % UInt64(j + 1)))
        }
        return "Lesson \(i + 1). " + sentences.joined(separator: ". ")
    }

    /// Writes passages `range` into `directory` as files of `perFile` passages (Markdown with a heading per
    /// passage, alternating with plain text); returns the paths.
    func write(_ range: Range<Int>, perFile: Int, into directory: String, prefix: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var paths: [String] = []
        for (f, start) in stride(from: range.lowerBound, to: range.upperBound, by: perFile).enumerated() {
            let markdown = f % 2 == 0
            var text = markdown ? "# Study notes \(prefix) \(f + 1)\n\n" : ""
            for i in start..<min(start + perFile, range.upperBound) {
                if markdown { text += "## Lesson \(i + 1)\n\n" }
                text += passage(i) + "\n\n"
            }
            let path = (directory as NSString).appendingPathComponent("\(prefix)-\(f + 1)" + (markdown ? ".md" : ".txt"))
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        return paths
    }
}
