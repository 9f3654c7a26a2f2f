import CairnEmbedding
public import CairnIngest
public import CairnPostgres
import CairnSQL
import Foundation

/// `cairn mirror rebuild`: a data directory made again from its PostgreSQL mirror — how a new replica, or a
/// machine that lost its disk, comes back.
///
/// Into an empty directory, it creates the store, copies every mirrored table's rows with their ids (pages of
/// 2,000 rows read in binary, one store transaction per page, parents first), turns the outbox on without
/// queueing anything (the mirror already holds all of it), then opens the library, whose reconciliation adds
/// every chunk's stored vector to a new HNSW index, and checkpoints it. Nothing is re-embedded.
public enum MirrorRebuilder {
    public struct Report: Sendable {
        /// Rows copied per table.
        public var rows: [String: Int] = [:]
        public var chunks: Int { rows[MirrorTable.chunks.name] ?? 0 }
        public var dimension = 0
        public var model = ""
        public var copySeconds = 0.0
        public var indexSeconds = 0.0
    }

    /// Rebuilds `dataDirectory` (which must hold no store yet) from the mirror at `url`; `progress` hears
    /// each table's running count.
    public static func rebuild(from url: PostgresURL, into dataDirectory: String,
                               progress: (String, Int) -> Void = { _, _ in }) throws(MirrorError) -> Report {
        let storePath = (dataDirectory as NSString).appendingPathComponent(MaterialStore.fileName)
        guard !FileManager.default.fileExists(atPath: storePath) else {
            throw MirrorError(.configuration, "\(dataDirectory) already holds a store (\(MaterialStore.fileName)): rebuild "
                + "into an empty data directory")
        }
        var report = Report()
        let pg = try MirrorApplier.postgres("connecting to \(url.redacted)") { try PostgresConnection(url: url) }
        let settings = try MirrorApplier.postgres("reading cairn.mirror_settings") { () throws -> [String: String] in
            let rows = try pg.execute("SELECT key, value FROM cairn.mirror_settings")
            var out: [String: String] = [:]
            for row in 0..<rows.rowCount { out[rows.string(row, 0) ?? ""] = rows.string(row, 1) }
            return out
        }
        guard let dimension = settings["embedding_dimension"].flatMap(Int.init), dimension > 0 else {
            throw MirrorError(.configuration, "\(url.redacted) holds no Cairn mirror (cairn.mirror_settings has no "
                + "embedding_dimension)")
        }
        report.dimension = dimension
        report.model = settings["embedding_model"] ?? "unknown"
        let started = Date()
        let store: MaterialStore
        do {
            store = try MaterialStore(dataDirectory: dataDirectory)
        } catch {
            throw MirrorError(.failure, "creating the store: \(error.message)")
        }
        // One snapshot of the mirror for every table, though its writer goes on (a replica made from a live one).
        try MirrorApplier.postgres("starting a snapshot of the mirror") {
            _ = try pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        }
        for table in MirrorTable.all {
            let copied = try copy(table, from: pg, into: store.database) { progress(table.name, $0) }
            report.rows[table.name] = copied
        }
        _ = try? pg.execute("COMMIT")
        try MirrorOutbox.wrap("turning the outbox on") {
            _ = try store.database.execute("UPDATE mirror_config SET enabled = 1, enabled_at = ?, store_id = coalesce(?, store_id)",
                                       [.text(Timestamps.text(microseconds: MirrorOutbox.nowMicroseconds())),
                                        settings["store_id"].map(SQLValue.text) ?? .null])
        }
        report.copySeconds = Date().timeIntervalSince(started)
        let indexStarted = Date()
        do {
            let library = try MaterialLibrary.open(dataDirectory: dataDirectory,
                                                   embedder: StoredVectorsOnly(id: report.model, dimension: dimension))
            try library.checkpoint(ifRecordsAtLeast: 1)
        } catch {
            throw MirrorError(.failure, "building the index: \(error.message)")
        }
        report.indexSeconds = Date().timeIntervalSince(indexStarted)
        return report
    }

    private static func copy(_ table: MirrorTable, from pg: PostgresConnection, into database: SQLiteDatabase,
                             progress: (Int) -> Void) throws(MirrorError) -> Int {
        let placeholders = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
        let insert = "INSERT INTO \(table.name) (\(table.columnList)) VALUES (\(placeholders))"
        var after = Int64.min
        var copied = 0
        while true {
            let page = try MirrorApplier.postgres("reading \(table.qualified)") {
                try pg.execute("SELECT \(table.columnList) FROM \(table.qualified) WHERE \(table.key) > $1 ORDER BY \(table.key) "
                    + "LIMIT 2000", [.int8(after)], binaryResults: true)
            }
            guard page.rowCount > 0 else { return copied }
            try MirrorOutbox.wrap("writing \(table.name)") {
                try database.transaction(.immediate) {
                    try database.withStatement(insert) { statement in
                        for row in 0..<page.rowCount {
                            let values = try table.columns.indices.map { try MirrorValues.sqlite(page, row, $0, table.columns[$0]) }
                            _ = try statement.execute(values)
                        }
                    }
                }
            }
            after = page.binaryInt64(page.rowCount - 1, 0) ?? after
            copied += page.rowCount
            progress(copied)
        }
    }
}

/// The model a rebuilt index is for: its id and dimension. Rebuilding adds the vectors stored with the
/// chunks and never embeds; asking it to is an error.
struct StoredVectorsOnly: Embedder {
    let id: String
    let dimension: Int

    var model: EmbeddingModelInfo { EmbeddingModelInfo(id: id, dimension: dimension, maxTokens: 256, provider: .builtin) }

    func countTokens(_ text: String) -> Int { text.split(whereSeparator: \.isWhitespace).count }

    func embed(_ texts: [String]) async throws(EmbeddingError) -> EmbeddingOutput {
        throw EmbeddingError(.configuration, "a rebuild from the mirror uses the stored vectors and embeds nothing")
    }
}
