/// One engine at one thread count: the measurement `cairn bench embed` takes of Cairn and its peers.
///
/// This object is the contract between Cairn and `Benchmarks/peers/embed_peer.py`, which writes the
/// same keys for onnxruntime and PyTorch; that is how the peers' files are read back:
///
/// ```json
/// {"engine": "cairn", "threads": 2, "query_p50_ms": 1.7, "query_p99_ms": 3.1, "queries_per_s": 560,
///  "docs_per_s": 140, "batch": 32, "queries": 512, "documents": 320, "repeats": 3, "max_tokens": 256,
///  "doc_tokens_mean": 152.3, "query_tokens_mean": 12.2, "runtime": "…"}
/// ```
///
/// Queries are embedded one per call (tokenisation included); `query_p50_ms`/`query_p99_ms` are
/// nearest-rank percentiles of the per-query wall times of the fastest of `repeats` passes, and
/// `queries_per_s` is queries / the sum of those times. Documents go `batch` at a time in file order;
/// `docs_per_s` is documents / the wall time of the fastest pass. Token means count `[CLS]` and `[SEP]`
/// after truncation at `max_tokens`; they and `runtime` are null when unknown.
public struct EmbedBenchRun: Sendable, Equatable, Codable {
    /// "cairn", "onnxruntime" or "torch".
    public var engine: String
    /// Intra-op threads the engine ran with.
    public var threads: Int
    /// Median latency of one query at batch 1, in milliseconds.
    public var queryP50Ms: Double
    /// 99th-percentile latency of one query at batch 1, in milliseconds.
    public var queryP99Ms: Double
    /// Queries per second at batch 1.
    public var queriesPerS: Double
    /// Documents per second at batch ``batch``.
    public var docsPerS: Double
    /// Documents per call.
    public var batch: Int
    /// Queries timed per pass.
    public var queries: Int
    /// Documents timed per pass.
    public var documents: Int
    /// Passes per measurement (the fastest counts).
    public var repeats: Int
    /// Truncation length in tokens.
    public var maxTokens: Int?
    /// Mean tokens per document after truncation.
    public var docTokensMean: Double?
    /// Mean tokens per query.
    public var queryTokensMean: Double?
    /// What ran: library versions, BLAS, kernels.
    public var runtime: String?

    /// A measurement; see the properties for the meaning of each field.
    public init(
        engine: String, threads: Int, queryP50Ms: Double, queryP99Ms: Double, queriesPerS: Double,
        docsPerS: Double, batch: Int, queries: Int, documents: Int, repeats: Int, maxTokens: Int? = nil,
        docTokensMean: Double? = nil, queryTokensMean: Double? = nil, runtime: String? = nil
    ) {
        self.engine = engine
        self.threads = threads
        self.queryP50Ms = queryP50Ms
        self.queryP99Ms = queryP99Ms
        self.queriesPerS = queriesPerS
        self.docsPerS = docsPerS
        self.batch = batch
        self.queries = queries
        self.documents = documents
        self.repeats = repeats
        self.maxTokens = maxTokens
        self.docTokensMean = docTokensMean
        self.queryTokensMean = queryTokensMean
        self.runtime = runtime
    }

    enum CodingKeys: String, CodingKey {
        case engine, threads, batch, queries, documents, repeats, runtime
        case queryP50Ms = "query_p50_ms"
        case queryP99Ms = "query_p99_ms"
        case queriesPerS = "queries_per_s"
        case docsPerS = "docs_per_s"
        case maxTokens = "max_tokens"
        case docTokensMean = "doc_tokens_mean"
        case queryTokensMean = "query_tokens_mean"
    }

    /// Writes every contract key, nulls included, so that readers never meet a missing key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(engine, forKey: .engine)
        try c.encode(threads, forKey: .threads)
        try c.encode(queryP50Ms, forKey: .queryP50Ms)
        try c.encode(queryP99Ms, forKey: .queryP99Ms)
        try c.encode(queriesPerS, forKey: .queriesPerS)
        try c.encode(docsPerS, forKey: .docsPerS)
        try c.encode(batch, forKey: .batch)
        try c.encode(queries, forKey: .queries)
        try c.encode(documents, forKey: .documents)
        try c.encode(repeats, forKey: .repeats)
        try c.encode(maxTokens, forKey: .maxTokens)
        try c.encode(docTokensMean, forKey: .docTokensMean)
        try c.encode(queryTokensMean, forKey: .queryTokensMean)
        try c.encode(runtime, forKey: .runtime)
    }
}
