import CairnVectorMath
import Testing
import TestSupport

@Suite("ExactSearch against the brute-force oracle")
struct ExactSearchTests {
    static let metrics: [Metric] = [.cosine, .innerProduct, .l2]

    func expectMatches(
        _ found: [[Neighbor]], _ truth: [[BruteForceOracle.Hit]], _ label: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(found.count == truth.count, sourceLocation: sourceLocation)
        for (q, (f, t)) in zip(found, truth).enumerated() {
            let problem = OracleComparison.mismatch(f, t)
            #expect(problem == nil, "\(label) query \(q): \(problem ?? "")", sourceLocation: sourceLocation)
        }
    }

    @Test("every metric and odd dimensions, batch and single-query paths",
          arguments: metrics, [1, 3, 17, 384, 768])
    func metricsAndDimensions(metric: Metric, dim: Int) {
        var rng = TestRNG(seed: UInt64(dim) * 31 + UInt64(metric.code))
        let normalized = metric == .cosine
        let base = rng.matrix(rows: 300, cols: dim, normalized: normalized)
        let queries = rng.matrix(rows: 7, cols: dim, normalized: normalized)
        let truth = BruteForceOracle.search(queries: queries.view, base: base.view, k: 10, metric: metric)
        let blocks = [ExactSearch.Block(view: base.view, firstID: 0)]
        for threads in [1, 2] {
            let found = ExactSearch.search(queries: queries.view, blocks: blocks, k: 10, metric: metric, threads: threads)
            expectMatches(found, truth, "\(metric) d=\(dim) threads=\(threads)")
        }
        let single = ExactSearch.search(query: queries.row(2), dimension: dim, blocks: blocks, k: 10, metric: metric)
        expectMatches([single], [truth[2]], "\(metric) d=\(dim) single")
    }

    @Test("several tiles and query batches, split by queries and by base", arguments: metrics)
    func tilesAndBatches(metric: Metric) {
        var rng = TestRNG(seed: 99)
        let base = rng.matrix(rows: 5000, cols: 5, normalized: metric == .cosine)
        let queries = rng.matrix(rows: 300, cols: 5, normalized: metric == .cosine)
        let truth = BruteForceOracle.search(queries: queries.view, base: base.view, k: 5, metric: metric)
        let blocks = [ExactSearch.Block(view: base.view, firstID: 0)]
        for threads in [1, 2, 3] {
            expectMatches(ExactSearch.search(queries: queries.view, blocks: blocks, k: 5, metric: metric, threads: threads),
                          truth, "\(metric) threads=\(threads)")
        }
        // Few queries, many threads: the base is split and partial tops are merged.
        let few = queries.view.rows(0..<3)
        expectMatches(ExactSearch.search(queries: few, blocks: blocks, k: 5, metric: metric, threads: 2),
                      Array(truth.prefix(3)), "\(metric) base split")
    }

    @Test("k larger than the collection returns everything, in order", arguments: metrics)
    func kLargerThanN(metric: Metric) {
        var rng = TestRNG(seed: 4)
        let base = rng.matrix(rows: 4, cols: 3, normalized: true)
        let queries = rng.matrix(rows: 2, cols: 3, normalized: true)
        let found = ExactSearch.search(queries: queries.view, blocks: [.init(view: base.view, firstID: 10)], k: 10, metric: metric)
        #expect(found.allSatisfy { $0.count == 4 })
        expectMatches(found, BruteForceOracle.search(queries: queries.view, base: base.view, k: 10, metric: metric, firstID: 10), "k>n")
    }

    @Test("exact ties are broken by id, as in the oracle", arguments: metrics)
    func ties(metric: Metric) {
        // Small integers: every dot product and norm is exact in float, so ties are exact.
        var rng = TestRNG(seed: 8)
        let rows = (0..<200).map { _ in (0..<6).map { _ in Float(rng.int(3)) - 1 } }
        let base = Matrix(rows), queries = Matrix([[1, 0, -1, 1, 0, 0], [0, 0, 0, 0, 0, 1]])
        let truth = BruteForceOracle.search(queries: queries.view, base: base.view, k: 12, metric: metric)
        for threads in [1, 2] {
            let found = ExactSearch.search(queries: queries.view, blocks: [.init(view: base.view, firstID: 0)], k: 12,
                                           metric: metric, threads: threads)
            for (f, t) in zip(found, truth) {
                #expect(f.map(\.id) == t.map(\.id))
                #expect(f.map { Double($0.distance) } == t.map(\.distance))
            }
        }
    }

