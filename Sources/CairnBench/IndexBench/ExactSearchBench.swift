import CairnVectorMath

/// Throughput of Cairn's exact (brute-force, BLAS) search over all queries of a dataset.
public struct ExactSearchMeasurement: Sendable, Equatable, Codable {
    /// Queries searched per pass.
    public var queries: Int
    /// Results per query.
    public var k: Int
    /// Worker threads.
    public var threads: Int
    /// The fastest pass, in seconds.
    public var seconds: Double
    /// `queries / seconds`.
    public var qps: Double
    /// `2 · queries · n · dim / seconds`, in GFLOP/s: the arithmetic rate of the score products.
    public var gflops: Double

    enum CodingKeys: String, CodingKey {
        case queries, k, threads, seconds, qps, gflops
    }
}

/// Measures ``ExactSearch`` the way the numpy peer measures `Q @ X.T`: all queries at once (the search
/// batches them into sgemm calls itself), on all threads, best of a few passes.
public enum ExactSearchBench {
    /// The best of `repetitions` passes of exact top-`k` search over every query of `data`.
    public static func measure(
        _ data: IndexBenchDataset, k: Int, threads: Int, repetitions: Int = 3
    ) -> ExactSearchMeasurement {
        let blocks = [ExactSearch.Block(view: data.base.view, firstID: 0)]
        let depth = min(k, data.base.rows)
        var best = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let (_, seconds) = BenchClock.measure {
                ExactSearch.search(
                    queries: data.queries.view, blocks: blocks, k: depth, metric: data.metric, threads: threads)
            }
            best = min(best, seconds)
        }
        let q = data.queries.rows
        let flops = 2 * Double(q) * Double(data.base.rows) * Double(data.base.cols)
        return ExactSearchMeasurement(
            queries: q, k: depth, threads: threads, seconds: best, qps: BenchClock.rate(q, seconds: best),
            gflops: best > 0 ? flops / best / 1e9 : 0)
    }
}
