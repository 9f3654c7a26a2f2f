public import Foundation

/// The machine-readable result of `cairn bench embed` — a contract that nightly jobs and outside tools
/// rely on.
///
/// The JSON object has exactly these keys, plus `"peers"` (an ``EmbedPeerComparison``) with `--peers`:
///
/// ```json
/// {"model": "all-MiniLM-L6-v2", "dim": 384, "max_tokens": 256,
///  "blas_core": "SkylakeX", "blas_warning": null, "simd": "avx512",
///  "texts": "Benchmarks/texts", "queries": 512, "documents": 320, "batch": 32, "repeats": 3,
///  "runs": [{"engine": "cairn", "threads": 1, …}, {"engine": "cairn", "threads": 2, …}]}
/// ```
///
/// `blas_core` is the OpenBLAS kernel family the process runs (`openblas_get_corename()`), and
/// `blas_warning` says why that is slower than the CPU allows (null when nothing is wrong). Each run is an
/// ``EmbedBenchRun``.
public struct EmbedBenchReport: Sendable, Equatable, Codable {
    /// The model's id, e.g. `all-MiniLM-L6-v2`.
    public var model: String
    /// Floats per vector.
    public var dim: Int
    /// The model's truncation length in tokens.
    public var maxTokens: Int
    /// The OpenBLAS kernel family in use.
    public var blasCore: String
    /// Why BLAS runs slower than this CPU allows, or nil.
    public var blasWarning: String?
    /// Cairn's SIMD kernel level ("avx512", "avx2", "scalar").
    public var simd: String
    /// The text set directory.
    public var texts: String
    /// Queries in the text set.
    public var queries: Int
    /// Documents in the text set.
    public var documents: Int
    /// Documents per call.
    public var batch: Int
    /// Passes per measurement.
    public var repeats: Int
    /// Cairn, one entry per thread count, in the order measured.
    public var runs: [EmbedBenchRun]
    /// The peers and the ratios, with `--peers`.
    public var peers: EmbedPeerComparison?

    /// A report; see the properties for the meaning of each field.
    public init(
        model: String, dim: Int, maxTokens: Int, blasCore: String, blasWarning: String?, simd: String,
        texts: String, queries: Int, documents: Int, batch: Int, repeats: Int, runs: [EmbedBenchRun],
        peers: EmbedPeerComparison? = nil
    ) {
        self.model = model
        self.dim = dim
        self.maxTokens = maxTokens
        self.blasCore = blasCore
        self.blasWarning = blasWarning
        self.simd = simd
        self.texts = texts
        self.queries = queries
        self.documents = documents
        self.batch = batch
        self.repeats = repeats
        self.runs = runs
        self.peers = peers
    }

    enum CodingKeys: String, CodingKey {
        case model, dim, simd, texts, queries, documents, batch, repeats, runs, peers
        case maxTokens = "max_tokens"
        case blasCore = "blas_core"
        case blasWarning = "blas_warning"
    }

    /// Writes every contract key (`blas_warning` as null when there is none); `peers` only when present.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(dim, forKey: .dim)
        try c.encode(maxTokens, forKey: .maxTokens)
        try c.encode(blasCore, forKey: .blasCore)
        try c.encode(blasWarning, forKey: .blasWarning)
        try c.encode(simd, forKey: .simd)
        try c.encode(texts, forKey: .texts)
        try c.encode(queries, forKey: .queries)
        try c.encode(documents, forKey: .documents)
        try c.encode(batch, forKey: .batch)
        try c.encode(repeats, forKey: .repeats)
        try c.encode(runs, forKey: .runs)
        try c.encodeIfPresent(peers, forKey: .peers)
    }

    /// The run of `engine` at `threads` threads, among Cairn's runs and the peers'.
    public func run(engine: String, threads: Int) -> EmbedBenchRun? {
        (runs + (peers?.runs ?? [])).first { $0.engine == engine && $0.threads == threads }
    }

    /// The report as pretty-printed JSON with sorted keys (stable diffs).
    public func jsonData() throws -> Data {
        let encoder = benchmarkJSONEncoder()
        return try encoder.encode(self)
    }
}
