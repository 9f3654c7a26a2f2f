import Foundation

/// Cairn measured side by side with its peers in one run: the `"peers"` object of the benchmark JSON.
///
/// Ratios are always Cairn / peer, so above 1 means Cairn is larger: better for queries per second and
/// recall, worse for seconds and bytes. A ratio or value that could not be measured (a peer failed, a
/// recall target was not reached) is left out of the JSON.
///
/// ```json
/// "peers": {"hnswlib": {…its own report…}, "faiss": {…}, "usearch": {…},
///           "runs": [{"ef_search": 64, "cairn_recall_at_10": 0.97, "hnswlib_recall_at_10": 0.96,
///                     "recall_at_10_ratio": 1.01, "cairn_qps_1t": 9000, "hnswlib_qps_1t": 8000,
///                     "qps_1t_ratio": 1.125}],
///           "at_recall": [{"recall_at_10": 0.95, "cairn_qps_1t": 9000, "cairn_ef_search": 64,
///                          "hnswlib_qps_1t": 8100, "hnswlib_ef_search": 100, "ratio": 1.11,
///                          "faiss_qps_1t": 8500, "faiss_ef_search": 64, "usearch_qps_1t": 5000, …,
///                          "best_peer": "faiss", "best_peer_qps_1t": 8500, "ratio_vs_best_peer": 1.06}],
///           "build_seconds_ratio": 0.9, "build_seconds_1t_ratio": 0.95, "bytes_per_vector_ratio": 1.05,
///           "load_seconds_ratio": 0.2, "fastest_build_peer": "hnswlib", "build_seconds_ratio_vs_best_peer": 0.9,
///           "exact": {"cairn": {…}, "numpy_matmul_qps": 2500, "numpy_topk_qps": 1900, …,
///                     "ratio_vs_numpy_matmul": 0.9},
///           "errors": [], "report_path": "Benchmarks/results/20250101-120000.md"}
/// ```
///
/// The `*_ratio` keys without a peer's name compare with hnswlib, the reference of every earlier report.
public struct PeerComparison: Sendable, Equatable, Codable {
    /// hnswlib's own report, as its script wrote it.
    public var hnswlib: IndexBenchReport?
    /// faiss's (IndexHNSWFlat) own report.
    public var faiss: IndexBenchReport?
    /// usearch's own report.
    public var usearch: IndexBenchReport?
    /// Per ef_search value measured by Cairn and hnswlib.
    public var runs: [EfComparison] = []
    /// Single-thread throughput of each engine at each recall@10 target (see ``qps(_:at:)``).
    public var atRecall: [RecallTargetComparison] = []
    /// Parallel build time, Cairn / hnswlib (both on `build_threads` threads).
    public var buildSecondsRatio: Double?
    /// Single-threaded build time, Cairn / hnswlib.
    public var buildSeconds1tRatio: Double?
    /// Bytes per vector of the saved index, Cairn / hnswlib.
    public var bytesPerVectorRatio: Double?
    /// Load time of the saved index, Cairn / hnswlib.
    public var loadSecondsRatio: Double?
    /// The peer with the shortest parallel build.
    public var fastestBuildPeer: String?
    /// Parallel build time, Cairn / the fastest peer's.
    public var buildSecondsRatioVsBestPeer: Double?
    /// Exact search: Cairn's BLAS search against numpy's matrix product.
    public var exact: ExactComparison?
    /// Why a peer could not be measured; empty when all ran.
    public var errors: [String] = []
    /// Where the Markdown report was written.
    public var reportPath: String?

    /// The recall@10 targets of the comparison.
    public static let recallTargets = [0.90, 0.95, 0.99]
    /// The graph-index peers, in the order reports list them.
    public static let graphPeers = ["hnswlib", "faiss", "usearch"]

