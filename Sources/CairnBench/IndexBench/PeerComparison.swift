/// Cairn measured side by side with its peers in one run: the `"peers"` object of the benchmark JSON.
///
/// Ratios are always Cairn / peer, so above 1 means Cairn is larger: better for queries per second and
/// recall, worse for seconds and bytes. A ratio or value that could not be measured (a peer failed, a
/// recall target was not reached) is left out of the JSON.
///
/// ```json
/// "peers": {"hnswlib": {…its own report…},
///           "runs": [{"ef_search": 64, "cairn_recall_at_10": 0.97, "hnswlib_recall_at_10": 0.96,
///                     "recall_at_10_ratio": 1.01, "cairn_qps_1t": 9000, "hnswlib_qps_1t": 8000,
///                     "qps_1t_ratio": 1.125}],
///           "at_recall": [{"recall_at_10": 0.95, "cairn_qps_1t": 9000, "cairn_ef_search": 64, …, "ratio": 1.1}],
///           "build_seconds_ratio": 0.9, "build_seconds_1t_ratio": 0.95, "bytes_per_vector_ratio": 1.05,
///           "load_seconds_ratio": 0.2,
///           "exact": {"cairn": {…}, "numpy_matmul_qps": 2500, "numpy_topk_qps": 1900, …,
///                     "ratio_vs_numpy_matmul": 0.9},
///           "errors": [], "report_path": "Benchmarks/results/20250101-120000.md"}
/// ```
public struct PeerComparison: Sendable, Equatable, Codable {
    /// hnswlib's own report, as its script wrote it.
    public var hnswlib: IndexBenchReport?
    /// Per ef_search value measured by both engines.
    public var runs: [EfComparison] = []
    /// Best single-thread throughput of each engine among the runs reaching a recall@10 target.
    public var atRecall: [RecallTargetComparison] = []
    /// Parallel build time, Cairn / hnswlib (both on `build_threads` threads).
    public var buildSecondsRatio: Double?
    /// Single-threaded build time, Cairn / hnswlib.
    public var buildSeconds1tRatio: Double?
    /// Bytes per vector of the saved index, Cairn / hnswlib.
    public var bytesPerVectorRatio: Double?
    /// Load time of the saved index, Cairn / hnswlib.
    public var loadSecondsRatio: Double?
    /// Exact search: Cairn's BLAS search against numpy's matrix product.
    public var exact: ExactComparison?
    /// Why a peer could not be measured; empty when all ran.
    public var errors: [String] = []
    /// Where the Markdown report was written.
    public var reportPath: String?

    /// The recall@10 targets of the comparison.
    public static let recallTargets = [0.95, 0.99]

    /// An empty comparison, to be filled as peers run.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case hnswlib, runs, errors, exact
        case atRecall = "at_recall"
        case buildSecondsRatio = "build_seconds_ratio"
        case buildSeconds1tRatio = "build_seconds_1t_ratio"
        case bytesPerVectorRatio = "bytes_per_vector_ratio"
        case loadSecondsRatio = "load_seconds_ratio"
        case reportPath = "report_path"
    }

    /// Fills the index comparison from the two engines' reports.
    public mutating func compare(cairn: IndexBenchReport, hnswlib peer: IndexBenchReport) {
        hnswlib = peer
        runs = cairn.runs.compactMap { mine in
            guard let theirs = peer.runs.first(where: { $0.efSearch == mine.efSearch }) else { return nil }
            return EfComparison(
                efSearch: mine.efSearch, cairnRecallAt10: mine.recallAt10, hnswlibRecallAt10: theirs.recallAt10,
                recallAt10Ratio: peerRatio(mine.recallAt10, theirs.recallAt10),
                cairnQps1t: mine.qps1t, hnswlibQps1t: theirs.qps1t, qps1tRatio: peerRatio(mine.qps1t, theirs.qps1t))
        }
        atRecall = Self.recallTargets.map { target in
            let mine = Self.best(cairn.runs, reaching: target)
            let theirs = Self.best(peer.runs, reaching: target)
            return RecallTargetComparison(
                recallAt10: target, cairnQps1t: mine?.qps1t, cairnEfSearch: mine?.efSearch,
                hnswlibQps1t: theirs?.qps1t, hnswlibEfSearch: theirs?.efSearch,
                ratio: peerRatio(mine?.qps1t, theirs?.qps1t))
        }
        buildSecondsRatio = peerRatio(cairn.buildSeconds, peer.buildSeconds)
        buildSeconds1tRatio = peerRatio(cairn.buildSeconds1t, peer.buildSeconds1t)
        bytesPerVectorRatio = peerRatio(cairn.bytesPerVector, peer.bytesPerVector)
        loadSecondsRatio = peerRatio(cairn.loadSeconds, peer.loadSeconds)
    }

    /// The run with the highest single-thread throughput among those with recall@10 ≥ `target`.
    public static func best(_ runs: [IndexBenchRun], reaching target: Double) -> IndexBenchRun? {
        runs.filter { $0.recallAt10 >= target }.max { $0.qps1t < $1.qps1t }
    }
}

