import CairnIngest
import CairnNightly
import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `GET /v1/benchmarks` and `GET /v1/benchmarks/report`: the nightly history of the server's data directory,
/// admin keys only, newest first, with `limit` checked (every JSON response checked against the OpenAPI
/// document by the harness).
@Suite(.serialized) struct BenchmarkRouteTests {
    static func run(day: Int, qps: Double) -> NightlyRun {
        NightlyRun(
            startedAt: String(format: "2026-12-%02dT02:00:00Z", day), commit: "abc\(day)",
            machine: MachineInfo(cpuModel: "AMD EPYC", simd: "avx2", blasCore: "Zen", cores: 2, memoryGiB: 24),
            loadBefore: 0.2, loadAfter: 1.5, wallSeconds: 1_800,
            sections: [.init(name: "index", seconds: 600, status: .ok, missingPeers: ["usearch"], curves: [
                RecallCurve(engine: "cairn", dataset: "100k/64", points: [.init(ef: 64, recall: 0.96, qps: qps)]),
            ]), .init(name: "serve", seconds: 0, status: .skipped, detail: "not selected (--sections)")],
            figures: [BenchFigure(section: "index", name: "qps@recall0.95 100k/64", kind: .throughput, value: qps,
                                  unit: "q/s", peer: "hnswlib", peerValue: 4_000),
                      BenchFigure(section: "index", name: "recall@10 ef 64 100k/64", kind: .recall, value: 0.96,
                                  unit: "recall")],
            regressions: day == 3 ? [Regression(figure: "index/qps@recall0.95 100k/64", rule: .median, value: 0.8,
                                                reference: 1.25, worseBy: 0.36, peer: "hnswlib", againstRuns: [1, 2])] : [])
    }

    @Test func adminsReadTheHistoryAndTheReport() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let empty = try await api.request(.get, "/v1/benchmarks", key: api.admin)
            #expect(empty.status == 200 && (empty.json["data"] as? [Any])?.isEmpty == true, "\(empty.text)")
            let store = try MaterialStore(dataDirectory: harness.dir.file("data"))
            let history = NightlyHistory(database: store.database,
                                         file: NightlyHistoryFile(dataDirectory: harness.dir.file("data")))
            for (day, qps) in [(1, 5_000.0), (2, 5_100), (3, 3_200)] { try history.append(Self.run(day: day, qps: qps)) }

            let all = try await api.request(.get, "/v1/benchmarks", key: api.admin)
            #expect(all.status == 200, "\(all.text)")
            let runs = try #require(all.json["data"] as? [[String: Any]])
            #expect(runs.map { $0["commit"] as? String } == ["abc3", "abc2", "abc1"])
            let newest = runs[0]
            #expect((newest["machine"] as? [String: Any])?["kind"] as? String == "AMD EPYC · avx2 · 2 cores")
            let figure = try #require((newest["figures"] as? [[String: Any]])?.first)
            #expect(figure["key"] as? String == "index/qps@recall0.95 100k/64" && figure["ratio"] as? Double == 0.8)
            #expect((newest["regressions"] as? [[String: Any]])?.first?["line"] as? String
                == "REGRESSION index/qps@recall0.95 100k/64 (ratio to hnswlib): 0.8 is 36.0 % worse than 1.25, the median of runs 1, 2")
            let sections = try #require(newest["sections"] as? [[String: Any]])
            #expect(sections[0]["missing_peers"] as? [String] == ["usearch"] && sections[1]["status"] as? String == "skipped")
            #expect(((sections[0]["curves"] as? [[String: Any]])?.first?["points"] as? [[String: Any]])?.first?["qps"]
                as? Double == 3_200)

            let one = try await api.request(.get, "/v1/benchmarks?limit=1", key: api.admin)
            #expect((one.json["data"] as? [[String: Any]])?.map { $0["id"] as? Int } == [3])
            for bad in ["limit=0", "limit=1001", "limit=x", "since=1"] {
                let response = try await api.request(.get, "/v1/benchmarks?\(bad)", key: api.admin)
                #expect(response.status == 400, "\(bad): \(response.text)")
                #expect(response.json["error"] != nil)
            }
            let coach = try api.key(harness, role: .coach, tenant: "A")
            #expect(try await api.request(.get, "/v1/benchmarks", key: coach).status == 403)
            #expect(try await api.request(.get, "/v1/benchmarks/report", key: coach).status == 403)
            #expect(try await api.request(.get, "/v1/benchmarks/report").status == 401)

            let page = try await api.request(.get, "/v1/benchmarks/report", key: api.admin)
            #expect(page.status == 200 && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("1 regression in run 3") && page.text.contains("<svg class=\"chart\""))
            #expect(!page.text.contains("<script"))
        }
    }
}
