import CairnHTTP
import CairnIndex
import CairnSQL
import CairnStorage
import CairnVectorMath
import Foundation
import Glibc
import Testing
import TestSupport

/// `cairn serve` as a process: graceful shutdown, an upload that survives `kill -9` after its 202, writing
/// commands refused while it holds the data directory, and start-up settings refused by name.
@Suite(.serialized) struct ServeTests {
    static let text = """
        Photosynthesis takes place in the chloroplasts. Light energy splits water, releasing oxygen, and the Calvin \
        cycle fixes carbon dioxide into sugar.
        """

    static func waitForJob(_ server: ServerProcess, _ id: Int, key: String) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(120)
        while true {
            let job = ServerProcess.json(try await server.send(.get, "/v1/jobs/\(id)", key: key))
            if ["completed", "failed", "cancelled"].contains(job["status"] as? String ?? "") || Date() > deadline {
                return job
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func sigtermFinishesWorkCheckpointsAndExitsZero() async throws {
        let dir = try TemporaryDirectory(prefix: "cairn-serve")
        let data = dir.file("data")
        let server = try ServerProcess.start(dataDirectory: data)
        let key = try #require(server.adminKey)
        #expect(server.output.contains("curl -s \(server.url)/v1/retrieve -H 'Authorization: Bearer \(key)'"))
        let up = try await server.upload(key: key, files: [("notes.txt", Array(Self.text.utf8))], fields: [("owner_id", "t")])
        #expect(up.status == 202, "\(up.bodyText)")
        let job = try await Self.waitForJob(server, ServerProcess.json(up)["job_id"] as! Int, key: key)
        #expect(job["status"] as? String == "completed")
        server.signal(SIGTERM)
        #expect(server.wait() == 0, "\(server.log.suffix(2000))")
        #expect(server.log.contains("chunk index checkpointed"))
        // The next start maps the checkpoint: nothing to replay, no new admin key.
        let again = try ServerProcess.start(dataDirectory: data)
        #expect(again.adminKey == nil)
        let ready = ServerProcess.json(try await again.send(.get, "/readyz"))
        #expect((ready["index"] as? [String: Any])?["wal_records"] as? Int == 0)
        #expect((ready["index"] as? [String: Any])?["vectors"] as? Int == 1)
        again.signal(SIGINT)
        #expect(again.wait() == 0)
    }

    @Test func anUploadAcknowledgedBeforeAKillIsProcessedAfterTheRestart() async throws {
        let dir = try TemporaryDirectory(prefix: "cairn-serve")
        let data = dir.file("data")
        let server = try ServerProcess.start(dataDirectory: data, arguments: ["--config", Self.slowIngest(dir)])
        let key = try #require(server.adminKey)
        let long = (0..<40).map { "Paragraph \($0). " + Self.text }.joined(separator: "\n\n")
        let up = try await server.upload(key: key, files: [("long.txt", Array(long.utf8)), ("short.txt", Array(Self.text.utf8))],
                                         fields: [("owner_id", "t")])
        #expect(up.status == 202)
        server.signal(SIGKILL)
        #expect(server.wait() != nil)
        let body = ServerProcess.json(up)
        let jobID = try #require(body["job_id"] as? Int)
        let materialIDs = (body["files"] as? [[String: Any]] ?? []).compactMap { $0["material_id"] as? Int }
        // The job had not finished when the server died.
        let db = try SQLiteDatabase(path: data + "/cairn.sqlite3")
        let status = try db.queryValue("SELECT status FROM ingest_jobs WHERE id = ?", [.int(jobID)], as: String.self)
        #expect(status == "queued" || status == "running", "\(status ?? "nil")")

        let restarted = try ServerProcess.start(dataDirectory: data)
        let job = try await Self.waitForJob(restarted, jobID, key: key)
        #expect(job["status"] as? String == "completed", "\(job)")
        #expect(Set(job["material_ids"] as? [Int] ?? []) == Set(materialIDs))
        let found = ServerProcess.json(try await restarted.send(.post, "/v1/retrieve", key: key,
                                                                 json: ["query": "What does the Calvin cycle fix?"]))
        #expect(!((found["results"] as? [Any]) ?? []).isEmpty)
        restarted.signal(SIGTERM)
        #expect(restarted.wait() == 0)
    }

    /// A configuration that makes ingestion small-batched, so a job is still running when the test kills it.
    static func slowIngest(_ dir: TemporaryDirectory) throws -> String {
        let path = dir.file("slow.json")
        try "{\"ingest\": {\"batch\": 2, \"threads\": 1}}".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func writingCommandsAreRefusedNamingTheServerAndTheCallToUse() async throws {
        let dir = try TemporaryDirectory(prefix: "cairn-serve")
        let data = dir.file("data")
        try Self.text.write(toFile: dir.file("a.txt"), atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDirectory: data)
        let holder = "cairn serve (pid \(server.pid), \(server.url))"
        let index = try CairnBinary.run(["index", dir.file("a.txt"), "--data-dir", data])
        #expect(index.status != 0)
        #expect(index.stderr.contains(holder) && index.stderr.contains("\(server.url)/v1/materials"), "\(index.stderr)")
        let search = try CairnBinary.run(["search", "sugar", "--data-dir", data])
        #expect(search.status != 0 && search.stderr.contains("POST \(server.url)/v1/retrieve"), "\(search.stderr)")
        let vectors = try CairnBinary.run(["vectors", "add", "--synthetic", "10", "--dim", "4", "--data-dir", data])
        #expect(vectors.status != 0 && vectors.stderr.contains(holder), "\(vectors.stderr)")
        let info = try CairnBinary.run(["info", "--data-dir", data])
        #expect(info.status == 0 && info.stdout.contains(holder))
        // Keys are not index writes: they work beside a running server.
        let keys = try CairnBinary.run(["keys", "list", "--data-dir", data])
        #expect(keys.status == 0 && keys.stdout.contains("admin"))
        // A second server is refused at once, before listening.
        let second = try CairnBinary.run(["serve", "--data-dir", data, "--port", "0"])
        #expect(second.status != 0 && second.stderr.contains(holder), "\(second.stderr)")
        server.signal(SIGTERM)
        #expect(server.wait() == 0)
        let after = try CairnBinary.run(["index", dir.file("a.txt"), "--data-dir", data])
        #expect(after.status == 0, "\(after.stderr)")
    }

    @Test func outOfRangeSettingsAreRefusedAtStartUpByName() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-serve")
        let port = try CairnBinary.run(["serve", "--data-dir", dir.path, "--port", "70000"])
        #expect(port.status != 0 && port.stderr.contains("port = 70000 (from --port) is out of range 0...65535"),
                "\(port.stderr)")
        let env = try CairnBinary.run(["serve", "--data-dir", dir.path], environment: ["CAIRN_MAX_JSON_BYTES": "12"])
        #expect(env.status != 0 && env.stderr.contains("limits.json_bytes = \"12\" (from CAIRN_MAX_JSON_BYTES)"),
                "\(env.stderr)")
        let help = try CairnBinary.run(["serve", "--help"])
        #expect(help.status == 0 && help.stdout.contains("Run the retrieval service") && help.stdout.contains("CAIRN_PORT"))
    }
}

