public import Foundation

/// The machine-readable result of `cairn bench index` for one engine — a contract that nightly jobs
/// and outside tools rely on.
///
/// The JSON object has exactly these keys (values in seconds, bytes and queries per second):
///
/// ```json
/// {"engine": "cairn", "n": 20000, "dim": 384, "m": 16, "ef_construction": 64,
///  "build_seconds": 3.1, "build_threads": 2, "build_seconds_1t": 5.9, "bytes_per_vector": 1712.4,
///  "load_seconds": 0.004, "simd": "avx512", "blas_core": "SkylakeX",
///  "runs": [{"ef_search": 10, "recall_at_1": 0.9, "recall_at_10": 0.8, "recall_at_100": 0.5,
///            "qps_1t": 20000, "qps_all": 38000, "p50_us": 48, "p99_us": 95}]}
/// ```
///
/// `build_seconds` is the build on `build_threads` threads; `build_seconds_1t` is null when the
/// single-threaded build was skipped; `simd` and `blas_core` are null for engines that do not report them.
/// With `--peers` one more key, `"peers"`, holds the ``PeerComparison`` (see ``jsonData(peers:)``).
/// Peers (hnswlib) write the same schema with their own `engine`, which is how their files are read back.
public struct IndexBenchReport: Sendable, Equatable, Codable {
    /// "cairn", or the peer's name.
    public var engine: String
    /// Base vectors indexed.
    public var n: Int
    /// Their dimension.
    public var dim: Int
    /// HNSW `M`.
    public var m: Int
    /// HNSW `ef_construction`.
    public var efConstruction: Int
    /// Wall time of the build on ``buildThreads`` threads.
    public var buildSeconds: Double
    /// Threads of the timed parallel build and of the all-threads queries.
    public var buildThreads: Int
    /// Wall time of the single-threaded build, nil when skipped.
    public var buildSeconds1t: Double?
    /// Size of the saved index file divided by ``n``.
    public var bytesPerVector: Double
    /// Time to open (map and verify) the saved file and restore a searchable index from it.
    public var loadSeconds: Double
    /// Cairn's SIMD kernel level ("avx512", "avx2", "scalar").
    public var simd: String?
    /// The OpenBLAS core in use (for example "SkylakeX").
    public var blasCore: String?
    /// One entry per ef_search value, in sweep order.
    public var runs: [IndexBenchRun]

    /// A report; see the properties for the meaning of each field.
    public init(
        engine: String = "cairn", n: Int, dim: Int, m: Int, efConstruction: Int, buildSeconds: Double,
        buildThreads: Int, buildSeconds1t: Double?, bytesPerVector: Double, loadSeconds: Double,
        simd: String?, blasCore: String?, runs: [IndexBenchRun]
    ) {
        self.engine = engine
        self.n = n
        self.dim = dim
        self.m = m
        self.efConstruction = efConstruction
        self.buildSeconds = buildSeconds
        self.buildThreads = buildThreads
        self.buildSeconds1t = buildSeconds1t
        self.bytesPerVector = bytesPerVector
        self.loadSeconds = loadSeconds
        self.simd = simd
        self.blasCore = blasCore
        self.runs = runs
    }

    enum CodingKeys: String, CodingKey {
        case engine, n, dim, m
        case efConstruction = "ef_construction"
        case buildSeconds = "build_seconds"
        case buildThreads = "build_threads"
        case buildSeconds1t = "build_seconds_1t"
        case bytesPerVector = "bytes_per_vector"
        case loadSeconds = "load_seconds"
        case simd
        case blasCore = "blas_core"
        case runs, peers
    }

    /// Writes every contract key, nulls included, so that readers never meet a missing key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(engine, forKey: .engine)
        try c.encode(n, forKey: .n)
        try c.encode(dim, forKey: .dim)
        try c.encode(m, forKey: .m)
        try c.encode(efConstruction, forKey: .efConstruction)
        try c.encode(buildSeconds, forKey: .buildSeconds)
        try c.encode(buildThreads, forKey: .buildThreads)
        try c.encode(buildSeconds1t, forKey: .buildSeconds1t)
        try c.encode(bytesPerVector, forKey: .bytesPerVector)
        try c.encode(loadSeconds, forKey: .loadSeconds)
        try c.encode(simd, forKey: .simd)
        try c.encode(blasCore, forKey: .blasCore)
        try c.encode(runs, forKey: .runs)
    }

    /// Reads a report; the nullable keys may also be absent (a peer that knows nothing of BLAS).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        engine = try c.decode(String.self, forKey: .engine)
        n = try c.decode(Int.self, forKey: .n)
        dim = try c.decode(Int.self, forKey: .dim)
        m = try c.decode(Int.self, forKey: .m)
        efConstruction = try c.decode(Int.self, forKey: .efConstruction)
        buildSeconds = try c.decode(Double.self, forKey: .buildSeconds)
        buildThreads = try c.decode(Int.self, forKey: .buildThreads)
        buildSeconds1t = try c.decodeIfPresent(Double.self, forKey: .buildSeconds1t)
        bytesPerVector = try c.decode(Double.self, forKey: .bytesPerVector)
        loadSeconds = try c.decode(Double.self, forKey: .loadSeconds)
        simd = try c.decodeIfPresent(String.self, forKey: .simd)
        blasCore = try c.decodeIfPresent(String.self, forKey: .blasCore)
        runs = try c.decode([IndexBenchRun].self, forKey: .runs)
    }

    /// The report as pretty-printed JSON with sorted keys (stable diffs), plus `"peers"` when given.
    public func jsonData(peers: PeerComparison? = nil) throws -> Data {
        let encoder = benchmarkJSONEncoder()
        return try encoder.encode(WithPeers(report: self, peers: peers))
    }

    /// The contract's keys and `"peers"` in one object.
    private struct WithPeers: Encodable {
        var report: IndexBenchReport
        var peers: PeerComparison?

        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(peers, forKey: .peers)
        }
    }
}

/// The measurements at one ef_search value.
public struct IndexBenchRun: Sendable, Equatable, Codable {
    /// The candidate-list size searched with.
    public var efSearch: Int
    /// Mean over queries of |top-1 ∩ true top-1|.
    public var recallAt1: Double
    /// Mean over queries of |top-10 ∩ true top-10| / 10.
    public var recallAt10: Double
    /// Mean over queries of |top-100 ∩ true top-100| / 100.
    public var recallAt100: Double
    /// Queries per second of one thread looping over the queries with `k = --k`.
    public var qps1t: Double
    /// Queries per second of all threads sharing the queries.
    public var qpsAll: Double
    /// Median single-thread latency in microseconds.
    public var p50Us: Double
    /// 99th-percentile single-thread latency in microseconds.
    public var p99Us: Double

    /// A run; see the properties for the meaning of each field.
    public init(
        efSearch: Int, recallAt1: Double, recallAt10: Double, recallAt100: Double,
        qps1t: Double, qpsAll: Double, p50Us: Double, p99Us: Double
    ) {
        self.efSearch = efSearch
        self.recallAt1 = recallAt1
        self.recallAt10 = recallAt10
        self.recallAt100 = recallAt100
        self.qps1t = qps1t
        self.qpsAll = qpsAll
        self.p50Us = p50Us
        self.p99Us = p99Us
    }

    enum CodingKeys: String, CodingKey {
        case efSearch = "ef_search"
        case recallAt1 = "recall_at_1"
        case recallAt10 = "recall_at_10"
        case recallAt100 = "recall_at_100"
        case qps1t = "qps_1t"
        case qpsAll = "qps_all"
        case p50Us = "p50_us"
        case p99Us = "p99_us"
    }
}
