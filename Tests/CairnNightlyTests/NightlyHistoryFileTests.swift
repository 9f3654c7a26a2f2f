import CairnIngest
import CairnNightly
import CairnSQL
import Foundation
import Testing
import TestSupport

/// The JSON-lines history: appends give ids in order and read back equal; a torn or foreign line is named
/// and skipped; the comparable runs of a read history are those of its machine kind.
@Suite struct NightlyHistoryFileTests {
    @Test func appendedRunsReadBackEqualWithIdsInOrder() throws {
        let dir = try TemporaryDirectory()
        let file = NightlyHistoryFile(dataDirectory: dir.path)
        #expect(try file.read().runs.isEmpty)
        var written: [NightlyRun] = []
        for day in 1...3 {
            var run = RegressionRulesTests.run(0, day: day)
            run.regressions = RegressionRules().regressions(of: run, history: written)
            written.append(try file.append(run))
        }
        #expect(written.map(\.id) == [1, 2, 3])
        let back = try file.read()
        #expect(back.runs == written && back.problems.isEmpty)
        #expect(file.path.hasSuffix("/benchmarks/history.jsonl"))
        // A run that already has an id keeps it.
        #expect(try file.append(RegressionRulesTests.run(10, day: 4)).id == 10)
        #expect(try file.append(RegressionRulesTests.run(0, day: 5)).id == 11)
    }

    @Test func aTornOrForeignLineIsNamedAndSkipped() throws {
        let dir = try TemporaryDirectory()
        let file = NightlyHistoryFile(dataDirectory: dir.path)
        try file.append(RegressionRulesTests.run(0, day: 1))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"id\": 2, \"started".utf8))  // torn: no newline
        try handle.close()
        try file.append(RegressionRulesTests.run(0, day: 2))
        let back = try file.read()
        #expect(back.runs.map(\.id) == [1, 2])
        #expect(back.problems.count == 1 && back.problems[0].hasPrefix("history.jsonl line 2: not a run"), "\(back.problems)")
    }
}

/// The store's table is the record: ids come from it, runs read back equal (newest `limit` too), and the
/// file beside it holds the same runs.
@Suite struct NightlyHistoryTests {
    @Test func runsAreRecordedInTheStoreAndTheFile() throws {
        let dir = try TemporaryDirectory()
        let store = try MaterialStore(dataDirectory: dir.path)
        let history = NightlyHistory(database: store.database, file: NightlyHistoryFile(dataDirectory: dir.path))
        var recorded: [NightlyRun] = []
        for day in 1...4 {
            var run = RegressionRulesTests.run(0, day: day, scale: day == 4 ? ["serve/retrieve p50": 1.5] : [:])
            run.regressions = RegressionRules(minimumRuns: 2).regressions(of: run, history: recorded)
            recorded.append(try history.append(run))
        }
        #expect(recorded.map(\.id) == [1, 2, 3, 4])
        #expect(recorded[3].regressions.map(\.figure) == ["serve/retrieve p50"])
        #expect(try history.runs() == recorded)
        #expect(try history.runs(limit: 2) == Array(recorded.suffix(2)))
        #expect(try history.file.read().runs == recorded)
        let kinds = try store.database.query("SELECT DISTINCT machine_kind FROM benchmark_runs").map { try $0.get(0) as String }
        #expect(kinds == [RegressionRulesTests.zen2.kind])
    }
}
