import CairnIngest
import Foundation

/// Runs the questions through each ranking of one library and scores the material rankings.
struct QualityRuns: Sendable {
    let library: MaterialLibrary
    let topK: Int
    let log: @Sendable (String) -> Void

    /// One configuration of a search.
    struct Config: Sendable {
        var name: String
        var mode: RetrievalMode
        var exact = false
        var diversify = false
        var ef: Int? = nil
    }

    static let configs: [Config] = [
        Config(name: "vector, exact scan", mode: .vector, exact: true),
        Config(name: "vector", mode: .vector),
        Config(name: "keyword (BM25)", mode: .keyword),
        Config(name: "hybrid (RRF)", mode: .hybrid),
        Config(name: "hybrid + diversify", mode: .hybrid, diversify: true),
    ]

    func search(_ q: QualityCorpus.Query, vector: [Float], _ c: Config) async throws -> ChunkSearchResult {
        try await library.search(ChunkQuery(text: q.query, vector: vector, topK: topK, efSearch: c.ef, mode: c.mode,
                                            diversify: c.diversify, exact: c.exact))
    }

    static func materials(_ result: ChunkSearchResult) -> [String] {
        QualityMetrics.materialRanking(result.hits.map { QualityCorpus.documentID(filename: $0.chunk.filename ?? "") })
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.isEmpty ? 0 : s[s.count / 2]
    }

    /// Every configuration over the answerable questions, and the grounding samples of every question
    /// (hybrid mode).
    func modes(_ queries: [QualityCorpus.Query], vectors: [Int: [Float]])
        async throws -> ([QualityReport.Row], [QualityGrounding.Sample])
    {
        var rows: [QualityReport.Row] = []
        let answerable = queries.filter { !$0.heldOut }
        for config in Self.configs {
            var metrics = QualityMetrics()
            var times: [Double] = []
            for q in answerable {
                let result = try await search(q, vector: vectors[q.id]!, config)
                metrics.add(ranking: Self.materials(result), relevant: Set(q.relevant))
                times.append(result.totalMilliseconds)
            }
            let m = metrics.means
            log(String(format: "  %-22@ hit@1 %.4f  hit@10 %.4f  MRR@10 %.4f  nDCG@10 %.4f  p50 %.2f ms", config.name,
                       m.hitAt1, m.hitAt10, m.mrrAt10, m.ndcgAt10, Self.median(times)))
            rows.append(QualityReport.Row(name: config.name, metrics: m, p50Milliseconds: Self.median(times)))
        }
        var samples: [QualityGrounding.Sample] = []
        let hybrid = Config(name: "hybrid", mode: .hybrid)
        for q in queries {
            let g = try await search(q, vector: vectors[q.id]!, hybrid).grounding
            samples.append(.init(queryID: q.id, heldOut: q.heldOut, maxSimilarity: g.maxSimilarity ?? -1,
                                 maxKeyword: g.maxKeywordScore ?? 0))
        }
        return (rows, samples)
    }

    /// Vector mode at each ef: recall of the top k chunks against the exact scan, material hit@10, latency.
    func efSweep(_ queries: [QualityCorpus.Query], vectors: [Int: [Float]], efs: [Int]) async throws -> [QualityReport.EfRow] {
        var exact: [Int: [ChunkID]] = [:]
        for q in queries {
            exact[q.id] = try await search(q, vector: vectors[q.id]!, Config(name: "", mode: .vector, exact: true))
                .hits.map(\.chunk.chunkID)
        }
        var rows: [QualityReport.EfRow] = []
        let sweep = Array(Set(efs + [library.defaultEf(depth: topK + 8)])).sorted()
        for ef in sweep {
            var metrics = QualityMetrics()
            var found = 0, wanted = 0
            var times: [Double] = []
            for q in queries {
                let result = try await search(q, vector: vectors[q.id]!, Config(name: "", mode: .vector, ef: ef))
                metrics.add(ranking: Self.materials(result), relevant: Set(q.relevant))
                let truth = Set(exact[q.id]!)
                found += result.hits.filter { truth.contains($0.chunk.chunkID) }.count
                wanted += truth.count
                times.append(result.searchMilliseconds)
            }
            let row = QualityReport.EfRow(ef: ef, recall: wanted > 0 ? Double(found) / Double(wanted) : 1,
                                          hitAt10: metrics.means.hitAt10, p50Milliseconds: Self.median(times))
            log(String(format: "  ef %5d: recall@%d %.4f  hit@10 %.4f  search p50 %.3f ms", ef, topK, row.recall, row.hitAt10,
                       row.p50Milliseconds))
            rows.append(row)
        }
        return rows
    }
}
