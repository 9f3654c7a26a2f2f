/// The tables the mirror copies, column by column: each column's name (the same on both sides) and how its
/// SQLite value becomes a PostgreSQL one. Listed parents first, the order upserts run in (deletes run in
/// reverse). The service's keys and ingest jobs stay local, and so does `bulk_jobs.ingest_job_id`, which points
/// into them; the retrieval log, the dialogue log, the daily metrics and the audit log are mirrored.
struct MirrorTable: Sendable {
    /// How a column's value crosses from SQLite to PostgreSQL.
    enum Kind: Sendable {
        /// INTEGER → bigint.
        case bigint
        /// INTEGER → integer.
        case integer
        /// TEXT → text.
        case text
        /// TEXT → one of the schema's enum types.
        case enumeration
        /// JSON TEXT → jsonb.
        case json
        /// RFC 3339 TEXT → timestamptz.
        case timestamp
        /// 0/1 INTEGER → boolean.
        case bool
        /// little-endian float32 BLOB → vector(dimension).
        case vector
        /// REAL → double precision.
        case double
        /// decimal TEXT (`12.34`) → numeric, exactly.
        case numeric
        /// `YYYY-MM-DD` TEXT → date.
        case date
    }

    struct Column: Sendable {
        let name: String
        let kind: Kind
    }

    let name: String
    /// The primary key (a bigint).
    let key: String
    let columns: [Column]

    /// `cairn.<name>`.
    var qualified: String { "cairn.\(name)" }

    var columnList: String { columns.map(\.name).joined(separator: ", ") }

    static let bulkJobs = MirrorTable(name: "bulk_jobs", key: "id", columns: [
        .init(name: "id", kind: .bigint), .init(name: "arguments", kind: .text), .init(name: "status", kind: .text),
        .init(name: "files_total", kind: .bigint), .init(name: "added", kind: .bigint), .init(name: "updated", kind: .bigint),
        .init(name: "unchanged", kind: .bigint), .init(name: "failed", kind: .bigint),
        .init(name: "chunks_done", kind: .bigint), .init(name: "started_at", kind: .timestamp),
        .init(name: "finished_at", kind: .timestamp),
    ])

    static let materials = MirrorTable(name: "materials", key: "id", columns: [
        .init(name: "id", kind: .bigint), .init(name: "owner", kind: .text), .init(name: "source_key", kind: .text),
        .init(name: "external_id", kind: .text), .init(name: "title", kind: .text), .init(name: "filename", kind: .text),
        .init(name: "file_type", kind: .text), .init(name: "file_size", kind: .bigint), .init(name: "topic", kind: .text),
        .init(name: "tags", kind: .json), .init(name: "language", kind: .text),
        .init(name: "content_sha256", kind: .text), .init(name: "status", kind: .text),
        .init(name: "error_message", kind: .text), .init(name: "chunk_count", kind: .integer),
        .init(name: "extracted_text", kind: .text), .init(name: "extra", kind: .json),
        .init(name: "created_at", kind: .timestamp), .init(name: "updated_at", kind: .timestamp),
    ])

    static let provenance = MirrorTable(name: "provenance", key: "material_id", columns: [
        .init(name: "material_id", kind: .bigint), .init(name: "source_uri", kind: .text),
        .init(name: "content_type", kind: .enumeration), .init(name: "acquisition_method", kind: .enumeration),
        .init(name: "license_type", kind: .enumeration), .init(name: "retention_years", kind: .integer),
        .init(name: "external_share_consent", kind: .bool), .init(name: "permission_flag", kind: .bool),
        .init(name: "acquired_by", kind: .text), .init(name: "acquired_at", kind: .timestamp),
    ])

    static let chunks = MirrorTable(name: "material_chunks", key: "id", columns: [
        .init(name: "id", kind: .bigint), .init(name: "material_id", kind: .bigint),
        .init(name: "chunk_index", kind: .integer), .init(name: "content", kind: .text),
        .init(name: "char_start", kind: .integer), .init(name: "char_end", kind: .integer),
        .init(name: "page_number", kind: .integer), .init(name: "page_end", kind: .integer),
        .init(name: "heading_path", kind: .json), .init(name: "language", kind: .text),
        .init(name: "token_count", kind: .integer), .init(name: "content_sha256", kind: .text),
        .init(name: "embedding", kind: .vector), .init(name: "embedding_model", kind: .text),
        .init(name: "created_at", kind: .timestamp),
    ])

    static let processingJobs = MirrorTable(name: "material_processing_jobs", key: "id", columns: [
        .init(name: "id", kind: .bigint), .init(name: "material_id", kind: .bigint),
        .init(name: "bulk_job_id", kind: .bigint), .init(name: "stage", kind: .text), .init(name: "status", kind: .text),
        .init(name: "progress_done", kind: .bigint), .init(name: "progress_total", kind: .bigint),
        .init(name: "error_message", kind: .text), .init(name: "created_at", kind: .timestamp),
        .init(name: "started_at", kind: .timestamp), .init(name: "finished_at", kind: .timestamp),
    ])

