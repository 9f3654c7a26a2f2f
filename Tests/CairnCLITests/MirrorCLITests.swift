import CairnHTTP
import CairnPostgres
import Foundation
import Glibc
import Testing
import TestSupport

/// The mirror as an operator meets it: `cairn serve --database-url` killed between its commits and their
/// mirror writes, then `cairn mirror sync|verify|status|rebuild` from the command line.
@Suite(.serialized) struct MirrorCLITests {
    @Test func changesCommittedBeforeAKillReachPostgresAfterwardsAndARebuildSearchesAlike() async throws {
        let postgres = try TestPostgres.startPrivate()
        defer {
            try? postgres.stop()
            postgres.remove()
        }
        let url = try postgres.createDatabase("cli")
        let dir = try TemporaryDirectory(prefix: "cairn-mirror")
        let data = dir.file("data")
        // PostgreSQL is down while the server ingests: every change waits in the outbox.
        try postgres.stop()
        let server = try ServerProcess.start(dataDirectory: data, arguments: ["--database-url", url])
        let key = try #require(server.adminKey)
        let texts = (0..<6).map { i in
            (0..<8).map { "Section \($0) of lesson \(i): " + ServeTests.text }.joined(separator: "\n\n")
        }
        let up = try await server.upload(key: key, files: texts.enumerated().map { ("lesson-\($0.offset).txt", Array($0.element.utf8)) },
                                         fields: [("owner_id", "class-1"), ("license_type", "CC-BY-4.0")])
        #expect(up.status == 202, "\(up.bodyText)")
        let job = try await ServeTests.waitForJob(server, ServerProcess.json(up)["job_id"] as! Int, key: key)
        #expect(job["status"] as? String == "completed", "\(job)")
        let ready = ServerProcess.json(try await server.send(.get, "/readyz"))
        let mirror = try #require(ready["mirror"] as? [String: Any], "\(ready)")
        #expect((mirror["lag_changes"] as? Int ?? 0) > 0 && mirror["last_error"] is String, "\(mirror)")
        let metrics = String(decoding: try await server.send(.get, "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("cairn_mirror_lag_changes") && metrics.contains("cairn_mirror_up 0"))
        // Killed between the commits and their mirror writes.
        server.signal(SIGKILL)
        _ = server.wait()
        try postgres.restart()
        let status = try CairnBinary.run(["mirror", "status", "--data-dir", data, "--database-url", url])
        #expect(status.status == 0 && status.stdout.contains("changes waiting"), "\(status.stdout)\(status.stderr)")
        let sync = try CairnBinary.run(["mirror", "sync", "--data-dir", data, "--database-url", url])
        #expect(sync.status == 0 && sync.stdout.contains("up to date"), "\(sync.stdout)\(sync.stderr)")
        let verify = try CairnBinary.run(["mirror", "verify", "--data-dir", data, "--database-url", url])
        #expect(verify.status == 0 && verify.stdout.contains("the mirror equals the store"), "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("material_chunks: store "), "\(verify.stdout)")
        // A data directory rebuilt from PostgreSQL answers the same questions with the same chunks.
        let replica = dir.file("replica")
        let rebuild = try CairnBinary.run(["mirror", "rebuild", "--data-dir", replica, "--database-url", url])
        #expect(rebuild.status == 0 && rebuild.stdout.contains("6 materials"), "\(rebuild.stdout)\(rebuild.stderr)")
        for question in ["Where does photosynthesis take place?", "What does the Calvin cycle fix?", "lesson 3 section 5"] {
            let original = try CairnBinary.run(["search", "--data-dir", data, "--json", "--top-k", "10", question])
            let rebuilt = try CairnBinary.run(["search", "--data-dir", replica, "--json", "--top-k", "10", question])
            #expect(original.status == 0 && rebuilt.status == 0, "\(original.stderr)\(rebuilt.stderr)")
            #expect(Self.chunkIDs(original.stdout) == Self.chunkIDs(rebuilt.stdout) && Self.chunkIDs(original.stdout).count == 10,
                    "\(question)")
        }
        // The replica checks against the same mirror.
        let again = try CairnBinary.run(["mirror", "verify", "--data-dir", replica, "--database-url", url])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
    }

    @Test func aDivergentMirrorIsNamedAndResyncRepairsIt() throws {
        let postgres = try TestPostgres.shared()
        let url = try postgres.createDatabase("resync")
        let dir = try TemporaryDirectory(prefix: "cairn-mirror")
        let data = dir.file("data")
        try Data(ServeTests.text.utf8).write(to: URL(fileURLWithPath: dir.file("notes.txt")))
        let index = try CairnBinary.run(["index", "--data-dir", data, "--database-url", url, dir.file("notes.txt")])
        #expect(index.status == 0 && index.stderr.contains("mirror: up to date"), "\(index.stdout)\(index.stderr)")
        // An old backup restored over the mirror: rows lost, a stranger added.
        let pg = try PostgresConnection(url: PostgresURL(url))
        try pg.execute("DELETE FROM cairn.material_chunks")
        try pg.execute("INSERT INTO cairn.bulk_jobs (id, arguments, status, started_at) VALUES (999, 'x', 'completed', now())")
        let verify = try CairnBinary.run(["mirror", "verify", "--data-dir", data, "--database-url", url])
        #expect(verify.status == 1 && verify.stdout.contains("material_chunks id") && verify.stdout.contains("missing from the mirror"),
                "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("bulk_jobs id 999: in the mirror but not in the store"), "\(verify.stdout)")
        let resync = try CairnBinary.run(["mirror", "resync", "--data-dir", data, "--database-url", url])
        #expect(resync.status == 0 && resync.stdout.contains("removed 1 rows"), "\(resync.stdout)\(resync.stderr)")
        let after = try CairnBinary.run(["mirror", "verify", "--data-dir", data, "--database-url", url])
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
    }

    static func chunkIDs(_ json: String) -> [Int] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let results = object["results"] as? [[String: Any]] else { return [] }
        return results.compactMap { $0["chunk_id"] as? Int }
    }
}
