import CairnBench
import Foundation
import Testing

/// The JSON contract of `cairn bench index` and the comparison built from two engines' reports.
@Suite struct IndexBenchReportTests {
    static let contractKeys: Set<String> = [
        "engine", "n", "dim", "m", "ef_construction", "build_seconds", "build_threads", "build_seconds_1t",
        "bytes_per_vector", "load_seconds", "simd", "blas_core", "runs",
    ]
    static let runKeys: Set<String> = [
        "ef_search", "recall_at_1", "recall_at_10", "recall_at_100", "qps_1t", "qps_all", "p50_us", "p99_us",
    ]

    static func run(ef: Int, recall10: Double, qps: Double) -> IndexBenchRun {
        IndexBenchRun(efSearch: ef, recallAt1: 1, recallAt10: recall10, recallAt100: recall10 - 0.01,
                      qps1t: qps, qpsAll: 2 * qps, p50Us: 1e6 / qps, p99Us: 2e6 / qps)
    }

    static func report(engine: String = "cairn", build: Double = 2, bytes: Double = 1700,
                       runs: [IndexBenchRun]) -> IndexBenchReport {
        IndexBenchReport(engine: engine, n: 1000, dim: 8, m: 16, efConstruction: 64, buildSeconds: build,
                         buildThreads: 2, buildSeconds1t: nil, bytesPerVector: bytes, loadSeconds: 0.01,
                         simd: "avx512", blasCore: "SkylakeX", runs: runs)
    }

    static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func encodesExactlyTheContractKeys() throws {
        let r = Self.report(runs: [Self.run(ef: 10, recall10: 0.9, qps: 1000)])
        let json = try Self.object(r.jsonData())
        #expect(Set(json.keys) == Self.contractKeys)
        #expect(json["engine"] as? String == "cairn")
        #expect(json["build_seconds_1t"] is NSNull, "a skipped single-thread build is null, not missing")
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        #expect(Set(runs[0].keys) == Self.runKeys)
        #expect(runs[0]["ef_search"] as? Int == 10)
    }

    @Test func peersAreOneExtraKey() throws {
        let r = Self.report(runs: [Self.run(ef: 10, recall10: 0.9, qps: 1000)])
        var peers = PeerComparison()
        peers.errors = ["hnswlib: not installed"]
        let json = try Self.object(r.jsonData(peers: peers))
        #expect(Set(json.keys) == Self.contractKeys.union(["peers"]))
        let p = try #require(json["peers"] as? [String: Any])
        #expect(p["errors"] as? [String] == ["hnswlib: not installed"])
    }

    @Test func readsAPeerReportWithoutKernelFields() throws {
        let text = """
            {"engine": "hnswlib", "n": 10, "dim": 4, "m": 16, "ef_construction": 64, "build_seconds": 1.5,
             "build_threads": 2, "build_seconds_1t": null, "bytes_per_vector": 400, "load_seconds": 0.02,
             "runs": [{"ef_search": 10, "recall_at_1": 1, "recall_at_10": 0.95, "recall_at_100": 0.9,
                       "qps_1t": 100, "qps_all": 190, "p50_us": 9, "p99_us": 20}]}
            """
        let r = try JSONDecoder().decode(IndexBenchReport.self, from: Data(text.utf8))
        #expect(r.engine == "hnswlib")
        #expect(r.simd == nil && r.blasCore == nil && r.buildSeconds1t == nil)
        #expect(r.runs == [IndexBenchRun(efSearch: 10, recallAt1: 1, recallAt10: 0.95, recallAt100: 0.9,
                                         qps1t: 100, qpsAll: 190, p50Us: 9, p99Us: 20)])
        let again = try JSONDecoder().decode(IndexBenchReport.self, from: r.jsonData())
        #expect(again == r)
    }

    @Test func comparesAtRecallTargets() {
        let cairn = Self.report(build: 3, bytes: 1800, runs: [
            Self.run(ef: 10, recall10: 0.90, qps: 5000), Self.run(ef: 64, recall10: 0.96, qps: 3000),
            Self.run(ef: 100, recall10: 0.97, qps: 2000), Self.run(ef: 400, recall10: 0.995, qps: 600),
        ])
        let hnswlib = Self.report(engine: "hnswlib", build: 2, bytes: 1500, runs: [
            Self.run(ef: 10, recall10: 0.91, qps: 4000), Self.run(ef: 64, recall10: 0.94, qps: 2500),
            Self.run(ef: 100, recall10: 0.955, qps: 1500), Self.run(ef: 400, recall10: 0.98, qps: 500),
        ])
        var p = PeerComparison()
        p.compare(cairn: cairn, hnswlib: hnswlib)
        #expect(p.runs.map(\.efSearch) == [10, 64, 100, 400])
        #expect(p.runs[0].qps1tRatio == 5000.0 / 4000.0)
        let at95 = p.atRecall[0]
        #expect(at95.recallAt10 == 0.95)
        #expect(at95.cairnEfSearch == 64 && at95.cairnQps1t == 3000)
        #expect(at95.hnswlibEfSearch == 100 && at95.hnswlibQps1t == 1500)
        #expect(at95.ratio == 2)
        let at99 = p.atRecall[1]
        #expect(at99.cairnEfSearch == 400 && at99.hnswlibQps1t == nil && at99.ratio == nil)
        #expect(p.buildSecondsRatio == 1.5)
        #expect(p.bytesPerVectorRatio == 1.2)
        #expect(p.buildSeconds1tRatio == nil)
        let markdown = IndexBenchMarkdown.comparison(cairn, p)
        #expect(markdown.contains("| QPS 1t at recall@10 ≥ 0.95 | 3000 (ef 64) | 1500 (ef 100) | 2.00 |"))
        #expect(markdown.contains("not reached"))
    }
}