/// The command line itself: keys, unknown commands, the model from any directory, honest lock messages.
@Suite(.serialized) struct CommandLineTests {
    @Test func keysAreCreatedListedAndRevoked() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-keys")
        let created = try CairnBinary.run(["keys", "create", "--role", "coach", "--tenant", "class-7b", "--name", "tutor",
                                           "--data-dir", dir.path])
        #expect(created.status == 0)
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("cairn_") && secret.count == 46 && !secret.contains("\n"), "\(created.stdout)")
        let list = try CairnBinary.run(["keys", "list", "--json", "--data-dir", dir.path])
        #expect(list.stdout.contains("\"tenant\":\"class-7b\"") && !list.stdout.contains(secret))
        #expect(try CairnBinary.run(["keys", "revoke", "1", "--data-dir", dir.path]).status == 0)
        #expect(try CairnBinary.run(["keys", "revoke", "1", "--data-dir", dir.path]).status != 0)
        let noTenant = try CairnBinary.run(["keys", "create", "--role", "coach", "--data-dir", dir.path])
        #expect(noTenant.status != 0 && noTenant.stderr.contains("--tenant"))
    }

    @Test func anUnknownCommandIsNamedWithTheNearestOne() throws {
        let typo = try CairnBinary.run(["serch", "x"])
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("'serch' is not a command. Did you mean 'search'?"), "\(typo.stderr)")
        let far = try CairnBinary.run(["frobnicate"])
        #expect(far.status == 64 && !far.stderr.contains("Did you mean"))
        #expect(try CairnBinary.run(["--help"]).stdout.contains("serve"))
    }

    @Test func theBuiltInModelIsFoundFromAnyWorkingDirectory() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-elsewhere")
        let run = try CairnBinary.run(["embed", "What is osmosis?", "--data-dir", dir.file("data")], directory: "/",
                                      removing: ["CAIRN_MODEL_DIR", "CAIRN_DATA_DIR"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("384"))
    }

    @Test func aLockConflictSaysWhoHoldsTheIndexAndNothingAboutModels() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-lock")
        let held = try DurableIndex.open(directory: dir.file("chunk-index"),
                                         configuration: IndexConfiguration(dimension: 384, metric: .cosine))
        let search = try CairnBinary.run(["search", "x", "--data-dir", dir.path])
        #expect(search.status != 0)
        #expect(search.stderr.contains("in use by another Cairn process (pid \(getpid()))"), "\(search.stderr)")
        #expect(!search.stderr.contains("embedding model"), "\(search.stderr)")
        withExtendedLifetime(held) {}
    }
}
