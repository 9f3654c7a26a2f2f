public import CairnEmbedding
import CairnVectorMath
import Foundation

/// Measures an embedder on a text set the way `cairn bench embed` does: short queries at batch 1
/// (latency percentiles and queries/s) and documents in batches of 32 (documents/s), once per thread
/// count, each with a fresh embedder made for that many threads.
///
/// By default it measures Cairn's built-in all-MiniLM-L6-v2 (``EmbedderFactory``); tests hand it any
/// other ``Embedder``. Before timing, each embedder embeds ``EmbedBenchSettings/warmupQueries`` queries
/// and one document batch, and every output is checked to hold one vector of the model's dimension per
/// text. Each measurement is the fastest of ``EmbedBenchSettings/repeats`` passes; see ``EmbedBenchRun``
/// for the exact definitions, which the peers (`Benchmarks/peers/embed_peer.py`) follow too.
///
/// ```swift
/// let settings = try EmbedBenchSettings().validated()
/// let texts = try EmbedTextSet.load(directory: settings.textsDirectory)
/// let report = try await EmbedBenchRunner(settings: settings) { print($0) }.run(texts: texts)
/// print(report.runs.map(\.docsPerS))
/// ```
public struct EmbedBenchRunner: Sendable {
    /// Makes the embedder measured at a thread count.
    public typealias MakeEmbedder = @Sendable (_ threads: Int) throws(EmbeddingError) -> any Embedder

    /// What to measure.
    public let settings: EmbedBenchSettings
    /// Receives progress lines.
    public let log: @Sendable (String) -> Void
    private let makeEmbedder: MakeEmbedder

    /// A runner for Cairn's built-in model, read from the settings' data directory.
    public init(settings: EmbedBenchSettings, log: @escaping @Sendable (String) -> Void = { _ in }) {
        let dataDirectory = settings.dataDirectory
        self.init(settings: settings, log: log) { threads throws(EmbeddingError) in
            try EmbedderFactory.makeBuiltin(dataDirectory: dataDirectory, threads: threads)
        }
    }

    /// A runner for the embedders `makeEmbedder` returns (one call per thread count).
    public init(
        settings: EmbedBenchSettings, log: @escaping @Sendable (String) -> Void = { _ in },
        makeEmbedder: @escaping MakeEmbedder
    ) {
        self.settings = settings
        self.log = log
        self.makeEmbedder = makeEmbedder
    }

    /// Measures every thread count of the settings on `texts` and reports them with the BLAS facts.
    ///
    /// - Throws: ``EmbedBenchError/embedder(_:userError:)`` when an embedder cannot be made (a missing
    ///   model is a user error), ``EmbedBenchError/failed(_:)`` when embedding fails or returns the
    ///   wrong shape, ``EmbedBenchError/textSet(_:)`` for an empty text set.
    public func run(texts: EmbedTextSet) async throws(EmbedBenchError) -> EmbedBenchReport {
        guard !texts.queries.isEmpty, !texts.documents.isEmpty else {
            throw .textSet("the text set needs at least one query and one document")
        }
        var runs: [EmbedBenchRun] = []
        var model: EmbeddingModelInfo?
        for threads in settings.threads {
            let embedder: any Embedder
            do {
                embedder = try makeEmbedder(threads)
            } catch {
                throw .embedder(error.message, userError: error.isUserError)
            }
            model = model ?? embedder.model
            log("\(embedder.model.id), \(threads) thread\(threads == 1 ? "" : "s"): \(BLASInfo.summary)")
            runs.append(try await measure(embedder, threads: threads, texts: texts))
        }
        guard let model else { throw .invalidSetting("--threads: give at least one value") }
        return EmbedBenchReport(
            model: model.id, dim: model.dimension, maxTokens: model.maxTokens, blasCore: BLASInfo.coreName,
            blasWarning: BLASInfo.warning, simd: SIMDInfo.level, texts: settings.textsDirectory,
            queries: texts.queries.count, documents: texts.documents.count, batch: settings.documentBatch,
            repeats: settings.repeats, runs: runs)
    }

