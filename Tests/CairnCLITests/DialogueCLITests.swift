import CairnHTTP
import CairnDialogue
import CairnIngest
import CairnSQL
import Foundation
import TestSupport
import Testing

/// `cairn metrics rollup`, `cairn report` and `cairn retention run` as an operator runs them.
@Suite(.serialized) struct DialogueCLITests {
    @Test func rollupReportAndRetentionFromTheCommandLine() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-dialogue-cli")
        let data = dir.file("data")
        try "Osmosis moves water across a membrane toward more solute.".write(toFile: dir.file("old.txt"), atomically: true,
                                                                             encoding: .utf8)
        try "Newton's second law: force equals mass times acceleration.".write(toFile: dir.file("new.txt"),
                                                                              atomically: true, encoding: .utf8)
        let old = try CairnBinary.run(["index", "--data-dir", data, "--owner", "A", "--retention-years", "2",
                                       "--acquired-at", "2020-06-01", dir.file("old.txt")])
        #expect(old.status == 0, "\(old.stderr)")
        let new = try CairnBinary.run(["index", "--data-dir", data, "--owner", "A", dir.file("new.txt")])
        #expect(new.status == 0, "\(new.stderr)")
        // Answers on two days, recorded as the server would.
        let store = try MaterialStore(dataDirectory: data)
        let dialogues = try DialogueStore(databasePath: store.path)
        let chunk = try #require(try store.database.queryValue("SELECT min(id) FROM material_chunks", as: Int64.self))
        for (i, day) in ["2026-11-01", "2026-11-01", "2026-11-02"].enumerated() {
            var input = DialogueInput(tenant: "A", userID: "u\(i)", sessionID: "s", query: "q", response: "Water moves [1].",
                                      modelUsed: "gpt-4o-mini", citations: [.init(chunkID: chunk, marker: "[1]")],
                                      latencyTotalMilliseconds: Double(500 + 1_000 * i), promptTokens: 1_000,
                                      completionTokens: 100)
            input.createdAt = ISO8601DateFormatter().date(from: day + "T10:00:00Z")
            try dialogues.record(input, retrieval: nil, prices: .standard)
        }
        let rollup = try CairnBinary.run(["metrics", "rollup", "--data-dir", data, "--all", "--json"])
        #expect(rollup.status == 0, "\(rollup.stderr)")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(rollup.stdout.utf8)) as? [String: Any])
        #expect(first["days"] as? Int == 2 && first["answers"] as? Int == 3 && first["written"] as? Int == 2, "\(first)")
        let again = try CairnBinary.run(["metrics", "rollup", "--data-dir", data, "--from", "2026-11-01", "--to",
                                         "2026-11-02", "--json"])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(second["written"] as? Int == 0 && second["unchanged"] as? Int == 2, "\(second)")
        // An SLO from a configuration file changes the verdicts (and so rewrites the rows).
        try #"{"slo": {"latency_p95_ms": 100}}"#.write(toFile: dir.file("cairn.json"), atomically: true, encoding: .utf8)
        let strict = try CairnBinary.run(["metrics", "rollup", "--data-dir", data, "--all", "--json", "--config",
                                          dir.file("cairn.json")])
        let third = try #require(try JSONSerialization.jsonObject(with: Data(strict.stdout.utf8)) as? [String: Any])
        #expect(third["written"] as? Int == 2, "\(third)")
        let verdict = try store.database.queryValue("SELECT slo_compliance FROM rag_metrics_history WHERE day = '2026-11-01'",
                                                    as: String.self) ?? ""
        #expect(verdict.contains("\"target\":100") && verdict.contains("\"met\":false"), "\(verdict)")
        let bad = try CairnBinary.run(["metrics", "rollup", "--data-dir", data, "--from", "2026-13-01"])
        #expect(bad.status != 0 && bad.stderr.contains("2026-13-01"))

