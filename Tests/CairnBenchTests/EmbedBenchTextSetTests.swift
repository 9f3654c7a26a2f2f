import CairnBench
import Foundation
import Testing
import TestSupport

/// The text set loader, and the committed `Benchmarks/texts` set it reads.
@Suite struct EmbedBenchTextSetTests {
    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// `Benchmarks/texts` of this repository, found by walking up from this file (symbolic links resolved).
    static func committedTexts() throws -> String {
        var dir = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("Benchmarks/texts").path
            if FileManager.default.fileExists(atPath: candidate + "/" + EmbedTextSet.queriesFile) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw EmbedBenchError.textSet("Benchmarks/texts not found above \(#filePath)")
    }

    @Test func readsLinesInOrderTrimmedWithoutBlanks() throws {
        let dir = try TemporaryDirectory(prefix: "embed-texts")
        try Self.write("What is osmosis?\r\n\n  How do enzymes work?  \r\n\nWho was Gödel?", to: dir.file("queries.txt"))
        try Self.write("First paragraph.\nSecond paragraph, 광합성.\n", to: dir.file("documents.txt"))
        let texts = try EmbedTextSet.load(directory: dir.path)
        #expect(texts.queries == ["What is osmosis?", "How do enzymes work?", "Who was Gödel?"])
        #expect(texts.documents == ["First paragraph.", "Second paragraph, 광합성."])
    }

    @Test func aMissingFileIsNamed() throws {
        let dir = try TemporaryDirectory(prefix: "embed-texts")
        try Self.write("q\n", to: dir.file("queries.txt"))
        let error = #expect(throws: EmbedBenchError.self) { try EmbedTextSet.load(directory: dir.path) }
        #expect(error?.isUserError == true)
        #expect("\(error!)".contains("documents.txt"))
    }

    @Test func anEmptyFileIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "embed-texts")
        try Self.write(" \n\n", to: dir.file("queries.txt"))
        try Self.write("d\n", to: dir.file("documents.txt"))
        let error = #expect(throws: EmbedBenchError.self) { try EmbedTextSet.load(directory: dir.path) }
        #expect("\(error!)".contains("queries.txt"))
        #expect("\(error!)".contains("no texts"))
    }

    @Test func notUTF8IsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "embed-texts")
        try Data([0x71, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: dir.file("queries.txt")))
        try Self.write("d\n", to: dir.file("documents.txt"))
        #expect(throws: EmbedBenchError.textSet("\(dir.file("queries.txt")) is not UTF-8 text")) {
            try EmbedTextSet.load(directory: dir.path)
        }
    }

    @Test func documentBatchesAreConsecutiveWithAShortLastOne() {
        let texts = EmbedTextSet(queries: ["q"], documents: (0..<7).map { "d\($0)" })
        #expect(texts.documentBatches(of: 3) == [["d0", "d1", "d2"], ["d3", "d4", "d5"], ["d6"]])
        #expect(texts.documentBatches(of: 32) == [texts.documents])
    }

    @Test func theCommittedSetHasTheAdvertisedShape() throws {
        let texts = try EmbedTextSet.load(directory: try Self.committedTexts())
        #expect(texts.queries.count >= 500)
        #expect(texts.documents.count >= 320)
        #expect(texts.documents.count % EmbedBenchSettings.defaultDocumentBatch == 0, "whole batches of 32")
        #expect(Set(texts.queries).count == texts.queries.count, "queries are distinct")
        #expect(Set(texts.documents).count == texts.documents.count, "documents are distinct")
        let latin = texts.queries.filter { $0.unicodeScalars.allSatisfy { $0.value < 0x2E80 } }
        for query in latin {
            let words = query.split(separator: " ").count
            #expect((3...12).contains(words), "\(query)")
        }
        let meanWords = Double(texts.documents.map { $0.split(separator: " ").count }.reduce(0, +))
            / Double(texts.documents.count)
        #expect((90...140).contains(meanWords), "paragraph-length documents")
        let all = texts.queries + texts.documents
        #expect(all.contains { $0.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) } }, "Korean")
        #expect(all.contains { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }, "Chinese")
        #expect(all.contains { $0.contains("é") || $0.contains("ö") }, "accented Latin")
    }
}