    /// Warms `embedder` up, then times the queries and the document batches of `texts`.
    public func measure(
        _ embedder: any Embedder, threads: Int, texts: EmbedTextSet, engine: String = "cairn"
    ) async throws(EmbedBenchError) -> EmbedBenchRun {
        let batches = texts.documentBatches(of: settings.documentBatch)
        for query in texts.queries.prefix(settings.warmupQueries) {
            _ = try await embed(embedder, [query])
        }
        if let first = batches.first { _ = try await embed(embedder, first) }

        log("  \(texts.queries.count) queries at batch 1, best of \(settings.repeats)")
        var best: [UInt64] = []
        var queryTokens: [Int]? = []
        for pass in 0..<settings.repeats {
            var samples: [UInt64] = []
            samples.reserveCapacity(texts.queries.count)
            for query in texts.queries {
                let start = BenchClock.nanoseconds()
                let output = try await embed(embedder, [query])
                samples.append(BenchClock.nanoseconds() - start)
                if pass == 0 { queryTokens = Self.appending(output.tokenCounts, to: queryTokens) }
            }
            if best.isEmpty || samples.reduce(0, +) < best.reduce(0, +) { best = samples }
        }
        let sorted = best.sorted()
        let querySeconds = Double(sorted.reduce(0, +)) / 1e9
        let p50 = Double(BenchClock.quantile(sorted, 0.5)) / 1e6
        let p99 = Double(BenchClock.quantile(sorted, 0.99)) / 1e6
        let qps = BenchClock.rate(texts.queries.count, seconds: querySeconds)
        let fixed = IndexBenchMarkdown.fixed
        log("    p50 \(fixed(p50, 3)) ms, p99 \(fixed(p99, 3)) ms, \(fixed(qps, 1)) queries/s")

        log("  \(texts.documents.count) documents at batch \(settings.documentBatch), best of \(settings.repeats)")
        var bestSeconds = Double.infinity
        var docTokens: [Int]? = []
        for pass in 0..<settings.repeats {
            let start = BenchClock.nanoseconds()
            for batch in batches {
                let output = try await embed(embedder, batch)
                if pass == 0 { docTokens = Self.appending(output.tokenCounts, to: docTokens) }
            }
            bestSeconds = min(bestSeconds, Double(BenchClock.nanoseconds() - start) / 1e9)
        }
        let docsPerS = BenchClock.rate(texts.documents.count, seconds: bestSeconds)
        log("    \(fixed(docsPerS, 1)) documents/s")

        return EmbedBenchRun(
            engine: engine, threads: threads, queryP50Ms: p50, queryP99Ms: p99, queriesPerS: qps,
            docsPerS: docsPerS, batch: settings.documentBatch, queries: texts.queries.count,
            documents: texts.documents.count, repeats: settings.repeats, maxTokens: embedder.model.maxTokens,
            docTokensMean: Self.mean(docTokens), queryTokensMean: Self.mean(queryTokens),
            runtime: "\(embedder.model.id) (\(embedder.model.provider.rawValue)), \(BLASInfo.summary)")
    }

    /// Embeds `texts` and checks that one vector of the model's dimension came back per text.
    private func embed(_ embedder: any Embedder, _ texts: [String]) async throws(EmbedBenchError) -> EmbeddingOutput {
        let output: EmbeddingOutput
        do {
            output = try await embedder.embed(texts)
        } catch {
            throw .failed("\(embedder.model.id) could not embed \(texts.count) text(s): \(error.message)")
        }
        guard output.vectors.count == texts.count else {
            throw .failed("\(embedder.model.id) returned \(output.vectors.count) vectors for \(texts.count) texts")
        }
        if let bad = output.vectors.first(where: { $0.count != embedder.model.dimension }) {
            throw .failed("\(embedder.model.id) returned a vector of \(bad.count) floats, expected \(embedder.model.dimension)")
        }
        return output
    }

    /// `counts` appended to `all`, or nil once any output did not report its token counts.
    private static func appending(_ counts: [Int]?, to all: [Int]?) -> [Int]? {
        guard let all, let counts else { return nil }
        return all + counts
    }

    private static func mean(_ values: [Int]?) -> Double? {
        guard let values, !values.isEmpty else { return nil }
        return Double(values.reduce(0, +)) / Double(values.count)
    }
}
