import CairnIndex
import CairnIngest
import CairnStorage
import CairnMirror
import CairnPostgres
import CairnSQL
import Foundation
import TestSupport
import Testing

/// The mirror through outages, at volume, and back: a data directory rebuilt from it searches alike.
@Suite(.serialized) struct MirrorRecoveryTests {
    @Test func aPostgresOutageMidIngestLosesNothingAndDuplicatesNothing() throws {
        let server = try TestPostgres.startPrivate()
        defer {
            try? server.stop()
            server.remove()
        }
        let fixture = try MirrorFixture(databaseURL: try server.createDatabase("outage"))
        try fixture.library.commit((0..<20).map { MirrorFixture.material($0) }, bulkJob: nil)
        try fixture.sync()
        try server.stop()
        // Ingestion goes on while PostgreSQL is down: commits, an update, deletes.
        try fixture.library.commit((20..<50).map { MirrorFixture.material($0) }, bulkJob: nil)
        let ids = try fixture.library.store.database.query("SELECT id FROM materials ORDER BY id").map { try $0.get(0, as: Int64.self) }
        try fixture.library.commit([MirrorFixture.material(3, version: 2, existing: MaterialID(rawValue: ids[3]))], bulkJob: nil)
        for id in ids[40..<45] { try fixture.library.delete(MaterialID(rawValue: id)) }
        let failure = Self.failure { () throws(MirrorError) in try fixture.applier.drain() }
        #expect(failure?.kind == .unavailable, "\(String(describing: failure))")
        let waiting = try fixture.outbox.backlog()
        #expect(waiting.changes > 0 && waiting.secondsBehind() >= 0)
        try server.restart()
        try fixture.sync()
        #expect(try fixture.outbox.backlog().changes == 0)
        let report = try fixture.verify()
        #expect(report.isEqual, "\(report.examples)")
        let pg = try fixture.postgres()
        #expect(try pg.execute("SELECT count(*) FROM cairn.materials").int64(0, 0) == 45)
        #expect(try pg.execute("SELECT count(*) FROM (SELECT material_id, chunk_index FROM cairn.material_chunks "
            + "GROUP BY 1, 2 HAVING count(*) > 1) d").int64(0, 0) == 0)
    }

    @Test func tenThousandUpsertsAndAThousandDeletesConverge() throws {
        let fixture = try MirrorFixture()
        // 2,500 materials × 4 chunks = 10,000 chunk upserts, committed in batches while the mirror drains.
        for batch in 0..<10 {
            try fixture.library.commit((batch * 250..<(batch + 1) * 250).map { MirrorFixture.material($0, chunks: 4) },
                                       bulkJob: nil)
            if batch % 3 == 0 { try fixture.applier.drain() }
        }
        let ids = try fixture.library.store.database.query("SELECT id FROM materials ORDER BY id").map { try $0.get(0, as: Int64.self) }
        // 250 materials deleted = 1,000 chunk deletes.
        for id in ids.shuffled().prefix(250) { try fixture.library.delete(MaterialID(rawValue: id)) }
        try fixture.sync()
        let report = try fixture.verify()
        #expect(report.isEqual, "\(report.examples)")
        let chunks = try #require(report.tables.first { $0.table == "material_chunks" })
        #expect(chunks.storeRows == 9_000 && chunks.mirrorRows == 9_000)
        #expect(try fixture.outbox.backlog().changes == 0)
    }

    @Test func aRebuiltDataDirectoryAnswersWithTheSameTopTen() async throws {
        let fixture = try MirrorFixture()
        try fixture.library.commit((0..<300).map { MirrorFixture.material($0, owner: "t\($0 % 3)", chunks: 4) }, bulkJob: nil)
        try fixture.sync()
        let replica = try TemporaryDirectory()
        let report = try MirrorRebuilder.rebuild(from: PostgresURL(fixture.databaseURL), into: replica.file("data"))
        #expect(report.chunks == 1_200 && report.dimension == 8 && report.model == "fake-8")
        let rebuilt = try MaterialLibrary.open(dataDirectory: replica.file("data"), embedder: MirrorFixture.FakeEmbedder())
        #expect(rebuilt.vectors.index.count == 1_200 && rebuilt.catalog.chunkCount == 1_200)
        var random = SplitMix(seed: 5)
        for q in 0..<40 {
            let vector = (0..<8).map { _ in random.gaussian() }
            let filter = q % 2 == 0 ? ChunkFilter() : ChunkFilter(owner: "t\(q % 3)")
            let query = ChunkQuery(text: "q\(q)", vector: vector, topK: 10, filter: filter, efSearch: 400)
            let original = try await fixture.library.search(query).hits.map(\.chunk.chunkID)
            let again = try await rebuilt.search(query).hits.map(\.chunk.chunkID)
            #expect(original == again, "query \(q)")
            #expect(original.count == 10)
        }
        // The rebuilt store is a store like any other: same rows, and its outbox is on and empty, so the new
        // data directory goes on mirroring from where the old one stopped.
        let outbox = try MirrorOutbox(storePath: rebuilt.store.path)
        #expect(try outbox.isEnabled() && outbox.backlog().changes == 0)
        let check = try MirrorVerifier.verify(store: outbox.database, mirror: fixture.postgres())
        #expect(check.isEqual, "\(check.examples)")
    }

    static func failure(_ body: () throws(MirrorError) -> Void) -> MirrorError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }
}