        let report = try CairnBinary.run(["report", "--data-dir", data, "--from", "2026-11-01", "--to", "2026-11-02",
                                          "--out", dir.file("report.html")])
        #expect(report.status == 0 && report.stdout.contains("3 answers"), "\(report.stdout) \(report.stderr)")
        let html = try String(contentsOfFile: dir.file("report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("old.txt") && !html.contains("<script"))

        let retention = try CairnBinary.run(["retention", "run", "--data-dir", data, "--json"])
        #expect(retention.status == 0, "\(retention.stderr)")
        let purge = try #require(try JSONSerialization.jsonObject(with: Data(retention.stdout.utf8)) as? [String: Any])
        #expect(purge["materials"] as? Int == 1, "\(purge)")
        let left = try store.database.query("SELECT filename FROM materials").compactMap { $0[0].string }
        #expect(left == ["new.txt"])
        let search = try CairnBinary.run(["search", "--data-dir", data, "--json", "osmosis membrane"])
        #expect(!search.stdout.contains("old.txt"))
        // The dialogue still cites it by its snapshot.
        let cited = try store.database.queryValue("SELECT citations FROM ai_dialogue_log LIMIT 1", as: String.self) ?? ""
        #expect(cited.contains("old.txt"))
        let nothing = try CairnBinary.run(["retention", "run", "--data-dir", data])
        #expect(nothing.stdout.contains("nothing to purge"))
    }
}

/// Prompt templates checked from the command line, and a bad one refused at start-up naming file and line.
@Suite struct PromptsCLITests {
    @Test func checkRendersTheBuiltInTemplatesAndABadDirectoryStopsTheServer() throws {
        let ok = try CairnBinary.run(["prompts", "check"])
        #expect(ok.status == 0 && ok.stdout.contains("── system ──") && ok.stdout.contains("[1] Biology 7, page 12"),
                "\(ok.stdout) \(ok.stderr)")
        let dir = try TemporaryDirectory(prefix: "cairn-prompts")
        for file in ["coach_system.txt", "context_chunk.txt", "user_message.txt"] {
            let source = try RepositoryFile.path("prompts/" + file)
            try FileManager.default.copyItem(atPath: source, toPath: dir.file(file))
        }
        #expect(try CairnBinary.run(["prompts", "check", "--dir", dir.path]).status == 0)
        try "[{{marker}}] {{title}}\n{{content}} {{page_nr}}\n".write(toFile: dir.file("context_chunk.txt"), atomically: true,
                                                                     encoding: .utf8)
        let bad = try CairnBinary.run(["prompts", "check", "--dir", dir.path])
        #expect(bad.status != 0 && bad.stderr.contains("context_chunk.txt, line 2")
            && bad.stderr.contains("unknown placeholder \"page_nr\""), "\(bad.stderr)")
        let serve = try CairnBinary.run(["serve", "--data-dir", dir.file("data"), "--port", "0"],
                                        environment: ["CAIRN_PROMPTS_DIR": dir.path])
        #expect(serve.status != 0 && serve.stderr.contains("prompts_dir") && serve.stderr.contains("page_nr"),
                "\(serve.stderr)")
    }
}

/// Dialogues and feedback acknowledged by `cairn serve` survive `kill -9`, and answers keep joining their
/// retrievals across it.
@Suite(.serialized) struct DialogueCrashTests {
    @Test func acknowledgedDialoguesAndFeedbackSurviveKill9() async throws {
        let dir = try TemporaryDirectory(prefix: "cairn-dialogue-kill")
        let data = dir.file("data")
        let server = try ServerProcess.start(dataDirectory: data)
        let key = try #require(server.adminKey)
        var ids: [Int] = []
        // Concurrent recorders, each request acknowledged before the kill.
        try await withThrowingTaskGroup(of: [Int].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var mine: [Int] = []
                    for i in 0..<25 {
                        let r = try await server.send(.post, "/v1/dialogues", key: key, json: [
                            "user_id": "u\(worker)", "session_id": "s\(i)", "query": "q", "response": "An answer.",
                            "model_used": "gpt-4o-mini", "latency_ms": ["total": 100 + i], "prompt_tokens": 10,
                            "completion_tokens": 5, "tenant": "T",
                        ])
                        if r.status == 201, let id = ServerProcess.json(r)["id"] as? Int { mine.append(id) }
                    }
                    return mine
                }
            }
            for try await batch in group { ids += batch }
        }
        #expect(ids.count == 100)
        let feedback = try await server.send(.post, "/v1/dialogues/\(ids[0])/feedback", key: key, json: ["user_feedback": 1])
        #expect(feedback.status == 200)
        server.signal(SIGKILL)
        #expect(server.wait() != nil)
        let restarted = try ServerProcess.start(dataDirectory: data)
        for id in ids {
            let r = try await restarted.send(.get, "/v1/dialogues/\(id)", key: key)
            #expect(r.status == 200, "dialogue \(id) lost")
        }
        let first = ServerProcess.json(try await restarted.send(.get, "/v1/dialogues/\(ids[0])", key: key))
        #expect(first["user_feedback"] as? Int == 1)
        restarted.signal(SIGTERM)
        #expect(restarted.wait() == 0)
    }
}
