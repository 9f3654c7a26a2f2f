import CairnIngest
public import CairnDialogue
import CairnSQL
public import Foundation
public import Logging
import Synchronization

/// One retrieval as the log keeps it for the dialogue module: the request, the ranked results with their
/// scores, and the timings. Built on the request path from plain values; turned into JSON text only when
/// the log writes it, off the request path.
public struct RetrievalRecord: Sendable, Hashable {
    /// One ranked result.
    public struct Result: Sendable, Hashable {
        public var rank: Int
        public var chunkID: Int64
        public var materialID: Int64
        public var similarity: Float
    }

    public var id: String
    public var createdAt: Date
    public var keyID: APIKeyID?
    public var tenant: TenantID?
    /// The question (nil when the caller sent an embedding).
    public var query: String?
    public var topK: Int
    /// The filter as applied (a coach's tenant included), as `name → value`.
    public var filters: [String: FilterValue]
    public var minSimilarity: Float?
    public var efSearch: Int?
    public var embeddingGiven: Bool
    public var results: [Result]
    public var maxSimilarity: Float?
    public var belowThreshold: Int
    public var exhaustive: Bool
    /// Milliseconds: embed, filter, search, fetch, total.
    public var timings: [String: Double]
    public var embeddingModel: String

    /// A filter's value.
    public enum FilterValue: Sendable, Hashable {
        case text(String)
        case list([String])
        case ids([Int64])
    }

    /// The request's fields as JSON text (`top_k`, `filters`, `min_similarity`, `ef_search`).
    public var requestJSON: String {
        var object: [String: Any] = ["top_k": topK, "filters": filters.mapValues { v -> Any in
            switch v {
            case .text(let s): s
            case .list(let l): l
            case .ids(let i): i
            }
        }]
        if let minSimilarity { object["min_similarity"] = Double(minSimilarity) }
        if let efSearch { object["ef_search"] = efSearch }
        if embeddingGiven { object["embedding_given"] = true }
        return Self.json(object)
    }

    /// `[{"rank","chunk_id","material_id","similarity"}]` as JSON text.
    public var resultsJSON: String {
        Self.json(results.map { ["rank": $0.rank, "chunk_id": $0.chunkID, "material_id": $0.materialID,
                                 "similarity": Double($0.similarity)] as [String: Any] })
    }

