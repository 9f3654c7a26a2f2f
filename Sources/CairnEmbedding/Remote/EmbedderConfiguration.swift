/// Which embedder to use and how to talk to it: the provider, the model, and for remote APIs the endpoint,
/// credentials, batching, concurrency, timeouts and retry policy.
///
/// `init(provider:model:baseURL:)` fills every other setting with the provider's default; change the ones
/// you need, then ``validated()`` refuses out-of-range values with a message naming the setting (by its
/// configuration-file key, e.g. `max_batch_count`).
///
/// ```swift
/// var config = EmbedderConfiguration(provider: .openai, model: "text-embedding-3-small")
/// config.dimensions = 384            // ask the API for 384-dimensional vectors
/// config.expectedDimension = 384     // what the index holds
/// let embedder = try RemoteEmbedders.make(config.validated())
/// ```
///
/// | provider | model | base URL | batch (count / tokens) | concurrency |
/// |---|---|---|---|---|
/// | `openai` | text-embedding-3-small | https://api.openai.com | 2048 / 200,000 | 4 |
/// | `ollama` | nomic-embed-text | http://127.0.0.1:11434 | 64 / 16,384 | 1 |
/// | `tei` | (required) | http://127.0.0.1:8080 | 32 / 16,384 | 4 |
public struct EmbedderConfiguration: Sendable, Hashable {
    /// Where embeddings come from (`provider`).
    public var provider: EmbeddingProvider
    /// The model name sent to the API, or the built-in model's name (`model`). For TEI, whose server runs
    /// one fixed model, it names that model for cache keys and must be set.
    public var model: String
    /// The API's base URL without the endpoint path (`base_url`), e.g. `https://api.openai.com`.
    public var baseURL: String
    /// The environment variable holding the API key, sent as `Authorization: Bearer …` (`api_key_env`).
    /// Defaults to `OPENAI_API_KEY` for OpenAI; nil sends no key.
    public var apiKeyEnvironmentVariable: String?
    /// OpenAI's `dimensions` request parameter: shortened vectors from `text-embedding-3` models (`dimensions`).
    public var dimensions: Int?
    /// The dimension the vectors must have — the index's (`expected_dimension`). Defaults to ``dimensions``
    /// or the model's known dimension; required for models Cairn does not know.
    public var expectedDimension: Int?
    /// The model's input limit in tokens (`max_input_tokens`); defaults to the known limit, else 512.
    public var maxInputTokens: Int?
    /// Most texts per request (`max_batch_count`).
    public var maxBatchCount: Int
    /// Most estimated tokens per request (`max_batch_tokens`); a single longer text is sent alone.
    public var maxBatchTokens: Int
    /// Most requests in flight at once (`concurrency`).
    public var concurrency: Int
    /// Each request must complete within this time (`timeout_seconds`).
    public var requestTimeout: Duration
    /// Retries after the first attempt of a request (`max_retries`).
    public var maxRetries: Int
    /// Ceiling of the first back-off; each retry doubles it (`initial_backoff_seconds`).
    public var initialBackoff: Duration
    /// Ceiling of any back-off (`max_backoff_seconds`).
    public var maxBackoff: Duration
    /// Longest `Retry-After` honoured; a server asking for more fails the request at once as rate-limited
    /// (`max_retry_after_seconds`).
    public var maxRetryAfter: Duration

    /// A configuration with `provider`'s defaults; nil `model` or `baseURL` take the provider's default.
    public init(provider: EmbeddingProvider = .builtin, model: String? = nil, baseURL: String? = nil) {
        self.provider = provider
        maxBatchCount = 32
        maxBatchTokens = 16_384
        concurrency = 4
        requestTimeout = .seconds(60)
        maxRetries = 5
        initialBackoff = .milliseconds(500)
        maxBackoff = .seconds(20)
        maxRetryAfter = .seconds(60)
        switch provider {
        case .builtin:
            self.model = "all-MiniLM-L6-v2"
            self.baseURL = ""
            concurrency = 1
        case .openai:
            self.model = "text-embedding-3-small"
            self.baseURL = "https://api.openai.com"
            apiKeyEnvironmentVariable = "OPENAI_API_KEY"
            maxBatchCount = 2048  // the API's limit per request
            // The API allows 300,000 tokens per request; the default counter only estimates, so keep headroom.
            maxBatchTokens = 200_000
        case .ollama:
            self.model = "nomic-embed-text"
            self.baseURL = "http://127.0.0.1:11434"
            maxBatchCount = 64
            concurrency = 1  // one local model server: parallel requests only queue
            requestTimeout = .seconds(120)
        case .tei:
            self.model = ""
            self.baseURL = "http://127.0.0.1:8080"
            maxBatchCount = 32  // TEI's default --max-client-batch-size
        }
        if let model { self.model = model }
        if let baseURL { self.baseURL = baseURL }
    }

    /// The id that names this model in cache keys and provenance: `all-MiniLM-L6-v2` for the built-in
    /// model, else `<provider>/<model>`, with `@<dimensions>d` when OpenAI is asked to shorten vectors.
    public var modelID: String {
        switch provider {
        case .builtin: model
        case .openai where dimensions != nil: "openai/\(model)@\(dimensions!)d"
        default: "\(provider.rawValue)/\(model)"
        }
    }

    /// The dimension of the vectors this configuration yields, when known: ``expectedDimension``, else
    /// ``dimensions``, else the model's known dimension.
    public var resolvedDimension: Int? {
        expectedDimension ?? dimensions ?? KnownEmbeddingModel.lookup(provider: provider, model: model)?.dimension
    }

    /// The model's input limit: ``maxInputTokens``, else the known limit, else 512.
    public var resolvedMaxInputTokens: Int {
        maxInputTokens ?? KnownEmbeddingModel.lookup(provider: provider, model: model)?.maxTokens ?? 512
    }
}
