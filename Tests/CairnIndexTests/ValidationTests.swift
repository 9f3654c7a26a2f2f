import CairnIndex
import CairnVectorMath
import Testing

@Suite struct ValidationTests {
    @Test func badSettingsAreNamed() {
        func message(_ c: IndexConfiguration) -> String {
            do { _ = try c.validated(); return "" } catch { return error.description }
        }
        #expect(message(IndexConfiguration(dimension: 0, metric: .l2)).contains("dimension"))
        #expect(message(IndexConfiguration(dimension: 8, metric: .l2, m: 1)).contains("m = 1"))
        #expect(message(IndexConfiguration(dimension: 8, metric: .l2, efConstruction: 0)).contains("ef_construction"))
        #expect(message(IndexConfiguration(dimension: 8, metric: .l2, efSearch: 100_000)).contains("ef_search"))
        #expect(message(IndexConfiguration(dimension: 1536, metric: .cosine)) == "")
    }

    @Test func wrongDimensionsAndBadQueriesAreRejected() throws {
        let index = try HNSWIndex(configuration: IndexConfiguration(dimension: 4, metric: .cosine))
        #expect(throws: IndexError.dimensionMismatch(expected: 4, got: 3)) {
            try index.insert(label: 1, vector: [1, 2, 3])
        }
        #expect(throws: IndexError.self) { try index.insert(label: 1, vector: [1, .nan, 3, 4]) }
        try index.insert(label: 1, vector: [1, 2, 3, 4])
        #expect(throws: IndexError.self) { try index.search([1, 2, 3, 4], options: SearchOptions(k: 0)) }
        #expect(throws: IndexError.self) { try index.search([1, 2, 3, 4], options: SearchOptions(k: 1001)) }
        #expect(throws: IndexError.self) { try index.search([1, 2, 3], options: SearchOptions(k: 1)) }
        #expect(try index.search([1, 2, 3, 4], options: SearchOptions(k: 1000)).hits.count == 1)
    }

    @Test func emptyIndexReturnsNothing() throws {
        let index = try HNSWIndex(configuration: IndexConfiguration(dimension: 4, metric: .l2))
        #expect(try index.search([0, 0, 0, 0]).hits.isEmpty)
        #expect(try index.search([0, 0, 0, 0], options: SearchOptions(exact: true)).hits.isEmpty)
    }

    @Test(arguments: [384, 768, 1536])
    func commonEmbeddingDimensions(dim: Int) throws {
        let index = try HNSWIndex(configuration: IndexConfiguration(dimension: dim, metric: .cosine))
        var vectors: [[Float]] = []
        for i in 0..<50 {
            var v = [Float](repeating: 0, count: dim)
            v[i % dim] = 1
            v[(i * 7 + 3) % dim] = 0.5
            vectors.append(v)
            try index.insert(label: UInt64(i), vector: v)
        }
        for i in [0, 17, 49] {
            #expect(try index.search(vectors[i], options: SearchOptions(k: 1)).hits.first?.label == UInt64(i))
        }
    }
}
