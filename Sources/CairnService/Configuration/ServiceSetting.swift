import CairnEmbedding
import CairnIndex
import Foundation

/// One setting of ``ServiceConfiguration``: its configuration-file key, environment variable, and how a
/// value is read into the configuration and checked.
public struct ServiceSetting: Sendable {
    /// The key in the configuration file, dotted for nested objects (`limits.upload_bytes`).
    public var key: String
    /// The environment variable, if the setting has one.
    public var environment: String?
    /// One line for `cairn serve --help` and the README.
    public var summary: String
    let apply: @Sendable (inout ServiceConfiguration, ConfigValue) throws(ConfigurationError) -> Void

    /// Every setting.
    public static let all: [ServiceSetting] = core + retrieval + dialogue

    static let core: [ServiceSetting] = [
        .string("host", "CAIRN_HOST", "address to listen on") { $0.host = $1 },
        .int("port", "CAIRN_PORT", "TCP port (0: any free port)", 0...65_535) { $0.port = $1 },
        .string("data_dir", "CAIRN_DATA_DIR", "data directory") { $0.dataDirectory = $1 },
        .int("limits.upload_bytes", "CAIRN_MAX_UPLOAD_BYTES", "largest upload body", 1_024...(4 << 30)) {
            $0.maxUploadBytes = $1
        },
        .int("limits.json_bytes", "CAIRN_MAX_JSON_BYTES", "largest JSON body", 1_024...(256 << 20)) {
            $0.maxJSONBytes = $1
        },
        .double("rate_limit.requests_per_second", "CAIRN_RATE_LIMIT", "requests per second per key (0: no limit)",
                0...1_000_000) { $0.rateLimitPerSecond = $1 },
        .int("rate_limit.burst", "CAIRN_RATE_BURST", "requests a key may burst above its rate", 1...1_000_000) {
            $0.rateLimitBurst = $1
        },
        .int("ingest.queue_limit", "CAIRN_INGEST_QUEUE_LIMIT", "ingest jobs waiting before uploads get 503",
             1...1_000_000) { $0.ingestQueueLimit = $1 },
        .int("ingest.threads", "CAIRN_INGEST_THREADS", "threads of the ingestion embedder", 1...1_024) {
            $0.ingestThreads = $1
        },
        .string("index.quantization", "CAIRN_INDEX_QUANTIZATION",
                "graph walk of a new chunk index: none (float32) or int8 (int8 codes, float32 re-rank)") {
            (c, v) throws(ConfigurationError) in
            guard let q = VectorQuantization(rawValue: v) else { throw ConfigurationError("must be none or int8") }
            c.indexQuantization = q
        },
        .int("query_threads", "CAIRN_QUERY_THREADS", "threads of the query embedder", 1...1_024) { $0.queryThreads = $1 },
        .int("ingest.batch", nil, "chunks per embedder call", 1...4_096) { $0.ingestBatch = $1 },
        .int("ingest.max_tokens", nil, "chunk size in tokens", 8...100_000) { $0.maxTokens = $1 },
        .int("ingest.overlap", nil, "chunk overlap in tokens", 0...50_000) { $0.overlapTokens = $1 },
        .int("ingest.checkpoint_after_records", nil, "index log records that make a finished job checkpoint",
             1...100_000_000) { $0.checkpointAfterRecords = $1 },
        .strings("bulk_roots", "CAIRN_BULK_ROOTS", "directories POST /v1/bulk may read (':'-separated)") {
            $0.bulkRoots = $1
        },
        .string("database_url", "CAIRN_DATABASE_URL", "PostgreSQL to mirror the store into (postgresql://…)") {
            (c, v) throws(ConfigurationError) in
            guard v.hasPrefix("postgresql://") || v.hasPrefix("postgres://") || v.contains("=") else {
                throw ConfigurationError("is not a PostgreSQL URL (postgresql://user@host:5432/database) or key=value string")
            }
            c.databaseURL = v
        },
        .int("retrieval_log.flush_ms", nil, "how often retrieval records are written", 10...60_000) {
            $0.retrievalFlushMilliseconds = $1
        },
        .int("keys.refresh_ms", nil, "how often keys are re-read", 50...60_000) { $0.keyRefreshMilliseconds = $1 },
        .string("log_level", "CAIRN_LOG_LEVEL", "trace, debug, info, notice, warning, error or critical") {
            (c, v) throws(ConfigurationError) in
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(v.lowercased()) else {
                throw ConfigurationError("is not a log level: use trace, debug, info, notice, warning, error or critical")
            }
            c.logLevel = v.lowercased()
        },
    ]

    static func string(_ key: String, _ env: String?, _ summary: String,
                       _ set: @escaping @Sendable (inout ServiceConfiguration, String) throws(ConfigurationError) -> Void)
        -> ServiceSetting
    {
        ServiceSetting(key: key, environment: env, summary: summary) { (c, v) throws(ConfigurationError) in
            guard case .string(let s) = v, !s.isEmpty else { throw ConfigurationError("must be a non-empty string") }
            try set(&c, s)
        }
    }

    static func strings(_ key: String, _ env: String?, _ summary: String,
                        _ set: @escaping @Sendable (inout ServiceConfiguration, [String]) -> Void) -> ServiceSetting {
        ServiceSetting(key: key, environment: env, summary: summary) { (c, v) throws(ConfigurationError) in
            switch v {
            case .strings(let list): set(&c, list)
            case .string(let s): set(&c, s.split(separator: ":").map(String.init).filter { !$0.isEmpty })
            default: throw ConfigurationError("must be a list of strings")
            }
        }
    }

    static func int(_ key: String, _ env: String?, _ summary: String, _ range: ClosedRange<Int>,
                    _ set: @escaping @Sendable (inout ServiceConfiguration, Int) -> Void) -> ServiceSetting {
        ServiceSetting(key: key, environment: env, summary: summary) { (c, v) throws(ConfigurationError) in
            guard let n = v.integer else { throw ConfigurationError("must be a whole number") }
            guard range.contains(n) else {
                throw ConfigurationError("is out of range \(range.lowerBound)...\(range.upperBound)")
            }
            set(&c, n)
        }
    }

    static func double(_ key: String, _ env: String?, _ summary: String, _ range: ClosedRange<Double>,
                       _ set: @escaping @Sendable (inout ServiceConfiguration, Double) -> Void) -> ServiceSetting {
        ServiceSetting(key: key, environment: env, summary: summary) { (c, v) throws(ConfigurationError) in
            guard let x = v.number, x.isFinite else { throw ConfigurationError("must be a number") }
            guard range.contains(x) else {
                throw ConfigurationError("is out of range \(range.lowerBound)...\(range.upperBound)")
            }
            set(&c, x)
        }
    }
}

/// A setting's raw value as a layer gives it: text (flags, environment) or a JSON value (the file).
public enum ConfigValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)
    case strings([String])

    var integer: Int? {
        switch self {
        case .number(let x) where x == x.rounded() && abs(x) < 1e15: Int(x)
        case .string(let s): Int(s.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    var number: Double? {
        switch self {
        case .number(let x): x
        case .string(let s): Double(s.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .number(let x): x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        case .bool(let b): String(b)
        case .strings(let list): "[" + list.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }
}
