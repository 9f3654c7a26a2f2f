import Foundation

/// Material-level ranking metrics at 10: hit@1, hit@10, MRR@10 and nDCG@10 (binary relevance).
public struct QualityMetrics: Sendable, Hashable, Codable {
    public var queries = 0
    public var hitAt1 = 0.0
    public var hitAt10 = 0.0
    public var mrrAt10 = 0.0
    public var ndcgAt10 = 0.0

    /// The materials of a chunk ranking in order of first appearance, at most `limit`.
    public static func materialRanking(_ chunks: [String], limit: Int = 10) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for m in chunks where seen.insert(m).inserted {
            out.append(m)
            if out.count == limit { break }
        }
        return out
    }

    /// Adds one query's material ranking.
    public mutating func add(ranking: [String], relevant: Set<String>) {
        let top = Array(ranking.prefix(10))
        queries += 1
        if let first = top.first, relevant.contains(first) { hitAt1 += 1 }
        if let position = top.firstIndex(where: relevant.contains) {
            hitAt10 += 1
            mrrAt10 += 1 / Double(position + 1)
        }
        var dcg = 0.0
        for (i, m) in top.enumerated() where relevant.contains(m) { dcg += 1 / log2(Double(i + 2)) }
        var ideal = 0.0
        for i in 0..<min(relevant.count, 10) { ideal += 1 / log2(Double(i + 2)) }
        if ideal > 0 { ndcgAt10 += dcg / ideal }
    }

    /// The means over the queries added.
    public var means: QualityMetrics {
        guard queries > 0 else { return self }
        let n = Double(queries)
        return QualityMetrics(queries: queries, hitAt1: hitAt1 / n, hitAt10: hitAt10 / n, mrrAt10: mrrAt10 / n,
                              ndcgAt10: ndcgAt10 / n)
    }
}
