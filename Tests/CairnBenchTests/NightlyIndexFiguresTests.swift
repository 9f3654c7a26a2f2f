@testable import CairnBench
import CairnNightly
import Testing

/// An index pair becomes the nightly's figures: queries/s at each recall against the fastest peer there,
/// the int8 walk against hnswlib, recall at the default ef, build against the fastest build, load and size.
@Suite struct NightlyIndexFiguresTests {
    static func report(_ engine: String, build: Double, qps: [(ef: Int, recall: Double, qps: Double)]) -> IndexBenchReport {
        IndexBenchReport(engine: engine, n: 100_000, dim: 384, m: 16, efConstruction: 64, buildSeconds: build, buildThreads: 2,
                         buildSeconds1t: nil, bytesPerVector: 1_700, loadSeconds: 0.05, simd: nil, blasCore: nil,
                         runs: qps.map { IndexBenchRun(efSearch: $0.ef, recallAt1: 1, recallAt10: $0.recall, recallAt100: 1,
                                                       qps1t: $0.qps, qpsAll: $0.qps, p50Us: 1, p99Us: 1) })
    }

    @Test func figuresOfOnePair() throws {
        let cairn = Self.report("cairn", build: 14, qps: [(32, 0.90, 6_000), (64, 0.95, 4_000), (128, 0.97, 2_500)])
        var peers = PeerComparison()
        peers.hnswlib = Self.report("hnswlib", build: 16, qps: [(32, 0.88, 6_500), (64, 0.95, 3_000), (128, 0.97, 2_000)])
        peers.faiss = Self.report("faiss", build: 15, qps: [(32, 0.90, 5_000), (64, 0.951, 3_500), (128, 0.97, 2_200)])
        var entry = IndexSweepEntry(n: 100_000, efConstruction: 64, cairn: cairn, peers: peers)
        let figures = NightlyIndexFigures.figures(entry, defaultEf: 64)
        func figure(_ name: String) -> BenchFigure? { figures.first { $0.name == name } }
        // Each engine's queries/s at a recall is read off its curve as the index benchmark reads it
        // (interpolated between the ef values around it): hnswlib's 0.88 → 0.95 step gives 5,212 at 0.90, above
        // faiss's measured 5,000; at 0.95 faiss's 0.90 → 0.951 step gives 3,525, above hnswlib's 3,000.
        let hnswlib90 = try #require(PeerComparison.qps(peers.hnswlib!.runs, at: 0.90)).qps
        let faiss95 = try #require(PeerComparison.qps(peers.faiss!.runs, at: 0.95)).qps
        #expect(abs(hnswlib90 - 5_212) < 1 && abs(faiss95 - 3_525) < 1)
        let q90 = try #require(figure("qps@recall0.90 100k/64"))
        #expect(q90.value == 6_000 && q90.peer == "hnswlib" && q90.peerValue == hnswlib90 && q90.kind == .throughput)
        let q95 = try #require(figure("qps@recall0.95 100k/64"))
        #expect(q95.value == 4_000 && q95.peer == "faiss" && q95.peerValue == faiss95)
        #expect(figure("qps@recall0.99 100k/64") == nil, "nobody reaches 0.99: no figure, never extrapolated")
        let recall = try #require(figure("recall@10 ef 64 100k/64"))
        #expect(recall.value == 0.95 && recall.peer == "hnswlib" && recall.kind == .recall)
        let build = try #require(figure("build 100k/64"))
        #expect(build.peer == "faiss" && build.peerValue == 15 && abs(build.ratio! - 15.0 / 14) < 1e-9)
        #expect(figure("bytes/vector 100k/64")?.kind == .size && figure("load 100k/64")?.peer == "hnswlib")
        #expect(!figures.contains { $0.name.hasPrefix("int8") })
        entry.int8 = Self.report("cairn-int8", build: 14, qps: [(32, 0.90, 9_000), (64, 0.95, 7_000)])
        let int8 = try #require(NightlyIndexFigures.figures(entry, defaultEf: 64).first { $0.name == "int8 qps@recall0.95 100k/64" })
        #expect(int8.value == 7_000 && int8.peer == "hnswlib" && int8.peerValue == 3_000, "\(int8)")
        #expect(figures.allSatisfy { $0.section == "index" })
    }
}

/// The nightly's other sections turn their benchmark's report into figures against the peer of the same run,
/// and sample the quality corpus evenly.
@Suite struct NightlySectionFiguresTests {
    static func embedRun(_ engine: String, threads: Int, docs: Double, p50: Double) -> EmbedBenchRun {
        EmbedBenchRun(engine: engine, threads: threads, queryP50Ms: p50, queryP99Ms: p50 * 2, queriesPerS: 1_000 / p50,
                      docsPerS: docs, batch: 32, queries: 100, documents: 100, repeats: 2)
    }

    @Test func embedFiguresAreAgainstOnnxruntimeAndEachOtherPeer() throws {
        let cairn = [Self.embedRun("cairn", threads: 1, docs: 80, p50: 4), Self.embedRun("cairn", threads: 2, docs: 150, p50: 3)]
        let peers = [Self.embedRun("onnxruntime", threads: 1, docs: 100, p50: 5),
                     Self.embedRun("onnxruntime", threads: 2, docs: 120, p50: 3.3),
                     Self.embedRun("torch", threads: 2, docs: 60, p50: 9)]
        let figures = NightlyEmbedSection.figures(cairn: cairn, peers: peers)
        #expect(figures.map(\.name) == ["docs/s 1t", "query p50 1t", "docs/s 2t", "query p50 2t", "docs/s 2t vs torch",
                                        "query p50 2t vs torch"])
        let docs1 = try #require(figures.first)
        #expect(docs1.peer == "onnxruntime" && docs1.ratio == 0.8 && docs1.kind == .throughput)
        let p50 = try #require(figures.first { $0.name == "query p50 2t vs torch" })
        #expect(p50.kind == .latency && p50.ratio == 3)
        // Without peers every figure stands alone.
        #expect(NightlyEmbedSection.figures(cairn: cairn, peers: []).allSatisfy { $0.peer == nil && $0.ratio == nil })
    }

    @Test func theQualitySampleKeepsEvenlySpacedPagesAndTheirQuestions() {
        let documents = (0..<10).map { "/c/docs/page\($0).1.txt" }
        let queries = (0..<10).map { QualityCorpus.Query(id: $0, query: "q\($0)", relevant: ["page\($0).1"], heldOut: false) }
            + (10..<16).map { QualityCorpus.Query(id: $0, query: "h\($0)", relevant: ["gone\($0).1"], heldOut: true) }
        let corpus = QualityCorpus(directory: "/c", documents: documents, queries: queries)
        let sample = corpus.sample(documents: 5)
        #expect(sample.documents == [0, 2, 4, 6, 8].map { "/c/docs/page\($0).1.txt" })
        #expect(sample.queries.filter { !$0.heldOut }.map(\.id) == [0, 2, 4, 6, 8])
        #expect(sample.queries.filter(\.heldOut).map(\.id) == [10, 12, 14])
        #expect(corpus.sample(documents: 10).documents.count == 10 && corpus.sample(documents: 0).queries.count == 16)
    }
}
