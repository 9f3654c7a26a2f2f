@testable import CairnIngest
import CairnSQL
import Testing
import TestSupport

@Suite struct MaterialStoreTests {
    static func draft(_ key: String, sha: String, owner: String = "t1") -> MaterialDraft {
        MaterialDraft(owner: owner, sourceKey: key, title: key, filename: key, fileType: "text", fileSize: 10,
                      tags: ["a", "b"], language: "en", contentSHA256: sha,
                      provenance: ProvenanceInput(licenseType: LicenseType(rawValue: "CC-BY-4.0"), retentionYears: 3))
    }

    static func row(_ i: Int, _ text: String) -> ChunkRow {
        ChunkRow(Chunk(index: i, charStart: i * 100, charEnd: i * 100 + text.unicodeScalars.count, content: text,
                       tokenCount: 3, contentHash: "h-" + text), embedding: [Float(i), 1, 0])
    }

    @Test func upgradingTo0004KeepsRetrievalsAndQueuesThemForAnEnabledMirror() throws {
        let dir = try TemporaryDirectory()
        let db = try SQLiteDatabase(path: dir.file("cairn.sqlite3"))
        try db.migrate(StoreSchema.base)
        for (i, id) in ["ret_b", "ret_a", "ret_c"].enumerated() {
            try db.execute("""
                INSERT INTO retrievals (id, created_at, query, request, results, exhaustive, timings, embedding_model)
                VALUES (?, ?, 'q', '{}', '[]', 1, '{}', 'm')
                """, [.text(id), .text("2026-12-0\(i + 1)T00:00:00.000Z")])
        }
        try db.execute("UPDATE mirror_config SET enabled = 1")
        try db.migrate(StoreSchema.migrations)
        let rows = try db.query("SELECT seq, id FROM retrievals ORDER BY seq").map { (try $0.get(0, as: Int64.self), try $0.get(1, as: String.self)) }
        #expect(rows.map(\.1) == ["ret_b", "ret_a", "ret_c"])  // in the order they were made
        #expect(rows.map(\.0) == [1, 2, 3])
        let queued = try db.query("SELECT entity_id FROM mirror_outbox WHERE entity = 'retrievals' ORDER BY seq")
            .map { try $0.get(0, as: Int64.self) }
        #expect(queued == [1, 2, 3])
        // New rows take the next key and reach the outbox through the trigger.
        try db.execute("""
            INSERT INTO retrievals (id, created_at, query, request, results, exhaustive, timings, embedding_model)
            VALUES ('ret_d', '2026-12-04T00:00:00.000Z', 'q', '{}', '[]', 1, '{}', 'm')
            """)
        #expect(try db.queryValue("SELECT max(entity_id) FROM mirror_outbox WHERE entity = 'retrievals'", as: Int64.self) == 4)
    }

