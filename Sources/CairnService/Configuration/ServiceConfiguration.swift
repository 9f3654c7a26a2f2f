public import CairnEmbedding
public import CairnKeyword
public import CairnIngest
public import CairnDialogue
public import CairnIndex
import Foundation

/// Everything `cairn serve` is configured with, as one validated value.
///
/// Built by ``resolve(flags:environment:)`` from four layers — command-line flags over environment variables
/// over the configuration file (`--config` / `CAIRN_CONFIG`, JSON) over the defaults — and then validated as
/// a whole: a setting out of range is refused at start-up with its name, its value and where it came from.
/// Every setting is listed in ``ServiceSetting/all`` with its key, environment variable, default and range.
///
/// ```json
/// {"port": 8080, "data_dir": "/var/lib/cairn", "bulk_roots": ["/srv/materials"],
///  "limits": {"upload_bytes": 67108864, "json_bytes": 4194304},
///  "rate_limit": {"requests_per_second": 50, "burst": 100},
///  "ingest": {"threads": 1, "queue_limit": 1000}, "embedder": {"provider": "builtin"}}
/// ```
public struct ServiceConfiguration: Sendable, Hashable {
    /// The address to listen on.
    public var host = "127.0.0.1"
    /// The TCP port (0: any free port, printed at start-up).
    public var port = 8080
    /// The data directory the service owns while it runs.
    public var dataDirectory = "index-data"
    /// Largest upload body (multipart `POST /v1/materials`) in bytes.
    public var maxUploadBytes = 64 << 20
    /// Largest JSON body in bytes.
    public var maxJSONBytes = 4 << 20
    /// Requests per second each key may make on average (0: unlimited).
    public var rateLimitPerSecond = 50.0
    /// Requests a key may make in a burst above the average.
    public var rateLimitBurst = 100
    /// Ingest jobs that may wait in the queue before uploads are refused with 503.
    public var ingestQueueLimit = 1_000
    /// Threads of the ingestion embedder (built-in model); queries have their own embedder and threads.
    public var ingestThreads = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    /// How a chunk index created by this server walks its graph (an existing index keeps its own).
    public var indexQuantization: VectorQuantization = .none
    /// Threads of the query embedder (built-in model).
    public var queryThreads = ProcessInfo.processInfo.activeProcessorCount
    /// Chunks per embedder call during ingestion.
    public var ingestBatch = 64
    /// Chunk size and overlap in tokens.
    public var maxTokens = 200
    public var overlapTokens = 40
    /// A completed ingest job checkpoints the chunk index when its log holds at least this many records.
    public var checkpointAfterRecords = 1_000
    /// Server-side directories `POST /v1/bulk` may read (empty: bulk jobs are refused).
    public var bulkRoots: [String] = []
    /// The PostgreSQL database to mirror the store into (`postgresql://…`); none by default.
    public var databaseURL: String?
    /// How often buffered retrieval records are written, in milliseconds.
    public var retrievalFlushMilliseconds = 250
    /// How often the key table is re-read for keys created or revoked by `cairn keys`, in milliseconds.
    public var keyRefreshMilliseconds = 500
    /// The log level (`trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`).
    public var logLevel = "info"
    /// The embedder of chunks and queries.
    public var embedder = EmbedderConfiguration()
    /// The price table's file (JPY per million tokens per model); the built-in `config/prices.json` when nil.
    public var pricesFile: String?
    /// The objectives each day's metrics are held to.
    public var objectives: [ServiceLevelObjective] = ServiceLevelObjective.defaults
    /// The chat-completions endpoint `/v1/answer` calls, when one is configured.
    public var llm = LLMSettings()
    /// A directory of prompt templates that replaces the built-in ones (`prompts/` in the repository).
    public var promptsDirectory: String?
    /// Whether the server runs the daily rollup and retention shortly after midnight UTC.
    public var dailyJobs = true
    /// The default ranking, the keyword index's settings and the grounding thresholds.
    public var retrieval = RetrievalSettings()
    /// How the daily recall check (and `POST /v1/recall-check`) samples the live index, and its floor.
    public var recallCheck = RecallCheckOptions.standard
    /// Where each setting's value came from (`--port`, `CAIRN_PORT`, `config.json`, or absent for defaults).
    public var sources: [String: String] = [:]

    public init() {}

    /// The base URL clients use (`http://127.0.0.1:8080`).
    public var baseURL: String {
        let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
        return "http://\(shown.contains(":") ? "[\(shown)]" : shown):\(port)"
    }
}

/// A configuration that cannot be used: the message names the setting, its value, where it came from and
/// what is allowed.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// How `/v1/retrieve` ranks when a request does not say (docs/RETRIEVAL.md).
public struct RetrievalSettings: Sendable, Hashable {
    /// The ranking of a request without `mode`.
    public var mode: RetrievalMode = .hybrid
    /// MMR's λ for `diversify` without `mmr_lambda`.
    public var mmrLambda = 0.5
    /// BM25's k1 and b and the tokenizer's stop words.
    public var keyword = KeywordOptions.standard
    /// Where `below_threshold` and `not_in_materials` sit.
    public var grounding = GroundingThresholds.standard

    public init() {}
}

/// The OpenAI-compatible chat-completions endpoint `POST /v1/answer` calls.
public struct LLMSettings: Sendable, Hashable {
    /// The API's base URL (`https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`); nil: no LLM, `/v1/answer` is 501.
    public var baseURL: String?
    /// The model asked for.
    public var model = "gpt-4o-mini"
    /// The bearer key, if the endpoint needs one (`CAIRN_LLM_API_KEY`).
    public var apiKey: String?
    /// Per-request time limit in milliseconds.
    public var timeoutMilliseconds = 60_000
    /// Retries of a 429, a 5xx, a time-out or a lost connection.
    public var maxRetries = 3
    /// The default sampling temperature.
    public var temperature = 0.2
    /// The most completion tokens asked for.
    public var maxTokens = 800

    public init() {}
}
