/// Cairn's embedder measured side by side with onnxruntime and PyTorch in one run: the `"peers"`
/// object of the `cairn bench embed` JSON.
///
/// Ratios are always Cairn / peer: above 1 is better for documents and queries per second, below 1 is
/// better for latency. A ratio that could not be computed (a peer failed) is left out of the JSON.
///
/// ```json
/// "peers": {"runs": [{"engine": "onnxruntime", "threads": 1, …}, …],
///           "ratios": [{"peer": "onnxruntime", "threads": 2, "docs_per_s_ratio": 1.08,
///                       "query_p50_ratio": 0.9, "queries_per_s_ratio": 1.1}, …],
///           "targets": [{"measure": "docs_per_s", "peer": "onnxruntime", "threads": 2, "ratio": 1.08,
///                        "target": ">= 1.0", "met": true}, …],
///           "errors": [], "report_path": "Benchmarks/results/20250101-120000-embed.md"}
/// ```
public struct EmbedPeerComparison: Sendable, Equatable, Codable {
    /// The peers' own measurements, as their script wrote them.
    public var runs: [EmbedBenchRun] = []
    /// Cairn / peer for every peer run whose thread count Cairn also measured.
    public var ratios: [EmbedRatio] = []
    /// The acceptance measures: documents/s and query p50 against onnxruntime.
    public var targets: [EmbedTarget] = []
    /// Why a peer could not be measured; empty when all ran.
    public var errors: [String] = []
    /// Where the Markdown report was written.
    public var reportPath: String?

    /// An empty comparison, to be filled as peers run.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case runs, ratios, targets, errors
        case reportPath = "report_path"
    }

    /// Fills ``ratios`` and ``targets`` from Cairn's runs and the peers' ``runs``.
    ///
    /// The targets are taken at the largest thread count both Cairn and onnxruntime ran (2 by default):
    /// documents/s ≥ 1.0 × onnxruntime's, and query p50 ≤ 1.5 × onnxruntime's.
    public mutating func compare(cairn: [EmbedBenchRun]) {
        ratios = runs.compactMap { peer in
            guard let mine = cairn.first(where: { $0.threads == peer.threads }) else { return nil }
            return EmbedRatio(
                peer: peer.engine, threads: peer.threads,
                docsPerSRatio: peerRatio(mine.docsPerS, peer.docsPerS),
                queryP50Ratio: peerRatio(mine.queryP50Ms, peer.queryP50Ms),
                queriesPerSRatio: peerRatio(mine.queriesPerS, peer.queriesPerS))
        }
        targets = []
        let reference = "onnxruntime"
        let common = ratios.filter { $0.peer == reference }.map(\.threads)
        guard let threads = common.max(), let r = ratios.first(where: { $0.peer == reference && $0.threads == threads })
        else { return }
        targets = [
            EmbedTarget(measure: "docs_per_s", peer: reference, threads: threads, ratio: r.docsPerSRatio,
                        target: ">= 1.0", met: r.docsPerSRatio.map { $0 >= 1.0 }),
            EmbedTarget(measure: "query_p50_ms", peer: reference, threads: threads, ratio: r.queryP50Ratio,
                        target: "<= 1.5", met: r.queryP50Ratio.map { $0 <= 1.5 }),
        ]
    }
}

/// Cairn / one peer at one thread count.
public struct EmbedRatio: Sendable, Equatable, Codable {
    /// "onnxruntime" or "torch".
    public var peer: String
    /// The thread count both ran with.
    public var threads: Int
    /// Cairn's documents/s over the peer's (above 1: Cairn is faster).
    public var docsPerSRatio: Double?
    /// Cairn's median query latency over the peer's (below 1: Cairn is faster).
    public var queryP50Ratio: Double?
    /// Cairn's queries/s over the peer's.
    public var queriesPerSRatio: Double?

    /// A ratio entry; see the properties.
    public init(peer: String, threads: Int, docsPerSRatio: Double?, queryP50Ratio: Double?, queriesPerSRatio: Double?) {
        self.peer = peer
        self.threads = threads
        self.docsPerSRatio = docsPerSRatio
        self.queryP50Ratio = queryP50Ratio
        self.queriesPerSRatio = queriesPerSRatio
    }

    enum CodingKeys: String, CodingKey {
        case peer, threads
        case docsPerSRatio = "docs_per_s_ratio"
        case queryP50Ratio = "query_p50_ratio"
        case queriesPerSRatio = "queries_per_s_ratio"
    }
}

/// One acceptance measure of the embedding benchmark and whether this run met it.
public struct EmbedTarget: Sendable, Equatable, Codable {
    /// The run field compared: "docs_per_s" or "query_p50_ms".
    public var measure: String
    /// The peer compared with.
    public var peer: String
    /// The thread count of both runs.
    public var threads: Int
    /// Cairn / peer, nil when it could not be computed.
    public var ratio: Double?
    /// The bound the ratio must satisfy, e.g. ">= 1.0".
    public var target: String
    /// Whether the ratio satisfies it; nil without a ratio.
    public var met: Bool?

    /// A target entry; see the properties.
    public init(measure: String, peer: String, threads: Int, ratio: Double?, target: String, met: Bool?) {
        self.measure = measure
        self.peer = peer
        self.threads = threads
        self.ratio = ratio
        self.target = target
        self.met = met
    }
}