/// `a / b`, or nil when either is missing or `b` is not positive.
func peerRatio(_ a: Double?, _ b: Double?) -> Double? {
    guard let a, let b, b > 0, a.isFinite else { return nil }
    return a / b
}

/// Both engines at one ef_search value.
public struct EfComparison: Sendable, Equatable, Codable {
    /// The ef_search value both engines ran.
    public var efSearch: Int
    /// Cairn's recall@10.
    public var cairnRecallAt10: Double
    /// hnswlib's recall@10.
    public var hnswlibRecallAt10: Double
    /// Cairn / hnswlib recall@10.
    public var recallAt10Ratio: Double?
    /// Cairn's single-thread queries per second.
    public var cairnQps1t: Double
    /// hnswlib's single-thread queries per second.
    public var hnswlibQps1t: Double
    /// Cairn / hnswlib single-thread queries per second.
    public var qps1tRatio: Double?

    enum CodingKeys: String, CodingKey {
        case efSearch = "ef_search"
        case cairnRecallAt10 = "cairn_recall_at_10"
        case hnswlibRecallAt10 = "hnswlib_recall_at_10"
        case recallAt10Ratio = "recall_at_10_ratio"
        case cairnQps1t = "cairn_qps_1t"
        case hnswlibQps1t = "hnswlib_qps_1t"
        case qps1tRatio = "qps_1t_ratio"
    }
}

/// The best single-thread throughput each engine reaches at a recall@10 target.
public struct RecallTargetComparison: Sendable, Equatable, Codable {
    /// The target (0.95, 0.99).
    public var recallAt10: Double
    /// Cairn's best qps_1t among runs reaching the target; nil if none does.
    public var cairnQps1t: Double?
    /// The ef_search of that run.
    public var cairnEfSearch: Int?
    /// hnswlib's best qps_1t among runs reaching the target; nil if none does.
    public var hnswlibQps1t: Double?
    /// The ef_search of that run.
    public var hnswlibEfSearch: Int?
    /// Cairn / hnswlib.
    public var ratio: Double?

    enum CodingKeys: String, CodingKey {
        case recallAt10 = "recall_at_10"
        case cairnQps1t = "cairn_qps_1t"
        case cairnEfSearch = "cairn_ef_search"
        case hnswlibQps1t = "hnswlib_qps_1t"
        case hnswlibEfSearch = "hnswlib_ef_search"
        case ratio
    }
}

/// Cairn's exact search against numpy on the same vectors and machine.
public struct ExactComparison: Sendable, Equatable, Codable {
    /// Cairn's measurement.
    public var cairn: ExactSearchMeasurement
    /// numpy's `Q @ X.T` alone, queries per second.
    public var numpyMatmulQps: Double?
    /// numpy's product plus `argpartition` top-k, queries per second.
    public var numpyTopkQps: Double?
    /// numpy's product rate in GFLOP/s.
    public var numpyMatmulGflops: Double?
    /// The BLAS numpy ran on, as its script reported it.
    public var numpyBlas: String?
    /// Cairn's exact top-k queries per second / numpy's product alone (the target is ≥ 0.8).
    public var ratioVsNumpyMatmul: Double?
    /// Cairn / numpy's product plus top-k.
    public var ratioVsNumpyTopk: Double?

    enum CodingKeys: String, CodingKey {
        case cairn
        case numpyMatmulQps = "numpy_matmul_qps"
        case numpyTopkQps = "numpy_topk_qps"
        case numpyMatmulGflops = "numpy_matmul_gflops"
        case numpyBlas = "numpy_blas"
        case ratioVsNumpyMatmul = "ratio_vs_numpy_matmul"
        case ratioVsNumpyTopk = "ratio_vs_numpy_topk"
    }
}
