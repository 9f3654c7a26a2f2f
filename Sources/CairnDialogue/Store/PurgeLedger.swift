import CairnEmbedding
import CairnIngest
public import CairnSQL
public import Foundation

/// What retention and erasure read and write in the store besides the materials themselves (which the
/// library deletes from store, index and catalog): the materials due, the dialogue records of a user, and the
/// audit log.
///
/// Audit records hold ids, content hashes, counts, when and why — never names, texts or user ids. An erased
/// user is named only by `subject_sha256`, SHA-256 of the store's id, `:` and the user id: whoever holds both
/// can check that a given user was erased; the record alone reveals nobody.
public struct PurgeLedger: Sendable {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    /// A material to purge.
    public struct Material: Sendable, Hashable {
        public var id: Int64
        public var contentSHA256: String
        /// The texts of its chunks (to purge from the embedding cache).
        public var chunkTexts: [String]
        public var retentionYears: Int?
        /// From when its retention counts (acquired_at, else when Cairn got it).
        public var since: String?
    }

    /// Materials whose retention (`retention_years` from `acquired_at`, else from `created_at`) has ended by
    /// `now`; materials still being processed wait for the next run.
    public func expiredMaterials(now: Date) throws(DialogueError) -> [Material] {
        try materials("""
            SELECT m.id, m.content_sha256, p.retention_years, coalesce(p.acquired_at, m.created_at)
            FROM materials m JOIN provenance p ON p.material_id = m.id
            WHERE p.retention_years IS NOT NULL AND m.status IN ('completed', 'failed')
              AND datetime(coalesce(p.acquired_at, m.created_at), '+' || p.retention_years || ' years') <= datetime(?)
            ORDER BY m.id
            """, [.text(storeTimestamp(now))])
    }

    /// Every material `owner` owns.
    public func materials(owner: String) throws(DialogueError) -> [Material] {
        try materials("""
            SELECT m.id, m.content_sha256, p.retention_years, coalesce(p.acquired_at, m.created_at)
            FROM materials m LEFT JOIN provenance p ON p.material_id = m.id WHERE m.owner = ? ORDER BY m.id
            """, [.text(owner)])
    }

    private func materials(_ sql: String, _ bindings: [SQLValue]) throws(DialogueError) -> [Material] {
        do {
            return try database.query(sql, bindings).map { row in
                let id: Int64 = try row.get(0)
                let texts = try database.query("SELECT content FROM material_chunks WHERE material_id = ?", [.integer(id)])
                    .map { try $0.get(0, as: String.self) }
                return Material(id: id, contentSHA256: try row.get(1), chunkTexts: texts,
                                retentionYears: (try row.get(2) as Int64?).map(Int.init), since: try row.get(3))
            }
        } catch {
            throw .storage("finding materials to purge", error)
        }
    }

    /// What erasing a user's dialogue records removed.
    public struct DialogueErasure: Sendable, Hashable {
        public var dialogues = 0
        public var retrievals = 0
        /// The days (`YYYY-MM-DD`) whose rollups included them.
        public var days: [String] = []
    }

    /// Deletes every dialogue record of `userID` and the retrieval records they joined (their questions are
    /// the user's too), and writes the audit record of the whole erasure in the same transaction.
    public func eraseDialogues(userID: String, materials: [Material], chunks: Int, cacheEntries: Int,
                               requestedBy keyID: Int64?) throws(DialogueError) -> (DialogueErasure, auditID: Int64) {
        do {
            return try database.transaction(.immediate) { () throws -> (DialogueErasure, Int64) in
                var erasure = DialogueErasure()
                let rows = try database.query(
                    "SELECT DISTINCT retrieval_id, substr(created_at, 1, 10) FROM ai_dialogue_log WHERE user_id = ?",
                    [.text(userID)])
                let retrievalIDs = Set(try rows.compactMap { try $0.get(0, as: String?.self) })
                erasure.days = Array(Set(try rows.map { try $0.get(1, as: String.self) })).sorted()
                erasure.dialogues = try database.execute("DELETE FROM ai_dialogue_log WHERE user_id = ?", [.text(userID)])
                for id in retrievalIDs {
                    erasure.retrievals += try database.execute("DELETE FROM retrievals WHERE id = ?", [.text(id)])
                }
                let storeID = try database.queryValue("SELECT store_id FROM mirror_config", as: String.self) ?? ""
                let details: [String: Any] = [
                    "materials": materials.map { ["id": $0.id, "content_sha256": $0.contentSHA256,
                                                  "chunks": $0.chunkTexts.count] as [String: Any] },
                    "chunks": chunks, "dialogues": erasure.dialogues, "retrievals": erasure.retrievals,
                    "embedding_cache_entries": cacheEntries, "requested_by_key": keyID.map { $0 as Any } ?? NSNull(),
                ]
                let id = try audit(action: "user_erasure", reason: "erasure of a user's data requested through the API",
                                   subject: SHA256.hexHash(utf8: storeID + ":" + userID), details: details)
                return (erasure, id)
            }
        } catch {
            throw .storage("erasing a user's dialogue records", error)
        }
    }

    /// Records a retention purge.
    public func recordRetention(_ materials: [Material], chunks: Int, cacheEntries: Int, now: Date) throws(DialogueError)
        -> Int64 {
        let details: [String: Any] = [
            "materials": materials.map { m -> [String: Any] in
                ["id": m.id, "content_sha256": m.contentSHA256, "chunks": m.chunkTexts.count,
                 "retention_years": m.retentionYears.map { $0 as Any } ?? NSNull(), "retained_since": m.since ?? NSNull()]
            },
            "chunks": chunks, "embedding_cache_entries": cacheEntries, "run_at": storeTimestamp(now),
        ]
        do {
            return try database.transaction(.immediate) { () throws -> Int64 in
                try audit(action: "retention_purge", reason: "retention_years after acquired_at (else created_at) had passed",
                          subject: nil, details: details)
            }
        } catch {
            throw .storage("recording a retention purge", error)
        }
    }

    private func audit(action: String, reason: String, subject: String?, details: [String: Any]) throws -> Int64 {
        let json = (try? JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        try database.execute("""
            INSERT INTO audit_log (action, reason, subject_sha256, details, created_at) VALUES (?, ?, ?, ?, ?)
            """, [.text(action), .text(reason), subject.map(SQLValue.text) ?? .null, .text(json), .text(storeTimestamp())])
        return database.lastInsertRowID
    }

    /// One audit record.
    public struct AuditRecord: Sendable, Hashable {
        public var id: Int64
        public var action: String
        public var reason: String
        public var subjectSHA256: String?
        public var details: String
        public var createdAt: String
    }

    /// The newest audit records first.
    public func auditRecords(limit: Int = 100) throws(DialogueError) -> [AuditRecord] {
        do {
            return try database.query(
                "SELECT id, action, reason, subject_sha256, details, created_at FROM audit_log ORDER BY id DESC LIMIT ?",
                [.int(limit)]).map { r in
                AuditRecord(id: try r.get(0), action: try r.get(1), reason: try r.get(2), subjectSHA256: try r.get(3),
                            details: try r.get(4), createdAt: try r.get(5))
            }
        } catch {
            throw .storage("reading the audit log", error)
        }
    }
}
