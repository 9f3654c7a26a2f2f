import CairnBench
import Foundation
import Testing

/// The JSON contract of `cairn bench embed`, reading a peer's file back, and the Cairn/peer ratios.
@Suite struct EmbedBenchReportTests {
    static let reportKeys: Set<String> = [
        "model", "dim", "max_tokens", "blas_core", "blas_warning", "simd", "texts", "queries", "documents",
        "batch", "repeats", "runs",
    ]
    static let runKeys: Set<String> = [
        "engine", "threads", "query_p50_ms", "query_p99_ms", "queries_per_s", "docs_per_s", "batch", "queries",
        "documents", "repeats", "max_tokens", "doc_tokens_mean", "query_tokens_mean", "runtime",
    ]

    static func run(_ engine: String, threads: Int, docs: Double, p50: Double) -> EmbedBenchRun {
        EmbedBenchRun(engine: engine, threads: threads, queryP50Ms: p50, queryP99Ms: 2 * p50, queriesPerS: 1000 / p50,
                      docsPerS: docs, batch: 32, queries: 512, documents: 320, repeats: 3)
    }

    static func report(runs: [EmbedBenchRun], peers: EmbedPeerComparison? = nil) -> EmbedBenchReport {
        EmbedBenchReport(model: "all-MiniLM-L6-v2", dim: 384, maxTokens: 256, blasCore: "SkylakeX", blasWarning: nil,
                         simd: "avx512", texts: "Benchmarks/texts", queries: 512, documents: 320, batch: 32,
                         repeats: 3, runs: runs, peers: peers)
    }

    static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func encodesExactlyTheContractKeys() throws {
        let json = try Self.object(Self.report(runs: [Self.run("cairn", threads: 1, docs: 70, p50: 2)]).jsonData())
        #expect(Set(json.keys) == Self.reportKeys)
        #expect(json["blas_warning"] is NSNull, "no warning is null, not missing")
        #expect(json["model"] as? String == "all-MiniLM-L6-v2")
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        #expect(Set(runs[0].keys) == Self.runKeys)
        #expect(runs[0]["engine"] as? String == "cairn")
        #expect(runs[0]["batch"] as? Int == 32)
        #expect(runs[0]["doc_tokens_mean"] is NSNull)
    }

    @Test func peersAreOneExtraKey() throws {
        var peers = EmbedPeerComparison()
        peers.errors = ["peer: torch is not installed"]
        let json = try Self.object(Self.report(runs: [], peers: peers).jsonData())
        #expect(Set(json.keys) == Self.reportKeys.union(["peers"]))
        let p = try #require(json["peers"] as? [String: Any])
        #expect(Set(p.keys) == ["runs", "ratios", "targets", "errors"])
        #expect(p["errors"] as? [String] == ["peer: torch is not installed"])
    }

    @Test func readsWhatEmbedPeerWrites() throws {
        // The shape of embed_peer.py's output, with a key Cairn does not know.
        let text = """
            {"engine": "onnxruntime", "threads": 2, "query_p50_ms": 1.8, "query_p99_ms": 3.5,
             "queries_per_s": 520.5, "docs_per_s": 131.2, "batch": 32, "queries": 512, "documents": 320,
             "repeats": 3, "max_tokens": 256, "doc_tokens_mean": 152.3, "query_tokens_mean": 12.2,
             "runtime": "onnxruntime 1.31.1", "extra": {"ignored": true}}
            """
        let run = try JSONDecoder().decode(EmbedBenchRun.self, from: Data(text.utf8))
        #expect(run.engine == "onnxruntime")
        #expect(run.threads == 2)
        #expect(run.docsPerS == 131.2)
        #expect(run.queryP50Ms == 1.8)
        #expect(run.docTokensMean == 152.3)
        let minimal = """
            {"engine": "torch", "threads": 1, "query_p50_ms": 4, "query_p99_ms": 9, "queries_per_s": 230,
             "docs_per_s": 31, "batch": 32, "queries": 512, "documents": 320, "repeats": 1}
            """
        let bare = try JSONDecoder().decode(EmbedBenchRun.self, from: Data(minimal.utf8))
        #expect(bare.runtime == nil && bare.maxTokens == nil)
    }

