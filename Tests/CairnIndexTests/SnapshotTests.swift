import CairnIndex
import CairnVectorMath
import Glibc
import Testing
import TestSupport

/// Snapshot → restore in memory (the file layer is tested in CairnStorageTests).
@Suite struct SnapshotTests {
    /// Page-aligned copies of every section, as a memory-mapped checkpoint would provide.
    final class Sections {
        var buffers: [String: UnsafeMutableRawBufferPointer] = [:]
        deinit { for b in buffers.values { free(b.baseAddress) } }

        func add(_ s: IndexSnapshot.Section) {
            var p: UnsafeMutableRawPointer?
            posix_memalign(&p, 4096, max(s.bytes.count, 1))
            let b = UnsafeMutableRawBufferPointer(start: p, count: s.bytes.count)
            if s.bytes.count > 0 { b.copyMemory(from: s.bytes) }
            buffers["\(s.kind)/\(s.index)"] = b
        }
    }

    static func roundTrip(_ index: HNSWIndex) throws -> HNSWIndex {
        let sections = Sections()
        let metadata = index.withSnapshot { snap in
            snap.sections.forEach(sections.add)
            return snap.metadata
        }
        return try HNSWIndex.restore(metadata: metadata, owner: sections) { kind, i in sections.buffers["\(kind)/\(i)"] }
    }

    @Test(arguments: [0, 1, 5000, 40_000])
    func restoredIndexAnswersIdentically(n: Int) throws {
        let dim = 8
        let index = try HNSWIndex(configuration: IndexConfiguration(dimension: dim, metric: .l2, m: 8,
                                                                    efConstruction: 16))
        let data = TestVectors.clustered(n: n, dimension: dim, seed: 4)
        if n > 0 { try index.insert(labels: (0..<n).map(UInt64.init), vectors: data) }
        if n > 10 { for i in stride(from: 0, to: n, by: 10) { index.remove(label: UInt64(i)) } }
        let restored = try Self.roundTrip(index)
        #expect(restored.count == index.count)
        #expect(restored.deletedCount == index.deletedCount)
        #expect(try restored.checkIntegrity() == index.checkIntegrity())
        let queries = TestVectors.clustered(n: 20, dimension: dim, seed: 8)
        for i in 0..<20 {
            let q = TestVectors.row(queries, i, dimension: dim)
            #expect(try restored.search(q, options: SearchOptions(k: 10)).hits == index.search(q, options: SearchOptions(k: 10)).hits)
        }
        // The restored index keeps accepting writes (copy-on-write over adopted blocks).
        try restored.insert(label: 9_999_999, vector: [Float](repeating: 0.5, count: dim))
        #expect(restored.contains(9_999_999))
        try restored.checkIntegrity()
    }

    @Test func truncatedMetadataOrSectionIsCorrupt() throws {
        let index = try HNSWIndex(configuration: IndexConfiguration(dimension: 4, metric: .cosine))
        try index.insert(labels: [1, 2, 3], vectors: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0])
        let sections = Sections()
        let metadata = index.withSnapshot { snap in
            snap.sections.forEach(sections.add)
            return snap.metadata
        }
        #expect(throws: IndexError.self) {
            try HNSWIndex.restore(metadata: Array(metadata.prefix(10)), owner: nil) { k, i in sections.buffers["\(k)/\(i)"] }
        }
        #expect(throws: IndexError.self) {
            try HNSWIndex.restore(metadata: metadata, owner: nil) { k, i in
                k == 1 ? nil : sections.buffers["\(k)/\(i)"]
            }
        }
    }
}