    @Test func migrationsAreRecordedAndIdempotent() throws {
        let dir = try TemporaryDirectory()
        _ = try MaterialStore(dataDirectory: dir.path)
        let store = try MaterialStore(dataDirectory: dir.path)
        let records = try store.database.migrationRecords()
        #expect(records.map(\.name) == ["0001_materials", "0002_service", "0003_mirror_outbox", "0004_dialogues",
                                           "0005_content_generation", "0006_chunk_generation", "0007_benchmark_runs"])
        #expect(records.allSatisfy { $0.success })
        let tables = try store.database.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .compactMap { $0[0].string }
        for t in ["materials", "material_chunks", "provenance", "material_processing_jobs", "bulk_jobs", "retrievals",
                  "ai_dialogue_log", "rag_metrics_history", "audit_log"] {
            #expect(tables.contains(t), "\(t)")
        }
    }

    /// Every change to materials, provenance or chunks advances the content generation, whoever makes it;
    /// other tables and rolled-back transactions leave it alone.
    @Test func theContentGenerationFollowsEveryContentChange() throws {
        let dir = try TemporaryDirectory()
        let store = try MaterialStore(dataDirectory: dir.path)
        let g0 = try store.contentGeneration()
        let committed = try store.commitMaterials(
            [FinishedMaterial(draft: Self.draft("a.txt", sha: "s1"), existing: nil, extractedText: "x",
                              rows: [Self.row(0, "alpha"), Self.row(1, "beta")])],
            failures: [], bulkJob: nil, model: "m")
        let g1 = try store.contentGeneration()
        #expect(g1 > g0)
        // The chunk generation counts the two chunk inserts, and the commit reports its step.
        let c1 = try store.chunkGeneration()
        #expect(c1 == 2 && store.lastChunkStep == ChunkGenerationStep(before: 0, after: 2))
        let (id, _) = try #require(committed.first)
        let db = store.database
        // A change of a provenance field by hand (as a mirror rebuild or an operator might).
        try db.execute("UPDATE provenance SET license_type = 'cc-by' WHERE material_id = ?", [.integer(id.rawValue)])
        let g2 = try store.contentGeneration()
        #expect(g2 == g1 + 1)
        #expect(try store.chunkGeneration() == c1, "metadata leaves the chunk generation alone")
        try db.execute("UPDATE material_chunks SET content = 'gamma' WHERE material_id = ? AND chunk_index = 0",
                       [.integer(id.rawValue)])
        let g3 = try store.contentGeneration()
        #expect(g3 == g2 + 1)
        #expect(try store.chunkGeneration() == c1 + 1)
        // Tables the catalog and the keyword index do not read leave it alone.
        try db.execute("""
            INSERT INTO retrievals (id, created_at, query, request, results, exhaustive, timings, embedding_model)
            VALUES ('ret_x', '2026-12-04T00:00:00.000Z', 'q', '{}', '[]', 1, '{}', 'm')
            """)
        #expect(try store.contentGeneration() == g3)
        // A rolled-back change takes its advance with it.
        do {
            try db.transaction(.immediate) {
                try db.execute("DELETE FROM material_chunks WHERE material_id = ?", [.integer(id.rawValue)])
                throw CancellationError()
            }
        } catch is CancellationError {}
        #expect(try store.contentGeneration() == g3)
        try db.execute("DELETE FROM material_chunks WHERE material_id = ?", [.integer(id.rawValue)])
        #expect(try store.contentGeneration() == g3 + 2, "one advance per deleted row")
        #expect(try store.chunkGeneration() == c1 + 3)
        #expect(store.lastChunkStep == ChunkGenerationStep(before: 0, after: 2), "hand-written SQL is not the store's own step")
        // A store without the counter's row is damaged, not at generation 0.
        try db.execute("DELETE FROM content_generation")
        #expect(throws: IngestError.self) { try store.contentGeneration() }
    }

    @Test func recommittingKeepsIdsOfUnchangedTextAndDropsTheRest() throws {
        let dir = try TemporaryDirectory()
        let store = try MaterialStore(dataDirectory: dir.path)
        let first = try store.commitMaterials(
            [FinishedMaterial(draft: Self.draft("a.txt", sha: "s1"), existing: nil, extractedText: "x",
                              rows: [Self.row(0, "alpha"), Self.row(1, "beta"), Self.row(2, "gamma")])],
            failures: [], bulkJob: nil, model: "m")
        let (id, commit) = try #require(first.first)
        #expect(commit.added.count == 3 && commit.removed.isEmpty && commit.kept == 0)
        let ids = commit.added.map(\.id)

        let second = try store.commitMaterials(
            [FinishedMaterial(draft: Self.draft("a.txt", sha: "s2"), existing: id, extractedText: "y",
                              rows: [Self.row(0, "beta"), Self.row(1, "delta")])],
            failures: [], bulkJob: nil, model: "m")
        let (sameID, change) = try #require(second.first)
        #expect(sameID == id)
        #expect(change.kept == 1)
        #expect(change.added.count == 1)
        #expect(Set(change.removed) == [ids[0], ids[2]])
        #expect(try store.chunkFingerprints(material: id).map(\.id) == [ids[1], change.added[0].id])
        let material = try #require(try store.material(id: id))
        #expect(material.status == .completed && material.chunkCount == 2 && material.contentSHA256 == "s2")
        #expect(try store.completedMaterial(owner: "t1", sha256: "s2")?.id == id)
        #expect(try store.completedMaterial(owner: "t2", sha256: "s2") == nil)
        // A deleted chunk's id is never handed out again.
        #expect(change.added[0].id > ids[2])
    }

    @Test func failuresAndFiltersAndCitations() throws {
        let dir = try TemporaryDirectory()
        let store = try MaterialStore(dataDirectory: dir.path)
        let done = try store.commitMaterials(
            [FinishedMaterial(draft: Self.draft("a.txt", sha: "s1"), existing: nil, extractedText: "x",
                              rows: [Self.row(0, "alpha")]),
             FinishedMaterial(draft: Self.draft("b.txt", sha: "s2", owner: "t2"), existing: nil, extractedText: "x",
                              rows: [Self.row(0, "beta")])],
            failures: [(Self.draft("bad.pdf", sha: "s3"), nil, "bad.pdf: no extractable text")],
            bulkJob: nil, model: "m")
        #expect(done.count == 2)
        let failed = try #require(try store.material(owner: "t1", sourceKey: "bad.pdf"))
        #expect(failed.status == .failed && failed.errorMessage == "bad.pdf: no extractable text")
        #expect(try store.chunkIDs(filter: ChunkFilter(owner: "t1")).count == 1)
        #expect(try store.chunkIDs(filter: ChunkFilter(tags: ["a", "b"])).count == 2)
        #expect(try store.chunkIDs(filter: ChunkFilter(tags: ["zzz"])).isEmpty)
        #expect(try store.chunkIDs(filter: ChunkFilter(language: "ko")).isEmpty)
        let chunkID = try #require(done[1].1.added.first?.id)
        let cited = try #require(try store.citedChunks([chunkID])[chunkID])
        #expect(cited.owner == "t2" && cited.content == "beta" && cited.licenseType == "CC-BY-4.0")
        #expect(try store.embeddings(of: [chunkID]).first?.embedding == [0, 1, 0])
    }

    @Test func theSchemaRefusesBadRows() throws {
        let dir = try TemporaryDirectory()
        let store = try MaterialStore(dataDirectory: dir.path)
        #expect(throws: (any Error).self) {
            try store.database.execute(
                "INSERT INTO materials (owner, source_key, title, file_type, file_size, content_sha256, status, created_at, updated_at) VALUES ('o', 'k', 't', 'text', 1, 's', 'bogus', 'now', 'now')")
        }
        #expect(throws: (any Error).self) {
            try store.database.execute(
                "INSERT INTO material_chunks (material_id, chunk_index, content, char_start, char_end, token_count, content_sha256, embedding, embedding_model, created_at) VALUES (999, 0, 'x', 0, 1, 1, 'h', x'00', 'm', 'now')")
        }
    }
}