    @Test func roundTripsThroughJSON() throws {
        var peers = EmbedPeerComparison()
        peers.runs = [Self.run("onnxruntime", threads: 2, docs: 130, p50: 1.8)]
        peers.compare(cairn: [Self.run("cairn", threads: 2, docs: 140, p50: 1.5)])
        let report = Self.report(runs: [Self.run("cairn", threads: 2, docs: 140, p50: 1.5)], peers: peers)
        let back = try JSONDecoder().decode(EmbedBenchReport.self, from: report.jsonData())
        #expect(back == report)
        #expect(back.run(engine: "onnxruntime", threads: 2)?.docsPerS == 130)
    }

    @Test func ratiosAreCairnOverPeerAtTheSameThreads() throws {
        var peers = EmbedPeerComparison()
        peers.runs = [
            Self.run("onnxruntime", threads: 1, docs: 70, p50: 2.0),
            Self.run("onnxruntime", threads: 2, docs: 130, p50: 1.8),
            Self.run("torch", threads: 2, docs: 60, p50: 4.0),
            Self.run("torch", threads: 4, docs: 90, p50: 3.0),  // Cairn did not run 4 threads
        ]
        let cairn = [Self.run("cairn", threads: 1, docs: 77, p50: 2.2), Self.run("cairn", threads: 2, docs: 143, p50: 3.6)]
        peers.compare(cairn: cairn)
        #expect(peers.ratios.map(\.peer) == ["onnxruntime", "onnxruntime", "torch"])
        let ort2 = try #require(peers.ratios.first { $0.peer == "onnxruntime" && $0.threads == 2 })
        #expect(abs(ort2.docsPerSRatio! - 1.1) < 1e-12)
        #expect(abs(ort2.queryP50Ratio! - 2.0) < 1e-12)
        let torch = try #require(peers.ratios.first { $0.peer == "torch" })
        #expect(abs(torch.docsPerSRatio! - 143.0 / 60) < 1e-12)

        #expect(peers.targets.count == 2)
        let docs = try #require(peers.targets.first { $0.measure == "docs_per_s" })
        #expect(docs.threads == 2 && docs.peer == "onnxruntime" && docs.met == true)
        let p50 = try #require(peers.targets.first { $0.measure == "query_p50_ms" })
        #expect(p50.met == false, "3.6 ms against 1.8 ms is 2.0x, above the 1.5x bound")
    }

    @Test func noTargetsWithoutOnnxruntime() {
        var peers = EmbedPeerComparison()
        peers.runs = [Self.run("torch", threads: 2, docs: 60, p50: 4.0)]
        peers.compare(cairn: [Self.run("cairn", threads: 2, docs: 143, p50: 1.6)])
        #expect(peers.targets.isEmpty)
        #expect(peers.ratios.count == 1)
    }

    @Test func markdownListsEveryEngineAndTheTargets() {
        var peers = EmbedPeerComparison()
        peers.runs = [Self.run("onnxruntime", threads: 2, docs: 130, p50: 1.8)]
        peers.errors = ["peer: torch failed"]
        let cairn = [Self.run("cairn", threads: 2, docs: 143, p50: 1.6)]
        peers.compare(cairn: cairn)
        let doc = EmbedBenchMarkdown.document(Self.report(runs: cairn, peers: peers), command: "cairn bench embed --peers",
                                              date: Date(timeIntervalSince1970: 0))
        #expect(doc.contains("| cairn | 2 | 143.0 |"))
        #expect(doc.contains("| onnxruntime | 2 | 130.0 |"))
        #expect(doc.contains("| docs_per_s | 2 | 1.10 | >= 1.0 | yes |"))
        #expect(doc.contains("- peer: torch failed"))
        #expect(doc.contains("BLAS core SkylakeX"))
    }
}
