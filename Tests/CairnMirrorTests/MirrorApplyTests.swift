import CairnIngest
import CairnMirror
import CairnNightly
import CairnPostgres
import CairnSQL
import Foundation
import TestSupport
import Testing

/// The outbox and the applier against a real PostgreSQL: migrations, convergence, deletes, hostile text, a
/// dimension change.
@Suite(.serialized) struct MirrorApplyTests {
    @Test func migrationsCreateTheSchemaOnceAndReRunAsNoOps() throws {
        let fixture = try MirrorFixture()
        _ = try fixture.applier.connect()
        let pg = try fixture.postgres()
        // A second applier (another process, say) migrates nothing and agrees on the settings.
        let other = MirrorApplier(target: fixture.applier.target, outbox: fixture.outbox)
        _ = try other.connect()
        #expect(try pg.execute("SELECT count(*) FROM cairn.schema_migrations").int64(0, 0) == 3)
        let tables = try pg.execute("""
            SELECT string_agg(c.relname || ':' || coalesce(obj_description(c.oid), '-'), ',' ORDER BY c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'cairn' AND c.relkind = 'r' AND c.relname <> 'schema_migrations'
            """).string(0, 0) ?? ""
        for table in ["bulk_jobs", "material_chunks", "material_processing_jobs", "materials", "mirror_settings", "provenance",
                      "retrievals", "ai_dialogue_log", "rag_metrics_history", "audit_log", "benchmark_runs"] {
            #expect(tables.contains("\(table):") && !tables.contains("\(table):-"), "\(table) missing or uncommented: \(tables)")
        }
        let index = try pg.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'material_chunks_embedding'").string(0, 0)
        #expect(index?.contains("hnsw") == true && index?.contains("vector_cosine_ops") == true
            && index?.contains("m='16'") == true && index?.contains("ef_construction='64'") == true, "\(index ?? "none")")
        #expect(try pg.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
            + "'cairn.material_chunks'::regclass AND attname = 'embedding'").string(0, 0) == "vector(8)")
    }

    /// A nightly benchmark run recorded in the store reaches PostgreSQL whole (its JSON as jsonb), and the
    /// verifier finds the two equal.
    @Test func nightlyRunsAreMirrored() throws {
        let fixture = try MirrorFixture()
        _ = try fixture.applier.connect()
        let machine = MachineInfo(cpuModel: "AMD EPYC", simd: "avx2", blasCore: "Zen", cores: 2, memoryGiB: 24)
        let history = NightlyHistory(database: fixture.library.store.database,
                                     file: NightlyHistoryFile(dataDirectory: fixture.library.dataDirectory))
        let run = try history.append(NightlyRun(
            startedAt: "2026-12-05T02:00:00.000Z", commit: "abc123", machine: machine, loadBefore: 0.25, loadAfter: 1.5,
            wallSeconds: 1_800, sections: [.init(name: "index", seconds: 900, status: .ok, missingPeers: ["usearch"])],
            figures: [BenchFigure(section: "index", name: "qps@0.95", kind: .throughput, value: 5_000, unit: "q/s",
                                  peer: "hnswlib", peerValue: 4_000)]))
        _ = try fixture.sync()
        let pg = try fixture.postgres()
        let row = try pg.execute("""
            SELECT commit_sha, machine_kind, figures->0->>'peer', (figures->0->>'peerValue')::float8::text,
                   sections->0->'missingPeers'->>0, (started_at = '2026-12-05T02:00:00Z'::timestamptz)::text
            FROM cairn.benchmark_runs WHERE id = $1
            """, [.int8(run.id)])
        #expect(row.string(0, 0) == "abc123" && row.string(0, 1) == machine.kind && row.string(0, 2) == "hnswlib")
        #expect(row.string(0, 3) == "4000" && row.string(0, 4) == "usearch" && row.string(0, 5) == "true")
        #expect(try fixture.verify().isEqual)
    }

    @Test func commitsUpdatesAndDeletesConverge() throws {
        let fixture = try MirrorFixture()
        try fixture.library.commit((0..<40).map { MirrorFixture.material($0) }, bulkJob: nil)
        let first = try fixture.sync()
        #expect(first.reduce(0) { $0 + $1.chunks } == 120)
        var report = try fixture.verify()
        #expect(report.isEqual, "\(report.examples)")
        #expect(report.tables.first { $0.table == "material_chunks" }?.mirrorRows == 120)
        // Re-commit some materials with new text (chunk ids change), delete others.
        let ids = try fixture.library.store.database.query("SELECT id FROM materials ORDER BY id").map { try $0.get(0, as: Int64.self) }
        try fixture.library.commit((0..<10).map { MirrorFixture.material($0, chunks: 2, version: 1,
                                                                         existing: MaterialID(rawValue: ids[$0])) },
                                   bulkJob: nil)
        for id in ids[30...] { try fixture.library.delete(MaterialID(rawValue: id)) }
        try fixture.sync()
        report = try fixture.verify()
        #expect(report.isEqual, "\(report.examples)")
        let pg = try fixture.postgres()
        #expect(try pg.execute("SELECT count(*) FROM cairn.materials").int64(0, 0) == 30)
        #expect(try pg.execute("SELECT count(*) FROM cairn.material_chunks").int64(0, 0) == 10 * 2 + 20 * 3)
        #expect(try fixture.outbox.backlog().changes == 0)
        // Draining an empty outbox (what the worker does most of the time) is a no-op, not an error.
        #expect(try fixture.applier.drain().changes == 0)
        // verify notices a change made behind the mirror's back, naming the row.
        try pg.execute("UPDATE cairn.material_chunks SET char_end = char_end + 1 WHERE id = (SELECT min(id) FROM cairn.material_chunks)")
        report = try fixture.verify()
        #expect(!report.isEqual && report.examples.first?.contains("material_chunks") == true, "\(report.examples)")
    }

    @Test func hostileTextIsMirroredLiterally() throws {
        let fixture = try MirrorFixture()
        let hostile = "'; DROP TABLE cairn.materials; -- \\ \"q\" $$ \u{1F600} 한국어"
        try fixture.library.commit([MirrorFixture.material(1, title: hostile, licence: "LicenseRef-O'Brien".filter { $0 != "'" })],
                                   bulkJob: nil)
        try fixture.sync()
        let pg = try fixture.postgres()
        #expect(try pg.execute("SELECT title FROM cairn.materials").string(0, 0) == hostile)
        // A licence the enum did not know was added to it.
        #expect(try pg.execute("SELECT license_type::text FROM cairn.provenance").string(0, 0) == "LicenseRef-OBrien")
        #expect(try fixture.verify().isEqual)
    }

    @Test func rowsPostgresRefusesAreSetAsideAndEverythingElseGoesThrough() throws {
        let fixture = try MirrorFixture()
        try fixture.library.commit((0..<5).map { MirrorFixture.material($0) }, bulkJob: nil)
        let db = fixture.library.store.database
        let ids = try db.query("SELECT id FROM materials ORDER BY id").map { try $0.get(0, as: Int64.self) }
        // Rows written behind the store's validation: a time no parser reads, a licence too long for an enum label.
        try db.execute("UPDATE materials SET created_at = 'last tuesday' WHERE id = ?", [.integer(ids[1])])
        try db.execute("UPDATE provenance SET license_type = ? WHERE material_id = ?",
                       [.text(String(repeating: "L", count: 70)), .integer(ids[3])])
        let report = try fixture.applier.drain()
        #expect(try fixture.outbox.backlog().changes == 0)
        let rejected = try fixture.outbox.rejectedRows()
        #expect(report.rejected == rejected.count && rejected.count >= 2, "\(rejected)")
        #expect(rejected.contains { $0.table == "materials" && $0.id == ids[1] && $0.error.contains("created_at") }, "\(rejected)")
        #expect(rejected.contains { $0.table == "provenance" && $0.id == ids[3] }, "\(rejected)")
        let pg = try fixture.postgres()
        // Everything else went through: the other four materials and their chunks.
        #expect(try pg.execute("SELECT count(*) FROM cairn.materials").int64(0, 0) == 4)
        #expect(try pg.execute("SELECT count(*) FROM cairn.material_chunks WHERE material_id <> $1",
                               [.int8(ids[1])]).int64(0, 0) == 12)
        let verify = try fixture.verify()
        #expect(!verify.isEqual && verify.examples.contains { $0.contains("materials id \(ids[1])") }, "\(verify.examples)")
        // Fixed in the store and re-sent (resync), the rows go through and leave mirror_rejected.
        try db.execute("UPDATE materials SET created_at = '2026-01-02T03:04:05.000Z' WHERE id = ?", [.integer(ids[1])])
        try db.execute("UPDATE provenance SET license_type = 'MIT' WHERE material_id = ?", [.integer(ids[3])])
        try fixture.outbox.queueEverything()
        #expect(try fixture.applier.drain().rejected == 0)
        #expect(try fixture.outbox.rejectedCount() == 0)
        #expect(try fixture.verify().isEqual)
    }

    @Test func aDatabaseMirroringAnotherDataDirectoryIsRefusedUnlessTakenOver() throws {
        let first = try MirrorFixture()
        try first.library.commit([MirrorFixture.material(1)], bulkJob: nil)
        try first.sync()
        let second = try MirrorFixture(databaseURL: first.databaseURL)
        do {
            _ = try second.applier.connect()
            Issue.record("a second data directory was mirrored into the first one's database")
        } catch {
            let ids = (try first.outbox.storeID(), try second.outbox.storeID())
            #expect(error.kind == .configuration && error.message.contains("mirrors another data directory")
                && error.message.contains(ids.0) && error.message.contains(ids.1), "\(error)")
        }
        let takeOver = MirrorApplier(target: second.applier.target, outbox: second.outbox, takeOver: true)
        _ = try takeOver.connect()
        #expect(try takeOver.removeRowsNotInStore() > 0)
        #expect(try takeOver.drain().changes >= 0)
        #expect(try MirrorVerifier.verify(store: second.outbox.database, mirror: takeOver.connect()).isEqual)
        // Now the first is the stranger.
        let again = MirrorApplier(target: first.applier.target, outbox: first.outbox)
        #expect(throws: MirrorError.self) { _ = try again.connect() }
    }

    @Test func aDatabaseMadeForAnotherDimensionIsRefusedNamingBoth() throws {
        let fixture = try MirrorFixture()
        _ = try fixture.applier.connect()
        let other = MirrorApplier(target: .init(url: PostgresURL(fixture.databaseURL), dimension: 384, model: "all-MiniLM-L6-v2"),
                                  outbox: fixture.outbox)
        do {
            _ = try other.connect()
            Issue.record("a 384-dimensional data directory was mirrored into an 8-dimensional schema")
        } catch {
            #expect(error.kind == .configuration && error.message.contains("8-dimensional")
                && error.message.contains("384-dimensional"), "\(error)")
        }
    }
}
