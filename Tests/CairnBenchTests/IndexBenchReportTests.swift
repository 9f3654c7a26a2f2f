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
            Self.run(ef: 10, recall10: 0.90, qps: 5000), Self.run(ef: 32, recall10: 0.94, qps: 4000),
            Self.run(ef: 64, recall10: 0.96, qps: 1000), Self.run(ef: 400, recall10: 0.995, qps: 600),
        ])
        let hnswlib = Self.report(engine: "hnswlib", build: 2, bytes: 1500, runs: [
            Self.run(ef: 10, recall10: 0.91, qps: 4000), Self.run(ef: 64, recall10: 0.94, qps: 2500),
            Self.run(ef: 100, recall10: 0.95, qps: 1500), Self.run(ef: 400, recall10: 0.98, qps: 500),
        ])
        let faiss = Self.report(engine: "faiss", build: 4, bytes: 1600, runs: [
            Self.run(ef: 10, recall10: 0.85, qps: 9000), Self.run(ef: 40, recall10: 0.93, qps: 3200),
            Self.run(ef: 80, recall10: 0.97, qps: 800),
        ])
        var p = PeerComparison()
        p.add(hnswlib, cairn: cairn)
        p.add(faiss, cairn: cairn)
        #expect(p.peerReports.map(\.engine) == ["hnswlib", "faiss"])
        #expect(p.runs.map(\.efSearch) == [10, 64, 400], "per-ef rows pair Cairn with hnswlib")
        #expect(p.runs[0].qps1tRatio == 5000.0 / 4000.0)
        #expect(p.atRecall.map(\.recallAt10) == [0.90, 0.95, 0.99])

        // 0.90: Cairn's ef 10 run is exactly on target; hnswlib's first run is above it (not extrapolated
        // upwards); faiss interpolates between 0.85 and 0.93 geometrically.
        let at90 = p.atRecall[0]
        #expect(at90.cairnQps1t == 5000 && at90.cairnEfSearch == 10)
        #expect(at90.hnswlibQps1t == 4000 && at90.hnswlibEfSearch == 10)
        let faiss90 = try! #require(at90.faissQps1t)
        #expect(abs(faiss90 - 9000 * pow(3200.0 / 9000, 5.0 / 8)) < 1e-6)
        #expect(at90.faissEfSearch == 40)

        // 0.95: halfway between 0.94 and 0.96 → the geometric mean; hnswlib exactly at its ef 100.
        let at95 = p.atRecall[1]
        #expect(abs(at95.cairnQps1t! - 2000) < 1e-6 && at95.cairnEfSearch == 64)
        #expect(at95.hnswlibQps1t == 1500 && at95.hnswlibEfSearch == 100)
        #expect(abs(at95.faissQps1t! - 1600) < 1e-6 && at95.faissEfSearch == 80)
        #expect(at95.bestPeer == "faiss" && abs(at95.bestPeerQps1t! - 1600) < 1e-6)
        #expect(abs(at95.ratioVsBestPeer! - 1.25) < 1e-9 && abs(at95.ratio! - 2000.0 / 1500) < 1e-9)

        // 0.99: only Cairn reaches it.
        let at99 = p.atRecall[2]
        #expect(at99.cairnEfSearch == 400 && at99.hnswlibQps1t == nil && at99.faissQps1t == nil)
        #expect(at99.bestPeer == nil && at99.ratioVsBestPeer == nil && at99.ratio == nil)

        #expect(p.buildSecondsRatio == 1.5)
        #expect(p.fastestBuildPeer == "hnswlib" && p.buildSecondsRatioVsBestPeer == 1.5)
        #expect(p.bytesPerVectorRatio == 1.2)
        #expect(p.buildSeconds1tRatio == nil)
        let markdown = IndexBenchMarkdown.comparison(cairn, p)
        #expect(markdown.contains("| QPS 1t at recall@10 0.95 | 2000 (ef 64) | 1500 (ef 100) | 1600 (ef 80) | 1.25 (faiss) | ≥ 1.0 |"))
        #expect(markdown.contains("not reached"))
        #expect(markdown.contains("| bytes per vector | 1800.0 | 1500.0 | 1600.0 | 1.20 (hnswlib) |"))
    }

    @Test func qpsAtRecallNeverExtrapolates() {
        let runs = [Self.run(ef: 10, recall10: 0.80, qps: 8000), Self.run(ef: 20, recall10: 0.90, qps: 4000)]
        #expect(PeerComparison.qps(runs, at: 0.91) == nil)
        #expect(PeerComparison.qps(runs, at: 0.90)?.qps == 4000)
        #expect(PeerComparison.qps([], at: 0.5) == nil)
        // A non-monotone curve: the best point reaching the target counts.
        let bumpy = runs + [Self.run(ef: 40, recall10: 0.89, qps: 3000), Self.run(ef: 80, recall10: 0.95, qps: 1000)]
        #expect(PeerComparison.qps(bumpy, at: 0.90)?.qps == 4000)
    }

    @Test func sweepMarkdownListsEveryEngineAndMissedTargets() {
        let cairn = Self.report(build: 3, bytes: 1800, runs: [
            Self.run(ef: 10, recall10: 0.90, qps: 5000), Self.run(ef: 64, recall10: 0.96, qps: 1000),
        ])
        let hnswlib = Self.report(engine: "hnswlib", build: 2, bytes: 1500, runs: [
            Self.run(ef: 10, recall10: 0.95, qps: 3000),
        ])
        var p = PeerComparison()
        p.add(hnswlib, cairn: cairn)
        let report = IndexSweepReport(
            entries: [IndexSweepEntry(n: 1000, efConstruction: 64, cairn: cairn, peers: p)], simd: "avx2", blasCore: "Zen")
        let text = IndexSweepMarkdown.document(report, command: "cairn bench index --sizes 1000", date: Date(timeIntervalSince1970: 0))
        #expect(text.contains("## n = 1000"))
        let expected90 = "| 64 | QPS 1t at recall@10 0.90 | 5000 (ef 10) | 3000 (ef 10) | – | – | 1.67 (hnswlib) | ≥ 1.0 |"
        #expect(text.contains(expected90))
        #expect(text.contains("| 64 | QPS 1t at recall@10 0.99 | not reached | not reached | – | – | – | ≥ 1.0 |"))
        #expect(text.contains("| ef_search | Cairn | hnswlib |"))
        #expect(text.contains("| 10 | 0.9000 / 5000 | 0.9500 / 3000 |"))
        #expect(text.contains("| 64 | 0.9600 / 1000 | – |"))
        #expect(text.contains("n = 1000, ef_c = 64: build is 1.50 × hnswlib"))
        #expect(text.contains("n = 1000, ef_c = 64: bytes per vector are 1.20 × hnswlib"))
        #expect(IndexSweepMarkdown.missedTargets(report).count == 3, "QPS at 0.95 (≈ 0.44 ×), build, bytes")
    }
}
