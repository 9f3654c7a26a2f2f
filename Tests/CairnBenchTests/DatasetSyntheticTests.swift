@testable import CairnBench
import CairnVectorMath
import Foundation
import Testing

@Suite("SyntheticDataset")
struct DatasetSyntheticTests {
    func bytes(_ m: Matrix) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: m.pointer, count: m.count * 4))
    }

    @Test("the same seed gives the same bytes, whatever the thread count")
    func deterministic() {
        let a = SyntheticDataset.make(n: 500, queries: 20, dim: 33, clusters: 10, seed: 7, threads: 1)
        let b = SyntheticDataset.make(n: 500, queries: 20, dim: 33, clusters: 10, seed: 7, threads: 3)
        #expect(bytes(a.base) == bytes(b.base))
        #expect(bytes(a.queries) == bytes(b.queries))
        let c = SyntheticDataset.make(n: 500, queries: 20, dim: 33, clusters: 10, seed: 8)
        #expect(bytes(a.base) != bytes(c.base))
        #expect(bytes(a.queries) != bytes(c.queries))
        // A prefix of a larger set is the smaller set: rows do not depend on n.
        let d = SyntheticDataset.make(n: 800, queries: 5, dim: 33, clusters: 10, seed: 7)
        #expect(Array(bytes(d.base).prefix(500 * 33 * 4)) == bytes(a.base))
    }

    @Test("the output is pinned: same bytes on every machine and build")
    func golden() {
        let (base, queries) = SyntheticDataset.make(n: 64, queries: 8, dim: 24, clusters: 5, sigma: 1, seed: 2024)
        let crcBase = base.pointer.withMemoryRebound(to: UInt8.self, capacity: base.count * 4) {
            crc32c(UnsafeRawBufferPointer(start: $0, count: base.count * 4))
        }
        let crcQueries = queries.pointer.withMemoryRebound(to: UInt8.self, capacity: queries.count * 4) {
            crc32c(UnsafeRawBufferPointer(start: $0, count: queries.count * 4))
        }
        #expect(crcBase == SyntheticDatasetGolden.base, "base crc \(String(crcBase, radix: 16))")
        #expect(crcQueries == SyntheticDatasetGolden.queries, "queries crc \(String(crcQueries, radix: 16))")
    }

    @Test("rows are unit length and queries are not copies of base rows")
    func normalised() {
        let (base, queries) = SyntheticDataset.make(n: 300, queries: 30, dim: 384, clusters: 20, seed: 1)
        #expect(base.rows == 300 && base.cols == 384 && queries.rows == 30)
        for n in base.rowSquaredNorms() + queries.rowSquaredNorms() { #expect(abs(n - 1) < 1e-5) }
        let baseRows = Set((0..<base.rows).map { base.rowArray($0) })
        #expect((0..<queries.rows).allSatisfy { !baseRows.contains(queries.rowArray($0)) })
    }

    @Test("points cluster: a query's nearest neighbour is far closer than a random point")
    func clustered() {
        let (base, queries) = SyntheticDataset.make(n: 2000, queries: 50, dim: 64, clusters: 20, seed: 3)
        let top = ExactSearch.search(queries: queries.view, blocks: [.init(view: base.view, firstID: 0)], k: 1, metric: .cosine)
        let nearest = top.map { Double($0[0].distance) }.reduce(0, +) / 50
        var random = 0.0
        for q in 0..<50 {
            random += 1 - Double(zip(queries.rowArray(q), base.rowArray((q * 37) % 2000)).map { $0 * $1 }.reduce(0, +))
        }
        random /= 50
        #expect(nearest < 0.6 * random, "nearest \(nearest), random \(random)")
    }

    @Test("the portable logarithm and the normal deviates are accurate")
    func randomness() {
        var r = Xoshiro256(seed: 5, stream: 0)
        for _ in 0..<10_000 {
            let x = r.nextUnit() + 0x1p-60
            #expect(abs(portableLog(x) - log(x)) < 1e-12)
        }
        #expect(portableLog(1) == 0)
        var sum = 0.0, sumSq = 0.0
        let pairs = 50_000
        for _ in 0..<pairs {
            let (a, b) = r.nextNormalPair()
            sum += a + b
            sumSq += a * a + b * b
        }
        let mean = sum / Double(2 * pairs), variance = sumSq / Double(2 * pairs) - mean * mean
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - 1) < 0.02)
        var streams = Set<UInt64>()
        for s in 0..<100 as Range<UInt64> {
            var g = Xoshiro256(seed: 5, stream: s)
            streams.insert(g.next())
        }
        #expect(streams.count == 100)
    }

    @Test("write produces readable base, query and ground-truth files")
    func writeFiles() throws {
        let dir = DatasetScratchDirectory()
        defer { dir.remove() }
        let (base, queries) = SyntheticDataset.make(n: 200, queries: 10, dim: 16, clusters: 4, seed: 9)
        try SyntheticDataset.write(base: base, queries: queries, to: dir.path, groundTruthK: 5)
        let b = try FVecs.read(dir.file("base.fvecs")), q = try FVecs.read(dir.file("query.fvecs"))
        #expect(bytes(b) == bytes(base) && bytes(q) == bytes(queries))
        let gt = try FVecs.readIVecs(dir.file("groundtruth.ivecs"))
        #expect(gt == ExactSearch.groundTruth(queries: queries.view, base: base.view, k: 5, metric: .cosine))
    }
}

/// CRC32C of `make(n: 64, queries: 8, dim: 24, clusters: 5, sigma: 1, seed: 2024)`; change only on purpose,
/// since every recorded benchmark depends on these bytes.
enum SyntheticDatasetGolden {
    static let base: UInt32 = 0x0B73_74CD
    static let queries: UInt32 = 0x2C40_776D
}