    @Test("excluded ids never appear and are replaced by the next best", arguments: metrics)
    func exclusions(metric: Metric) {
        var rng = TestRNG(seed: 12)
        let base = rng.matrix(rows: 400, cols: 17, normalized: true)
        let queries = rng.matrix(rows: 20, cols: 17, normalized: true)
        let isOdd: ExactSearch.Exclusion = { $0 % 2 == 1 }
        let found = ExactSearch.search(queries: queries.view, blocks: [.init(view: base.view, firstID: 0)], k: 10,
                                       metric: metric, exclude: isOdd)
        let truth = BruteForceOracle.search(queries: queries.view, base: base.view, k: 10, metric: metric, exclude: { $0 % 2 == 1 })
        expectMatches(found, truth, "exclude odd")
        #expect(found.allSatisfy { $0.allSatisfy { $0.id % 2 == 0 } })
        let none = ExactSearch.search(queries: queries.view, blocks: [.init(view: base.view, firstID: 0)], k: 10,
                                      metric: metric, exclude: { _ in true })
        #expect(none.allSatisfy { $0.isEmpty })
    }

    @Test("several blocks with their own ids and optional squared norms", arguments: metrics)
    func multipleBlocks(metric: Metric) {
        var rng = TestRNG(seed: 21)
        let a = rng.matrix(rows: 130, cols: 24, normalized: true)
        let b = rng.matrix(rows: 2100, cols: 24, normalized: true)
        let c = rng.matrix(rows: 1, cols: 24, normalized: true)
        let queries = rng.matrix(rows: 40, cols: 24, normalized: true)
        let bNorms = b.rowSquaredNorms()
        let found = bNorms.withUnsafeBufferPointer { norms in
            ExactSearch.search(
                queries: queries.view,
                blocks: [.init(view: b.view, firstID: 5000, sqNorms: norms.baseAddress), .init(view: a.view, firstID: 0),
                         .init(view: Matrix(rows: 0, cols: 24).view, firstID: 200), .init(view: c.view, firstID: 9000)],
                k: 15, metric: metric, threads: 2)
        }
        let truth = BruteForceOracle.search(queries: queries.view, blocks: [(a.view, 0), (b.view, 5000), (c.view, 9000)],
                                            k: 15, metric: metric)
        expectMatches(found, truth, "blocks")
    }

    @Test("re-ranking a scattered candidate set", arguments: metrics)
    func rerank(metric: Metric) {
        var rng = TestRNG(seed: 30)
        let base = rng.matrix(rows: 1000, cols: 33, normalized: true)
        let query = rng.array(33)
        let ids: [UInt32] = (0..<600).map { _ in UInt32(rng.int(1000)) }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        let found = query.withUnsafeBufferPointer { q in
            ExactSearch.rerank(query: q.baseAddress!, dimension: 33, ids: ids, k: 10, metric: metric) { UnsafePointer(base.row(Int($0))) }
        }
        let subset = Matrix(ids.map { base.rowArray(Int($0)) })
        let local = BruteForceOracle.search(queries: [query], base: (0..<subset.rows).map { subset.rowArray($0) }, k: 10, metric: metric)[0]
        let truth = local.map { BruteForceOracle.Hit(id: ids[Int($0.id)], distance: $0.distance) }
        expectMatches([found.sorted()], [truth.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }], "rerank")

        let pointers = ids.map { UnsafePointer(base.row(Int($0))) }
        let viaPointers = query.withUnsafeBufferPointer { q in
            ExactSearch.rerank(query: q.baseAddress!, dimension: 33, candidates: pointers, ids: ids, k: 10, metric: metric)
        }
        #expect(viaPointers == found)
    }

    @Test("ground truth ids, empty inputs and k = 0")
    func groundTruthAndEdges() {
        var rng = TestRNG(seed: 40)
        let base = rng.matrix(rows: 50, cols: 8, normalized: true)
        let queries = rng.matrix(rows: 3, cols: 8, normalized: true)
        let gt = ExactSearch.groundTruth(queries: queries.view, base: base.view, k: 5, metric: .cosine)
        let found = ExactSearch.search(queries: queries.view, blocks: [.init(view: base.view, firstID: 0)], k: 5, metric: .cosine)
        #expect(gt == found.map { $0.map { Int32($0.id) } })
        #expect(ExactSearch.search(queries: queries.view, blocks: [], k: 5, metric: .l2) == [[], [], []])
        #expect(ExactSearch.search(queries: queries.view, blocks: [.init(view: base.view, firstID: 0)], k: 0, metric: .l2) == [[], [], []])
        #expect(ExactSearch.search(queries: Matrix(rows: 0, cols: 8).view, blocks: [.init(view: base.view, firstID: 0)], k: 3, metric: .l2).isEmpty)
    }
}