    /// An empty comparison, to be filled as peers run.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case hnswlib, faiss, usearch, runs, errors, exact
        case atRecall = "at_recall"
        case buildSecondsRatio = "build_seconds_ratio"
        case buildSeconds1tRatio = "build_seconds_1t_ratio"
        case bytesPerVectorRatio = "bytes_per_vector_ratio"
        case loadSecondsRatio = "load_seconds_ratio"
        case fastestBuildPeer = "fastest_build_peer"
        case buildSecondsRatioVsBestPeer = "build_seconds_ratio_vs_best_peer"
        case reportPath = "report_path"
    }

    /// The peers' reports that are present, in ``graphPeers`` order.
    public var peerReports: [IndexBenchReport] { [hnswlib, faiss, usearch].compactMap { $0 } }

    /// Records one peer's report (by its `engine`), then recomputes every comparison with `cairn`.
    public mutating func add(_ peer: IndexBenchReport, cairn: IndexBenchReport) {
        switch peer.engine {
        case "faiss": faiss = peer
        case "usearch": usearch = peer
        default: hnswlib = peer
        }
        compare(cairn: cairn)
    }

    /// Fills the comparison with hnswlib alone (the shape of earlier reports).
    public mutating func compare(cairn: IndexBenchReport, hnswlib peer: IndexBenchReport) {
        hnswlib = peer
        compare(cairn: cairn)
    }

    /// Recomputes the ratios and the at-recall table from `cairn` and the peers' reports present.
    public mutating func compare(cairn: IndexBenchReport) {
        let peers = peerReports
        if let peer = hnswlib {
            runs = cairn.runs.compactMap { mine in
                guard let theirs = peer.runs.first(where: { $0.efSearch == mine.efSearch }) else { return nil }
                return EfComparison(
                    efSearch: mine.efSearch, cairnRecallAt10: mine.recallAt10, hnswlibRecallAt10: theirs.recallAt10,
                    recallAt10Ratio: peerRatio(mine.recallAt10, theirs.recallAt10),
                    cairnQps1t: mine.qps1t, hnswlibQps1t: theirs.qps1t, qps1tRatio: peerRatio(mine.qps1t, theirs.qps1t))
            }
        }
        atRecall = Self.recallTargets.map { target in
            let mine = Self.qps(cairn.runs, at: target)
            var row = RecallTargetComparison(recallAt10: target, cairnQps1t: mine?.qps, cairnEfSearch: mine?.ef)
            for peer in peers {
                let theirs = Self.qps(peer.runs, at: target)
                row.set(peer.engine, qps: theirs?.qps, ef: theirs?.ef)
                if let q = theirs?.qps, q > (row.bestPeerQps1t ?? 0) {
                    row.bestPeer = peer.engine
                    row.bestPeerQps1t = q
                }
            }
            row.ratio = peerRatio(mine?.qps, row.hnswlibQps1t)
            row.ratioVsBestPeer = peerRatio(mine?.qps, row.bestPeerQps1t)
            return row
        }
        buildSecondsRatio = peerRatio(cairn.buildSeconds, hnswlib?.buildSeconds)
        buildSeconds1tRatio = peerRatio(cairn.buildSeconds1t, hnswlib?.buildSeconds1t)
        bytesPerVectorRatio = peerRatio(cairn.bytesPerVector, hnswlib?.bytesPerVector)
        loadSecondsRatio = peerRatio(cairn.loadSeconds, hnswlib?.loadSeconds)
        let fastest = peers.min { $0.buildSeconds < $1.buildSeconds }
        fastestBuildPeer = fastest?.engine
        buildSecondsRatioVsBestPeer = peerRatio(cairn.buildSeconds, fastest?.buildSeconds)
    }

    /// An engine's single-thread queries per second at recall@10 = `target`, read off its measured curve.
    ///
    /// Between two measured ef_search values whose recalls bracket the target, the throughput is
    /// interpolated linearly in recall and geometrically in queries/s (the curve of recall against
    /// log-throughput is close to straight between neighbouring ef values); a run at or above the target
    /// counts as measured. The best such value is returned, with `ef` the smallest measured ef_search
    /// that reaches the target. Nil when no run reaches it (never extrapolated).
    public static func qps(_ runs: [IndexBenchRun], at target: Double) -> (qps: Double, ef: Int)? {
        let reaching = runs.filter { $0.recallAt10 >= target }
        guard let smallestEf = reaching.map(\.efSearch).min() else { return nil }
        var best = reaching.map(\.qps1t).max()!
        let ordered = runs.sorted { $0.efSearch < $1.efSearch }
        for (low, high) in zip(ordered, ordered.dropFirst())
        where low.recallAt10 < target && high.recallAt10 >= target && low.qps1t > 0 && high.qps1t > 0 {
            let t = (target - low.recallAt10) / (high.recallAt10 - low.recallAt10)
            let q = exp(log(low.qps1t) + t * (log(high.qps1t) - log(low.qps1t)))
            best = max(best, q)
        }
        return (best, smallestEf)
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

/// Each engine's single-thread throughput at one recall@10 target (see ``PeerComparison/qps(_:at:)``).
public struct RecallTargetComparison: Sendable, Equatable, Codable {
    /// The target (0.90, 0.95, 0.99).
    public var recallAt10: Double
    /// Cairn's queries/s at the target; nil if no run reaches it.
    public var cairnQps1t: Double?
    /// The smallest ef_search of Cairn's runs reaching the target.
    public var cairnEfSearch: Int?
    /// hnswlib's queries/s at the target.
    public var hnswlibQps1t: Double?
    /// The smallest ef_search of hnswlib's runs reaching the target.
    public var hnswlibEfSearch: Int?
    /// Cairn / hnswlib.
    public var ratio: Double?
    /// faiss's queries/s at the target.
    public var faissQps1t: Double?
    /// The smallest ef_search of faiss's runs reaching the target.
    public var faissEfSearch: Int?
    /// usearch's queries/s at the target.
    public var usearchQps1t: Double?
    /// The smallest ef_search of usearch's runs reaching the target.
    public var usearchEfSearch: Int?
    /// The peer with the highest queries/s at the target.
    public var bestPeer: String?
    /// Its queries/s.
    public var bestPeerQps1t: Double?
    /// Cairn / the best peer (the target is ≥ 1.0).
    public var ratioVsBestPeer: Double?

    /// A row with Cairn's value; peers are added with ``set(_:qps:ef:)``.
    public init(recallAt10: Double, cairnQps1t: Double?, cairnEfSearch: Int?) {
        self.recallAt10 = recallAt10
        self.cairnQps1t = cairnQps1t
        self.cairnEfSearch = cairnEfSearch
    }

    /// Records `engine`'s value.
    public mutating func set(_ engine: String, qps: Double?, ef: Int?) {
        switch engine {
        case "hnswlib": (hnswlibQps1t, hnswlibEfSearch) = (qps, ef)
        case "faiss": (faissQps1t, faissEfSearch) = (qps, ef)
        case "usearch": (usearchQps1t, usearchEfSearch) = (qps, ef)
        default: break
        }
    }

    /// `engine`'s queries/s and ef_search at the target.
    public func value(of engine: String) -> (qps: Double?, ef: Int?) {
        switch engine {
        case "cairn": (cairnQps1t, cairnEfSearch)
        case "hnswlib": (hnswlibQps1t, hnswlibEfSearch)
        case "faiss": (faissQps1t, faissEfSearch)
        case "usearch": (usearchQps1t, usearchEfSearch)
        default: (nil, nil)
        }
    }

    enum CodingKeys: String, CodingKey {
        case recallAt10 = "recall_at_10"
        case cairnQps1t = "cairn_qps_1t"
        case cairnEfSearch = "cairn_ef_search"
        case hnswlibQps1t = "hnswlib_qps_1t"
        case hnswlibEfSearch = "hnswlib_ef_search"
        case ratio
        case faissQps1t = "faiss_qps_1t"
        case faissEfSearch = "faiss_ef_search"
        case usearchQps1t = "usearch_qps_1t"
        case usearchEfSearch = "usearch_ef_search"
        case bestPeer = "best_peer"
        case bestPeerQps1t = "best_peer_qps_1t"
        case ratioVsBestPeer = "ratio_vs_best_peer"
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
