/// The tables the mirror copies, column by column: each column's name (the same on both sides) and how its
/// SQLite value becomes a PostgreSQL one. Listed parents first, the order upserts run in (deletes run in
/// reverse). The service's own tables (keys, ingest jobs, the retrieval log) stay local, and so does
/// `bulk_jobs.ingest_job_id`, which points into them.
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

    /// Parents before children.
    static let all: [MirrorTable] = [bulkJobs, materials, provenance, chunks, processingJobs]

    static func named(_ name: String) -> MirrorTable? { all.first { $0.name == name } }
}
