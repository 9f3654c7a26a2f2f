import CairnDialogue
import CairnEmbedding
import CairnMirror
import CairnPostgres
import CairnSQL
import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Retention and erasure reach the index, the store, the embedding cache and the PostgreSQL mirror, and leave
/// audit records without personal data; the dialogue tables mirror exactly (numeric, date, jsonb, doubles).
@Suite(.serialized) struct GovernanceTests {
    /// Waits until the mirror has applied everything (or 60 s pass).
    static func mirrored(_ api: APIClient) async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let ready = try await api.request(.get, "/readyz")
            if let mirror = ready.json["mirror"] as? [String: Any], mirror["lag_changes"] as? Int == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the mirror did not catch up")
    }

    static func record(_ api: APIClient, key: String, user: String, retrieval: String?, chunk: Int?) async throws -> Int {
        var body: [String: Any] = ["user_id": user, "session_id": "s-\(user)", "query": "What did \(user) ask?",
                                   "response": "An answer [1].", "model_used": "gpt-4o-mini", "latency_ms": ["total": 1234.5],
                                   "prompt_tokens": 1_234, "completion_tokens": 567, "relevance_score": 0.75]
        body["retrieval_id"] = retrieval
        if let chunk { body["citations"] = [["chunk_id": chunk, "marker": "[1]", "quote": "glucose"]] }
        let r = try await api.request(.post, "/v1/dialogues", key: key, json: body)
        #expect(r.status == 201, "\(r.text)")
        return r.json["id"] as? Int ?? 0
    }

    @Test func erasureReachesIndexStoreCacheAndMirrorAndTheMirrorHoldsDialoguesExactly() async throws {
        let url = try TestPostgres.shared().createDatabase("governance")
        let harness = try APIHarness { $0.databaseURL = url }
        try await harness.run { api in
            let mine = try await api.upload(files: [("my-notes.md", Texts.bytes(Texts.photosynthesis))],
                                            fields: [("owner_id", "stu-1")])
            let class7 = try await api.upload(files: [("newton.txt", Texts.bytes(Texts.newton))], fields: [("owner_id", "A")])
            _ = try await api.waitForJob(mine.json["job_id"] as! Int)
            _ = try await api.waitForJob(class7.json["job_id"] as! Int)
            let myMaterial = try #require((mine.json["files"] as? [[String: Any]])?.first?["material_id"] as? Int)
            let coachA = try api.key(harness, role: .coach, tenant: "A")
            let r = try await api.request(.post, "/v1/retrieve", key: coachA, json: ["query": "force and motion"])
            let retrieval = try #require(r.json["retrieval_id"] as? String)
            let chunkA = (r.json["results"] as? [[String: Any]])?.first?["chunk_id"] as? Int
            let r2 = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                           json: ["query": "glucose", "filters": ["owner_id": "stu-1"]])
            let myChunk = (r2.json["results"] as? [[String: Any]])?.first?["chunk_id"] as? Int
            _ = try await Self.record(api, key: coachA, user: "stu-1", retrieval: retrieval, chunk: chunkA)
            _ = try await Self.record(api, key: api.admin, user: "stu-1", retrieval: r2.json["retrieval_id"] as? String,
                                      chunk: myChunk)
            let kept = try await Self.record(api, key: coachA, user: "stu-2", retrieval: nil, chunk: chunkA)
            _ = try harness.service.rollUp(from: DailyRollup.day(Date()), to: DailyRollup.day(Date()))
            try await Self.mirrored(api)
            // The mirror holds the dialogue tables exactly: numeric(8,2), dates, jsonb, doubles.
            let store = try SQLiteDatabase(path: harness.dir.file("data/cairn.sqlite3"))
            let pg = try PostgresConnection(url: PostgresURL(url))
            let before = try MirrorVerifier.verify(store: store, mirror: pg)
            #expect(before.isEqual, "\(before.examples)")
            #expect(try pg.execute("SELECT token_cost_jpy::text FROM cairn.ai_dialogue_log ORDER BY id").string(0, 0) == "0.08")
            #expect(try pg.execute("SELECT pg_typeof(day)::text FROM cairn.rag_metrics_history").string(0, 0) == "date")
            #expect(try pg.execute("SELECT count(*) FROM cairn.retrievals").int64(0, 0) ?? 0 >= 2)
            let cache = try EmbeddingCache(dataDirectory: harness.dir.file("data"))
            let texts = try pg.execute("""
                SELECT c.content FROM cairn.material_chunks c JOIN cairn.materials m ON m.id = c.material_id
                WHERE m.owner = 'stu-1'
                """)
            let myTexts = (0..<texts.rowCount).compactMap { texts.string($0, 0) }
            #expect(!myTexts.isEmpty)

            // Only an admin may erase.
            #expect(try await api.request(.delete, "/v1/users/stu-1/data", key: coachA).status == 403)
            let erase = try await api.request(.delete, "/v1/users/stu-1/data", key: api.admin)
            #expect(erase.status == 200, "\(erase.text)")
            #expect(erase.json["materials"] as? Int == 1 && erase.json["dialogues"] as? Int == 2)
            #expect(erase.json["retrievals"] as? Int == 2)
            #expect(erase.json["chunks"] as? Int == myTexts.count)
            #expect((erase.json["embedding_cache_entries"] as? Int ?? 0) >= myTexts.count)
            // Index and store: the material is gone, searches no longer find it, the other user's record stays.
            #expect(try await api.request(.get, "/v1/materials/\(myMaterial)", key: api.admin).status == 404)
            let after = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                              json: ["query": "glucose", "filters": ["owner_id": "stu-1"]])
            #expect((after.json["results"] as? [Any])?.isEmpty == true)
            let theirs = try await api.request(.get, "/v1/dialogues?user_id=stu-1", key: api.admin)
            #expect((theirs.json["data"] as? [Any])?.isEmpty == true)
            #expect(try await api.request(.get, "/v1/dialogues/\(kept)", key: coachA).status == 200)
            // Cache: no embedding of the erased texts is left.
            let model = EmbeddingModelInfo(id: "all-MiniLM-L6-v2", dimension: 384, maxTokens: 256, provider: .builtin)
            #expect(try cache.lookup(model: model, texts: myTexts).allSatisfy { $0 == nil })
            // Mirror: the same, and the audit record carries no personal data.
            try await Self.mirrored(api)
            #expect(try pg.execute("SELECT count(*) FROM cairn.materials WHERE owner = 'stu-1'").int64(0, 0) == 0)
            #expect(try pg.execute("SELECT count(*) FROM cairn.ai_dialogue_log WHERE user_id = 'stu-1'").int64(0, 0) == 0)
            #expect(try pg.execute("SELECT count(*) FROM cairn.retrievals WHERE id = $1", [.text(retrieval)]).int64(0, 0) == 0)
            #expect(try pg.execute("SELECT count(*) FROM cairn.ai_dialogue_log").int64(0, 0) == 1)
            let audit = try pg.execute("SELECT action, subject_sha256, details::text FROM cairn.audit_log")
            #expect(audit.rowCount == 1 && audit.string(0, 0) == "user_erasure")
            #expect(audit.string(0, 1)?.count == 64)
            #expect(audit.string(0, 2)?.contains("stu-1") == false && audit.string(0, 2)?.contains("glucose") == false)
            // The day's rollup was done again without the erased answers.
            #expect(try pg.execute("SELECT sum(answers) FROM cairn.rag_metrics_history").int64(0, 0) == 1)
            let final = try MirrorVerifier.verify(store: store, mirror: pg)
            #expect(final.isEqual, "\(final.examples)")
            // Erasing again finds nothing more (and still writes its audit record).
            let again = try await api.request(.delete, "/v1/users/stu-1/data", key: api.admin)
            #expect(again.json["materials"] as? Int == 0 && again.json["dialogues"] as? Int == 0)
        }
    }

    @Test func retentionPurgesExpiredMaterialsAndDialoguesKeepTheirSnapshot() async throws {
        let url = try TestPostgres.shared().createDatabase("retention")
        let harness = try APIHarness { $0.databaseURL = url }
        try await harness.run { api in
            let old = try await api.upload(files: [("old.md", Texts.bytes(Texts.photosynthesis))], fields: [
                ("owner_id", "A"), ("retention_years", "1"), ("acquired_at", "2020-01-01"), ("license_type", "CC-BY-4.0"),
                ("source_uri", "https://example.org/old")])
            let fresh = try await api.upload(files: [("fresh.txt", Texts.bytes(Texts.newton))], fields: [
                ("owner_id", "A"), ("retention_years", "100"), ("acquired_at", "2020-01-01")])
            let forever = try await api.upload(files: [("forever.txt", Texts.bytes(Texts.revolution))],
                                               fields: [("owner_id", "A")])
            for job in [old, fresh, forever] { _ = try await api.waitForJob(job.json["job_id"] as! Int) }
            let oldID = try #require((old.json["files"] as? [[String: Any]])?.first?["material_id"] as? Int)
            let coach = try api.key(harness, role: .coach, tenant: "A")
            let r = try await api.request(.post, "/v1/retrieve", key: coach,
                                          json: ["query": "glucose", "filters": ["material_ids": [oldID]]])
            let chunk = try #require((r.json["results"] as? [[String: Any]])?.first?["chunk_id"] as? Int)
            let dialogue = try await Self.record(api, key: coach, user: "u", retrieval: r.json["retrieval_id"] as? String,
                                                 chunk: chunk)
            #expect(try await api.request(.post, "/v1/retention/run", key: coach).status == 403)
            let run = try await api.request(.post, "/v1/retention/run", key: api.admin)
            #expect(run.status == 200 && run.json["materials"] as? Int == 1, "\(run.text)")
            #expect(run.json["audit_id"] as? Int != nil)
            #expect(try await api.request(.get, "/v1/materials/\(oldID)", key: api.admin).status == 404)
            let list = try await api.request(.get, "/v1/materials?owner_id=A", key: api.admin)
            #expect((list.json["data"] as? [[String: Any]])?.count == 2)
            let search = try await api.request(.post, "/v1/retrieve", key: coach,
                                               json: ["query": "glucose", "filters": ["material_ids": [oldID]]])
            #expect((search.json["results"] as? [Any])?.isEmpty == true)
            // The dialogue still says where its citation came from.
            let d = try await api.request(.get, "/v1/dialogues/\(dialogue)", key: coach)
            let citation = try #require((d.json["citations"] as? [[String: Any]])?.first)
            #expect(citation["material_title"] as? String == "old.md")
            #expect((citation["provenance"] as? [String: Any])?["source_uri"] as? String == "https://example.org/old")
            // Nothing more is due.
            let again = try await api.request(.post, "/v1/retention/run", key: api.admin)
            #expect(again.json["materials"] as? Int == 0 && again.json["audit_id"] is NSNull)
            // The mirror lost it too, and holds the audit record.
            try await Self.mirrored(api)
            let pg = try PostgresConnection(url: PostgresURL(url))
            #expect(try pg.execute("SELECT count(*) FROM cairn.materials WHERE id = $1", [.int8(Int64(oldID))]).int64(0, 0) == 0)
            #expect(try pg.execute("SELECT count(*) FROM cairn.material_chunks WHERE material_id = $1",
                                   [.int8(Int64(oldID))]).int64(0, 0) == 0)
            #expect(try pg.execute("SELECT count(*) FROM cairn.materials").int64(0, 0) == 2)
            #expect(try pg.execute("SELECT action FROM cairn.audit_log").string(0, 0) == "retention_purge")
            #expect(try pg.execute("SELECT citations->0->>'material_title' FROM cairn.ai_dialogue_log").string(0, 0) == "old.md")
            let store = try SQLiteDatabase(path: harness.dir.file("data/cairn.sqlite3"))
            let ledger = PurgeLedger(database: store)
            let records = try ledger.auditRecords()
            #expect(records.count == 1 && records.first?.action == "retention_purge")
            #expect(records.first?.details.contains("\"id\":\(oldID)") == true)
        }
    }
}
