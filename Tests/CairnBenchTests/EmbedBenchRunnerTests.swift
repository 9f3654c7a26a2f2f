import CairnBench
import CairnEmbedding
import Foundation
import Synchronization
import Testing

/// `EmbedBenchRunner` on a tiny text set with a recording test double instead of the model.
@Suite struct EmbedBenchRunnerTests {
    /// Returns a unit vector per text and records every call's batch; token count = words + 2.
    final class RecordingEmbedder: Embedder {
        let model: EmbeddingModelInfo
        let threads: Int
        let calls = Mutex<[[String]]>([])
        let vectorLength: Int

        init(threads: Int, dimension: Int = 8, vectorLength: Int? = nil) {
            model = EmbeddingModelInfo(id: "double", dimension: dimension, maxTokens: 256, provider: .builtin)
            self.threads = threads
            self.vectorLength = vectorLength ?? dimension
        }

        func countTokens(_ text: String) -> Int { text.split(separator: " ").count + 2 }

        func embed(_ texts: [String]) async throws(EmbeddingError) -> EmbeddingOutput {
            calls.withLock { $0.append(texts) }
            let unit = [Float(1)] + [Float](repeating: 0, count: vectorLength - 1)
            return EmbeddingOutput(vectors: texts.map { _ in unit }, tokenCounts: texts.map(countTokens))
        }
    }

    /// Hands out one ``RecordingEmbedder`` per call and keeps them for inspection.
    final class Maker: Sendable {
        let made = Mutex<[RecordingEmbedder]>([])
        let vectorLength: Int?
        let failure: EmbeddingError?

        init(vectorLength: Int? = nil, failure: EmbeddingError? = nil) {
            self.vectorLength = vectorLength
            self.failure = failure
        }

        func make(_ threads: Int) throws(EmbeddingError) -> any Embedder {
            if let failure { throw failure }
            let embedder = RecordingEmbedder(threads: threads, vectorLength: vectorLength)
            made.withLock { $0.append(embedder) }
            return embedder
        }
    }

    static let texts = EmbedTextSet(
        queries: ["what is osmosis", "who was Gödel", "光合作用是什么"],
        documents: (0..<5).map { "document number \($0) about enzymes" })

    static func settings(threads: [Int] = [1, 2], repeats: Int = 2, warmup: Int = 2, batch: Int = 2) -> EmbedBenchSettings {
        var s = EmbedBenchSettings()
        s.threads = threads
        s.repeats = repeats
        s.warmupQueries = warmup
        s.documentBatch = batch
        s.textsDirectory = "tiny"
        return s
    }

    @Test func measuresEveryThreadCountWithItsOwnEmbedder() async throws {
        let maker = Maker()
        let runner = EmbedBenchRunner(settings: Self.settings()) { threads throws(EmbeddingError) in
            try maker.make(threads)
        }
        let report = try await runner.run(texts: Self.texts)
        let made = maker.made.withLock { $0 }
        #expect(made.map(\.threads) == [1, 2])
        #expect(report.runs.map(\.threads) == [1, 2])
        #expect(report.runs.allSatisfy { $0.engine == "cairn" && $0.batch == 2 && $0.repeats == 2 })
        #expect(report.model == "double" && report.dim == 8 && report.maxTokens == 256)
        #expect(report.queries == 3 && report.documents == 5 && report.texts == "tiny")
        #expect(!report.blasCore.isEmpty && !report.simd.isEmpty)
        for run in report.runs {
            #expect(run.queriesPerS > 0 && run.docsPerS > 0)
            #expect(run.queryP50Ms > 0 && run.queryP50Ms <= run.queryP99Ms)
            #expect(run.docTokensMean == 7, "5 words + [CLS] + [SEP]")
            #expect(run.queryTokensMean == Double(5 + 5 + 3) / 3, "words + 2 each")
            #expect(run.runtime?.contains("BLAS core") == true)
        }
    }

    @Test func warmsUpThenTimesQueriesAloneAndDocumentsInBatches() async throws {
        let maker = Maker()
        let runner = EmbedBenchRunner(settings: Self.settings(threads: [1])) { threads throws(EmbeddingError) in
            try maker.make(threads)
        }
        _ = try await runner.run(texts: Self.texts)
        let calls = try #require(maker.made.withLock { $0.first }).calls.withLock { $0 }
        let docs = Self.texts.documents
        let warmup: [[String]] = [[Self.texts.queries[0]], [Self.texts.queries[1]], Array(docs[0..<2])]
        let queryPass = Self.texts.queries.map { [$0] }
        let docPass = [Array(docs[0..<2]), Array(docs[2..<4]), [docs[4]]]
        #expect(calls == warmup + queryPass + queryPass + docPass + docPass)
    }

    @Test func aMissingModelIsTheCallersError() async {
        let maker = Maker(failure: EmbeddingError(.modelMissing, "run `bash scripts/bootstrap.sh`"))
        let runner = EmbedBenchRunner(settings: Self.settings()) { threads throws(EmbeddingError) in
            try maker.make(threads)
        }
        let error = await #expect(throws: EmbedBenchError.self) { try await runner.run(texts: Self.texts) }
        #expect(error == .embedder("run `bash scripts/bootstrap.sh`", userError: true))
        #expect(error?.isUserError == true)
    }

    @Test func vectorsOfTheWrongDimensionFailTheRun() async {
        let maker = Maker(vectorLength: 7)
        let runner = EmbedBenchRunner(settings: Self.settings()) { threads throws(EmbeddingError) in
            try maker.make(threads)
        }
        let error = await #expect(throws: EmbedBenchError.self) { try await runner.run(texts: Self.texts) }
        #expect(error?.isUserError == false)
        #expect("\(error!)".contains("7 floats, expected 8"))
    }

    @Test func anEmptyTextSetIsRefused() async {
        let runner = EmbedBenchRunner(settings: Self.settings()) { threads throws(EmbeddingError) in
            RecordingEmbedder(threads: threads)
        }
        await #expect(throws: EmbedBenchError.self) {
            try await runner.run(texts: EmbedTextSet(queries: [], documents: ["d"]))
        }
    }

    @Test func settingsAreValidatedWithTheFlagNamed() throws {
        #expect(try EmbedBenchSettings.parseThreadList("1, 2") == [1, 2])
        #expect(throws: EmbedBenchError.invalidSetting("--threads: \"two\" is not an integer (expected e.g. 1,2)")) {
            try EmbedBenchSettings.parseThreadList("1,two")
        }
        var s = EmbedBenchSettings()
        #expect(try s.validated() == s)
        s.threads = [0]
        #expect(throws: EmbedBenchError.self) { try s.validated() }
        s.threads = [2, 2]
        #expect(throws: EmbedBenchError.invalidSetting("--threads: a value is repeated")) { try s.validated() }
        s.threads = [1]
        s.repeats = 0
        #expect(throws: EmbedBenchError.invalidSetting("--repeats = 0 is out of range: expected 1...100")) {
            try s.validated()
        }
        s.repeats = 1
        s.documentBatch = 0
        #expect(throws: EmbedBenchError.self) { try s.validated() }
    }
}
