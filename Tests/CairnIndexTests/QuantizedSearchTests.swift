import CairnIndex
import CairnVectorMath
import Testing
import TestSupport

/// The int8 walk with a float32 re-rank: the same graph as the float index, recall held at the same ef,
/// exact distances in the results, filters and deletes honoured, codes saved and restored.
@Suite struct QuantizedSearchTests {
    static func pair(n: Int, dim: Int, metric: Metric, seed: UInt64 = 11) throws -> (HNSWIndex, HNSWIndex, [Float]) {
        var data = TestVectors.clustered(n: n, dimension: dim, seed: seed)
        if metric == .innerProduct { TestVectors.scaleRows(&data, dimension: dim, norms: 0.8...1.2, seed: seed) }
        var config = IndexConfiguration(dimension: dim, metric: metric, m: 16, efConstruction: 64)
        let plain = try HNSWIndex(configuration: config)
        config.quantization = .int8
        let quantized = try HNSWIndex(configuration: config)
        let labels = (0..<n).map { UInt64($0) + 500 }
        // One thread: both graphs are then built identically, so only the walk differs.
        try plain.insert(labels: labels, vectors: data, threads: 1)
        try quantized.insert(labels: labels, vectors: data, threads: 1)
        return (plain, quantized, data)
    }

    @Test(arguments: Metric.allCases)
    func recallAtTheSameEfMatchesTheFloatWalk(metric: Metric) throws {
        let dim = 64
        let (plain, quantized, _) = try Self.pair(n: 4000, dim: dim, metric: metric)
        #expect(quantized.configuration.quantization == .int8)
        let queries = TestVectors.clustered(n: 100, dimension: dim, seed: 77)
        let ef = metric == .innerProduct ? 200 : 100
        let floatRecall = try RecallTests.recall(plain, queries: queries, dim: dim, k: 10, ef: ef)
        let int8Recall = try RecallTests.recall(quantized, queries: queries, dim: dim, k: 10, ef: ef)
        #expect(int8Recall >= floatRecall - 0.01, "\(metric): int8 \(int8Recall) vs float \(floatRecall)")
        #expect(int8Recall >= 0.85, "\(metric): int8 recall@10 \(int8Recall)")
    }

    @Test func resultsCarryExactDistancesInOrder() throws {
        let dim = 32
        let (plain, quantized, _) = try Self.pair(n: 2000, dim: dim, metric: .cosine)
        let queries = TestVectors.clustered(n: 30, dimension: dim, seed: 3)
        for i in 0..<30 {
            let q = TestVectors.row(queries, i, dimension: dim)
            let hits = try quantized.search(q, options: SearchOptions(k: 10, efSearch: 50)).hits
            #expect(hits.count == 10)
            #expect(zip(hits, hits.dropFirst()).allSatisfy { $0.distance <= $1.distance })
            let exact = try plain.search(q, options: SearchOptions(k: 1000, exact: true)).hits
            let truth = Dictionary(uniqueKeysWithValues: exact.map { ($0.label, $0.distance) })
            for h in hits {
                // The re-rank uses the float32 vectors: the same distance an exact scan computes.
                #expect(abs(h.distance - truth[h.label]!) <= 1e-5, "label \(h.label)")
                #expect(abs(h.similarity - (1 - h.distance)) <= 1e-6)
            }
        }
    }

    @Test func filtersAndDeletesAreHonoured() throws {
        let dim = 32
        let (_, quantized, _) = try Self.pair(n: 3000, dim: dim, metric: .l2)
        for label in stride(from: UInt64(500), to: 3500, by: 3) { quantized.remove(label: label) }
        let allowed = Set(stride(from: UInt64(501), to: 3500, by: 2))
        let queries = TestVectors.clustered(n: 20, dimension: dim, seed: 5)
        for i in 0..<20 {
            let q = TestVectors.row(queries, i, dimension: dim)
            let all = try quantized.search(q, options: SearchOptions(k: 10, efSearch: 64)).hits
            #expect(all.count == 10 && all.allSatisfy { ($0.label - 500) % 3 != 0 })
            let filtered = try quantized.search(q, options: SearchOptions(
                k: 10, efSearch: 64, filter: .predicate(estimatedCount: 1000, test: { allowed.contains($0) }))).hits
            #expect(filtered.count == 10 && filtered.allSatisfy { allowed.contains($0.label) && ($0.label - 500) % 3 != 0 })
        }
    }