    static let retrievals = MirrorTable(name: "retrievals", key: "seq", columns: [
        .init(name: "seq", kind: .bigint), .init(name: "id", kind: .text), .init(name: "created_at", kind: .timestamp),
        .init(name: "api_key_id", kind: .bigint), .init(name: "tenant", kind: .text), .init(name: "query", kind: .text),
        .init(name: "request", kind: .json), .init(name: "results", kind: .json),
        .init(name: "max_similarity", kind: .double), .init(name: "below_threshold", kind: .integer),
        .init(name: "exhaustive", kind: .bool), .init(name: "timings", kind: .json),
        .init(name: "embedding_model", kind: .text),
    ])

    static let dialogues = MirrorTable(name: "ai_dialogue_log", key: "id", columns: [
        .init(name: "id", kind: .bigint), .init(name: "tenant", kind: .text), .init(name: "user_id", kind: .text),
        .init(name: "session_id", kind: .text), .init(name: "api_key_id", kind: .bigint),
        .init(name: "retrieval_id", kind: .text), .init(name: "query", kind: .text), .init(name: "response", kind: .text),
        .init(name: "model_used", kind: .text), .init(name: "citations", kind: .json),
        .init(name: "retrieved_chunks", kind: .json), .init(name: "citation_count", kind: .integer),
        .init(name: "sentence_count", kind: .integer), .init(name: "cited_sentences", kind: .integer),
        .init(name: "citation_rate", kind: .double), .init(name: "latency_retrieval_ms", kind: .double),
        .init(name: "latency_generation_ms", kind: .double), .init(name: "latency_total_ms", kind: .double),
        .init(name: "prompt_tokens", kind: .bigint), .init(name: "completion_tokens", kind: .bigint),
        .init(name: "total_tokens", kind: .bigint), .init(name: "token_cost_jpy", kind: .numeric),
        .init(name: "temperature", kind: .double), .init(name: "context_window_size", kind: .integer),
        .init(name: "relevance_score", kind: .double), .init(name: "user_feedback", kind: .integer),
        .init(name: "feedback_at", kind: .timestamp), .init(name: "origin", kind: .text),
        .init(name: "created_at", kind: .timestamp),
    ])

    static let metricsHistory = MirrorTable(name: "rag_metrics_history", key: "id", columns: [
        .init(name: "id", kind: .bigint), .init(name: "day", kind: .date), .init(name: "tenant", kind: .text),
        .init(name: "answers", kind: .bigint), .init(name: "unique_users", kind: .bigint),
        .init(name: "citation_rate_mean", kind: .double), .init(name: "citations_per_answer", kind: .double),
        .init(name: "answers_without_citation", kind: .bigint), .init(name: "latency_p50_ms", kind: .double),
        .init(name: "latency_p95_ms", kind: .double), .init(name: "latency_p99_ms", kind: .double),
        .init(name: "cost_per_answer_jpy", kind: .numeric), .init(name: "total_cost_jpy", kind: .numeric),
        .init(name: "unpriced_answers", kind: .bigint), .init(name: "relevance_mean", kind: .double),
        .init(name: "feedback_positive", kind: .bigint), .init(name: "feedback_neutral", kind: .bigint),
        .init(name: "feedback_negative", kind: .bigint), .init(name: "slo_compliance", kind: .json),
        .init(name: "computed_at", kind: .timestamp),
    ])

    static let auditLog = MirrorTable(name: "audit_log", key: "id", columns: [
        .init(name: "id", kind: .bigint), .init(name: "action", kind: .text), .init(name: "reason", kind: .text),
        .init(name: "subject_sha256", kind: .text), .init(name: "details", kind: .json),
        .init(name: "created_at", kind: .timestamp),
    ])

    static let benchmarkRuns = MirrorTable(name: "benchmark_runs", key: "id", columns: [
        .init(name: "id", kind: .bigint), .init(name: "started_at", kind: .timestamp),
        .init(name: "commit_sha", kind: .text), .init(name: "machine_kind", kind: .text),
        .init(name: "machine", kind: .json), .init(name: "load_before", kind: .double),
        .init(name: "load_after", kind: .double), .init(name: "wall_seconds", kind: .double),
        .init(name: "sections", kind: .json), .init(name: "figures", kind: .json),
        .init(name: "regressions", kind: .json), .init(name: "created_at", kind: .timestamp),
    ])

    /// Parents before children.
    static let all: [MirrorTable] = [bulkJobs, materials, provenance, chunks, processingJobs, retrievals, dialogues,
                                     metricsHistory, auditLog, benchmarkRuns]

    static func named(_ name: String) -> MirrorTable? { all.first { $0.name == name } }
}
