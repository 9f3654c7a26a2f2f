import CairnIndex
import CairnVectorMath
import Foundation
import Testing
import TestSupport

/// Deletes, upserts, filters and concurrency.
@Suite struct MutationTests {
    @Test func deletedLabelsAreNeverReturnedAndGraphStaysConnected() throws {
        let dim = 24
        let (index, data) = try RecallTests.build(n: 2000, dim: dim, metric: .cosine)
        let before = try index.checkIntegrity().unreachable
        var removed = Set<UInt64>()
        for i in stride(from: 0, to: 2000, by: 3) {
            #expect(index.remove(label: UInt64(i) + 1000))
            removed.insert(UInt64(i) + 1000)
        }
        #expect(!index.remove(label: 1000))
        #expect(index.count == 2000 - removed.count)
        for i in stride(from: 0, to: 2000, by: 97) {
            let q = TestVectors.row(data, i, dimension: dim)
            let hits = try index.search(q, options: SearchOptions(k: 20)).hits
            #expect(hits.count == 20)
            #expect(hits.allSatisfy { !removed.contains($0.label) })
            let exact = try index.search(q, options: SearchOptions(k: 20, exact: true)).hits
            #expect(exact.allSatisfy { !removed.contains($0.label) })
        }
        let report = try index.checkIntegrity()
        #expect(report.deleted == removed.count)
        #expect(report.unreachable == before, "removing nodes must not disconnect the graph")
    }

    @Test func upsertReplacesTheVector() throws {
        let index = try HNSWIndex(configuration: IndexConfiguration(dimension: 3, metric: .l2))
        try index.insert(label: 1, vector: [0, 0, 0])
        try index.insert(label: 2, vector: [10, 0, 0])
        try index.insert(label: 1, vector: [20, 0, 0])
        #expect(index.count == 2)
        #expect(index.vector(for: 1) == [20, 0, 0])
        let hits = try index.search([19, 0, 0], options: SearchOptions(k: 2)).hits
        #expect(hits.map(\.label) == [1, 2])
        #expect(hits[0].distance == 1)
        try index.checkIntegrity()
    }

    @Test func compactionReclaimsRemovedSlots() throws {
        let dim = 16
        let (index, data) = try RecallTests.build(n: 1000, dim: dim, metric: .l2)
        for i in 0..<500 { index.remove(label: UInt64(i) + 1000) }
        let fresh = try index.compacted(threads: 2)
        #expect(fresh.slotCount == 500 && fresh.deletedCount == 0)
        let q = TestVectors.row(data, 700, dimension: dim)
        #expect(try fresh.search(q, options: SearchOptions(k: 1)).hits.first?.label == 1700)
        try fresh.checkIntegrity()
    }

    // Of 10,000 vectors: 0.02 %, 0.1 %, 1 % and 10 %.
    @Test(arguments: [2, 10, 100, 1000])
    func selectiveFiltersReturnTheTrueTopK(allowedCount: Int) throws {
        let dim = 24
        let n = 100_000 / 10
        let (index, data) = try RecallTests.build(n: n, dim: dim, metric: .cosine)
        var g = SplitMix(seed: 42)
        var allowed = Set<UInt64>()
        while allowed.count < allowedCount { allowed.insert(UInt64(g.next() % UInt64(n)) + 1000) }
        let q = TestVectors.row(data, 17, dimension: dim)
        let r = try index.search(q, options: SearchOptions(k: 10, filter: .labels(allowed)))
        #expect(r.exact)
        #expect(r.hits.count == min(10, allowedCount))
        #expect(r.hits.allSatisfy { allowed.contains($0.label) })
        let subset = allowed.sorted()
        let subsetData = subset.flatMap { TestVectors.row(data, Int($0 - 1000), dimension: dim) }
        let want = BruteForce.nearest(query: q, data: subsetData, dimension: dim, k: 10, metric: .cosine)
            .map { subset[$0] }
        #expect(r.hits.map(\.label) == want)
    }

    @Test func broadFilterUsesTheGraphAndHonoursTheFilter() throws {
        let dim = 24
        var config = IndexConfiguration(dimension: dim, metric: .cosine)
        config.fullScanThreshold = 100
        let index = try HNSWIndex(configuration: config)
        let data = TestVectors.clustered(n: 4000, dimension: dim, seed: 7)
        try index.insert(labels: (0..<4000).map { UInt64($0) + 1000 }, vectors: data)
        let even = Set((0..<4000).filter { $0 % 2 == 0 }.map { UInt64($0) + 1000 })
        for i in [3, 100, 2001] {
            let q = TestVectors.row(data, i, dimension: dim)
            let byPredicate = try index.search(q, options: SearchOptions(k: 10, filter: .predicate(estimatedCount: 2000) {
                $0 % 2 == 0
            }))
            let byLabels = try index.search(q, options: SearchOptions(k: 10, filter: .labels(even)))
            for r in [byPredicate, byLabels] {
                #expect(!r.exact)
                #expect(r.hits.count == 10)
                #expect(r.hits.allSatisfy { even.contains($0.label) })
            }
            let truth = try index.search(q, options: SearchOptions(k: 10, filter: .labels(even), exact: true))
            #expect(Set(truth.hits.map(\.label)).intersection(byLabels.hits.map(\.label)).count >= 8)
        }
    }

    @Test func concurrentInsertsAndSearches() async throws {
        let dim = 32
        let index = try HNSWIndex(configuration: IndexConfiguration(dimension: dim, metric: .cosine))
        let data = TestVectors.clustered(n: 6000, dimension: dim, seed: 9)
        try index.insert(labels: (0..<1000).map { UInt64($0) }, vectors: Array(data[0..<(1000 * dim)]))
        let searches = try await withThrowingTaskGroup(of: Int.self) { group in
            for t in 0..<2 {
                group.addTask {
                    for i in stride(from: 1000 + t, to: 6000, by: 2) {
                        try index.insert(label: UInt64(i), vector: TestVectors.row(data, i, dimension: dim))
                    }
                    return 0
                }
            }
            for t in 0..<2 {
                group.addTask {
                    var done = 0
                    for i in 0..<1500 {
                        let q = TestVectors.row(data, (i * 7 + t) % 1000, dimension: dim)
                        let r = try index.search(q, options: SearchOptions(k: 5))
                        #expect(r.hits.count == 5)
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(searches == 3000)
        #expect(index.count == 6000)
        let report = try index.checkIntegrity()
        #expect(report.nodes == 6000 && report.unreachable <= 30)
        let q = TestVectors.row(data, 5555, dimension: dim)
        #expect(try index.search(q, options: SearchOptions(k: 1)).hits.first?.label == 5555)
    }
}