    @Test func codesAreSavedAndRestored() throws {
        let dim = 24
        let (_, quantized, _) = try Self.pair(n: 5000, dim: dim, metric: .cosine)
        let restored = try SnapshotTests.roundTrip(quantized)
        #expect(restored.configuration.quantization == .int8)
        let queries = TestVectors.clustered(n: 20, dimension: dim, seed: 8)
        for i in 0..<20 {
            let q = TestVectors.row(queries, i, dimension: dim)
            #expect(try restored.search(q, options: SearchOptions(k: 10)).hits
                == quantized.search(q, options: SearchOptions(k: 10)).hits)
        }
        try restored.insert(label: 1, vector: [Float](repeating: 0.25, count: dim))
        #expect(try restored.search([Float](repeating: 0.25, count: dim), options: SearchOptions(k: 1)).hits.first?.label == 1)
    }

    /// Restores `index` from its snapshot (page-aligned copies, as a mapped checkpoint) with another walk.
    static func restore(_ index: HNSWIndex, as quantization: VectorQuantization) throws -> HNSWIndex {
        let sections = SnapshotTests.Sections()
        let metadata = index.withSnapshot { snap in
            snap.sections.forEach(sections.add)
            return snap.metadata
        }
        return try HNSWIndex.restore(metadata: metadata, owner: sections, quantization: quantization) { k, i in
            sections.buffers["\(k)/\(i)"]
        }
    }

    @Test(arguments: [1000, 40_000])
    func aFloatSnapshotRestoresAsInt8AndBack(n: Int) throws {
        // 40,000 slots: one full block adopted in place (codes encoded beside it) and one partial block copied.
        let dim = 16
        let (plain, quantized, _) = try Self.pair(n: n, dim: dim, metric: .cosine)
        let encoded = try Self.restore(plain, as: .int8)
        #expect(encoded.configuration.quantization == .int8)
        let decoded = try Self.restore(quantized, as: .none)
        #expect(decoded.configuration.quantization == VectorQuantization.none)
        let queries = TestVectors.clustered(n: 20, dimension: dim, seed: 9)
        for i in 0..<20 {
            let q = TestVectors.row(queries, i, dimension: dim)
            let options = SearchOptions(k: 10, efSearch: 40)
            // The same single-threaded graph: encoding after the fact gives the very codes an int8 build wrote.
            #expect(try encoded.search(q, options: options).hits == quantized.search(q, options: options).hits)
            #expect(try decoded.search(q, options: options).hits == plain.search(q, options: options).hits)
        }
        // Writes after the restore encode their own codes.
        try encoded.insert(label: 7, vector: [Float](repeating: 0.5, count: dim))
        #expect(try encoded.search([Float](repeating: 0.5, count: dim), options: SearchOptions(k: 1)).hits.first?.label == 7)
    }

    @Test func aSnapshotWithoutItsCodesIsCorrupt() throws {
        let (_, quantized, _) = try Self.pair(n: 100, dim: 8, metric: .l2)
        let sections = SnapshotTests.Sections()
        let metadata = quantized.withSnapshot { snap in
            snap.sections.forEach(sections.add)
            return snap.metadata
        }
        #expect(throws: IndexError.self) {
            try HNSWIndex.restore(metadata: metadata, owner: sections) { k, i in
                k == SnapshotSectionKind.codes ? nil : sections.buffers["\(k)/\(i)"]
            }
        }
    }

    @Test func versionOneMetadataRestoresAsAFloatIndex() throws {
        let index = try HNSWIndex(configuration: IndexConfiguration(dimension: 4, metric: .cosine))
        try index.insert(labels: [1, 2, 3], vectors: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0])
        let sections = SnapshotTests.Sections()
        var metadata = index.withSnapshot { snap in
            snap.sections.forEach(sections.add)
            return snap.metadata
        }
        // Version 1 is version 2 without the trailing quantization byte.
        #expect(metadata.last == 0)
        metadata.removeLast()
        metadata[0] = 1
        let restored = try HNSWIndex.restore(metadata: metadata, owner: sections) { k, i in sections.buffers["\(k)/\(i)"] }
        #expect(restored.configuration.quantization == VectorQuantization.none && restored.count == 3)
        metadata.append(9)
        metadata[0] = 2
        #expect(throws: IndexError.self) {
            try HNSWIndex.restore(metadata: metadata, owner: sections) { k, i in sections.buffers["\(k)/\(i)"] }
        }
    }
}