    static func json(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A stored retrieval as read back: its id, the question and the JSON columns as written.
public struct StoredRetrieval: Sendable, Hashable {
    public var id: String
    public var createdAt: String
    public var keyID: APIKeyID?
    public var tenant: TenantID?
    public var query: String?
    public var requestJSON: String
    public var resultsJSON: String
    public var maxSimilarity: Float?
    public var belowThreshold: Int
    public var exhaustive: Bool
    public var timingsJSON: String
    public var embeddingModel: String
}

/// Keeps every retrieval under its `retrieval_id`, written in batches off the request path.
///
/// ``append(_:)`` only buffers (a lock and an array append); a background task writes the buffer in one
/// transaction every flush interval (250 ms by default) and at shutdown, so requests never wait for a disk
/// sync. The cost of that choice: a crash (`kill -9`) loses at most the last interval's records, which were
/// never acknowledged as stored.
public final class RetrievalLog: Sendable {
    private let database: SQLiteDatabase
    let buffer = Mutex<[RetrievalRecord]>([])
    private let logger: Logger

    /// Opens a connection of its own to the store at `databasePath`.
    public init(databasePath: String, logger: Logger) throws(ServiceError) {
        do {
            database = try SQLiteDatabase(path: databasePath)
        } catch {
            throw .failure("opening the retrieval log: \(error)")
        }
        self.logger = logger
    }

    /// A new id: `ret_`, 12 hex digits of milliseconds since the epoch, 16 random hex digits (sortable by time).
    public static func newID(now: Date = Date()) -> String {
        let ms = UInt64(now.timeIntervalSince1970 * 1000)
        let random = UInt64.random(in: .min ... .max)
        let time = String(ms, radix: 16)
        let rand = String(random, radix: 16)
        return "ret_" + String(repeating: "0", count: max(0, 12 - time.count)) + time
            + String(repeating: "0", count: max(0, 16 - rand.count)) + rand
    }

    /// Buffers a record; it is written at the next flush.
    public func append(_ record: RetrievalRecord) {
        buffer.withLock { $0.append(record) }
    }

    /// Writes the buffered records in one transaction. A U+0000 in a question or a filter (searchable, but not
    /// storable in the PostgreSQL mirror's text and jsonb) is kept as U+FFFD.
    public func flush() {
        let records = buffer.withLock { b -> [RetrievalRecord] in
            defer { b.removeAll(keepingCapacity: true) }
            return b
        }
        guard !records.isEmpty else { return }
        do {
            try database.transaction(.immediate) {
                for r in records {
                    try database.execute(
                        """
                        INSERT INTO retrievals (id, created_at, api_key_id, tenant, query, request, results,
                            max_similarity, below_threshold, exhaustive, timings, embedding_model)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                        [.text(r.id), .text(storeTimestamp(r.createdAt)), r.keyID.map { .integer($0.rawValue) } ?? .null,
                         r.tenant.map { .text($0.rawValue) } ?? .null,
                         r.query.map { .text($0.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")) } ?? .null,
                         .text(r.requestJSON.replacingOccurrences(of: "\\u0000", with: "\\ufffd")), .text(r.resultsJSON), r.maxSimilarity.map { .real(Double($0)) } ?? .null,
                         .int(r.belowThreshold), .init(r.exhaustive), .text(RetrievalRecord.json(r.timings)),
                         .text(r.embeddingModel)])
                }
            }
        } catch {
            logger.error("writing \(records.count) retrieval records failed", metadata: ["error": "\(error)"])
        }
    }

    /// The stored record, or nil (for tests and the dialogue module).
    public func record(_ id: String) throws(ServiceError) -> StoredRetrieval? {
        do {
            return try database.queryFirst(
                """
                SELECT id, created_at, api_key_id, tenant, query, request, results, max_similarity, below_threshold,
                    exhaustive, timings, embedding_model FROM retrievals WHERE id = ?
                """, [.text(id)]
            ).map { row in
                StoredRetrieval(
                    id: try row.get(0), createdAt: try row.get(1),
                    keyID: (try row.get(2) as Int64?).map(APIKeyID.init(rawValue:)),
                    tenant: (try row.get(3) as String?).map(TenantID.init(rawValue:)), query: try row.get(4),
                    requestJSON: try row.get(5), resultsJSON: try row.get(6),
                    maxSimilarity: (try row.get(7) as Double?).map(Float.init), belowThreshold: try row.get(8),
                    exhaustive: try row.get(9), timingsJSON: try row.get(10), embeddingModel: try row.get(11))
            }
        } catch {
            throw .failure("reading retrieval \(id): \(error)")
        }
    }
}

extension RetrievalLog {
    /// The retrieval `id` as the dialogue module joins it — from the buffer when not yet written — or nil.
    /// Its tenant is the coach's, or the owner filter an admin gave.
    public func joined(_ id: String) throws(ServiceError) -> JoinedRetrieval? {
        if let r = pending(id) {
            var tenant = r.tenant?.rawValue
            if tenant == nil, case .text(let owner)? = r.filters["owner_id"] { tenant = owner }
            return JoinedRetrieval(
                id: r.id, tenant: tenant,
                hits: r.results.map { .init(rank: $0.rank, chunkID: $0.chunkID, materialID: $0.materialID,
                                            similarity: Self.decimal($0.similarity)) },
                totalMilliseconds: r.timings["total_ms"])
        }
        guard let stored = try record(id) else { return nil }
        func object(_ text: String) -> Any? { JSONText.value(text) }
        let results = object(stored.resultsJSON) as? [[String: Any]] ?? []
        let request = object(stored.requestJSON) as? [String: Any]
        let filters = request?["filters"] as? [String: Any]
        let timings = object(stored.timingsJSON) as? [String: Any]
        return JoinedRetrieval(
            id: stored.id, tenant: stored.tenant?.rawValue ?? (filters?["owner_id"] as? String),
            hits: results.compactMap { r in
                guard let rank = (r["rank"] as? NSNumber)?.intValue, let chunk = (r["chunk_id"] as? NSNumber)?.int64Value,
                      let material = (r["material_id"] as? NSNumber)?.int64Value,
                      let similarity = (r["similarity"] as? NSNumber)?.doubleValue else { return nil }
                return .init(rank: rank, chunkID: chunk, materialID: material, similarity: Self.decimal(Float(similarity)))
            },
            totalMilliseconds: (timings?["total_ms"] as? NSNumber)?.doubleValue)
    }

    /// A float32 similarity as the double its shortest text reads as (`0.7039576`, as `/v1/retrieve` shows it).
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

    /// A buffered record not yet written.
    func pending(_ id: String) -> RetrievalRecord? {
        buffer.withLock { $0.last { $0.id == id } }
    }
}
