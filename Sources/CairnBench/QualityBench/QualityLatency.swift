import CairnEmbedding
import CairnIngest
import CairnSQL
import Foundation

/// Retrieve latency of vector and hybrid mode on a large prepared data directory (about 100,000 chunks), the
/// question embedded on every call as `/v1/retrieve` does; and how long a restart takes to be ready,
/// keyword index included.
struct QualityLatency: Sendable {
    let settings: QualityBench.Settings
    let log: @Sendable (String) -> Void

    func run(data: String, report: inout QualityReport) async throws {
        let opened = Date()
        let library = try MaterialLibrary.open(
            dataDirectory: data, embedder: try BuiltinEmbedder(modelDirectory: settings.modelDirectory, threads: 1))
        let openSeconds = Date().timeIntervalSince(opened)
        let build = try library.prepareKeywordIndex()
        report.latencyRestart = .init(chunks: build.chunks, terms: build.terms, readSeconds: build.readSeconds,
                                      indexSeconds: build.indexSeconds, openSeconds: openSeconds)
        log(String(format: "latency data %@: opened in %.2f s; keyword index of %d chunks (%d terms) built in %.2f s "
            + "(reading %.2f s)", data, openSeconds, build.chunks, build.terms, build.totalSeconds, build.readSeconds))
        report.latencyChunks = build.chunks
        let text = try String(contentsOfFile: settings.latencyQuestions, encoding: .utf8)
        let questions = Array(text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
            .prefix(settings.latencyQueries))
        report.latencyQueries = questions.count
        let owner = library.catalog.materialCount > 0
            ? try library.store.reader.queryFirst("SELECT owner FROM materials WHERE status = 'completed' LIMIT 1")
                .map { try $0.get(0) as String } : nil
        var configs: [(String, RetrievalMode, ChunkFilter)] = [
            ("vector", .vector, ChunkFilter()), ("hybrid", .hybrid, ChunkFilter()),
        ]
        if let owner {
            configs += [("vector, one tenant", .vector, ChunkFilter(owner: owner)),
                        ("hybrid, one tenant", .hybrid, ChunkFilter(owner: owner))]
        }
        // Warm-up: the model, the caches, the allowed sets.
        for (_, mode, filter) in configs {
            for q in questions.prefix(20) { _ = try await library.search(ChunkQuery(text: q, topK: 10, filter: filter, mode: mode)) }
        }
        // Interleaved, so that both modes see the same machine state.
        var totals = [[Double]](repeating: [], count: configs.count)
        var searches = [[Double]](repeating: [], count: configs.count)
        for q in questions {
            for (i, (_, mode, filter)) in configs.enumerated() {
                let r = try await library.search(ChunkQuery(text: q, topK: 10, filter: filter, mode: mode))
                totals[i].append(r.totalMilliseconds)
                searches[i].append(r.searchMilliseconds)
            }
        }
        for (i, (name, _, _)) in configs.enumerated() {
            let sorted = totals[i].sorted()
            let row = QualityReport.LatencyRow(name: name, p50Milliseconds: QualityRuns.median(sorted),
                                               p95Milliseconds: sorted[min(sorted.count - 1, sorted.count * 95 / 100)],
                                               searchP50Milliseconds: QualityRuns.median(searches[i]))
            log(String(format: "  %-20@ retrieve p50 %.2f ms, p95 %.2f ms; search step p50 %.3f ms", name,
                       row.p50Milliseconds, row.p95Milliseconds, row.searchP50Milliseconds))
            report.latency.append(row)
        }
    }
}
