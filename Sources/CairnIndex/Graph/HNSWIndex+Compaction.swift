import Foundation

extension HNSWIndex {
    /// Builds a new index holding only the live vectors (removed slots reclaimed), using `threads` threads.
    ///
    /// The receiver stays fully searchable meanwhile; the storage layer swaps the two and replays the writes that
    /// arrived during the build (see `DurableIndex.compact()`).
    public func compacted(threads: Int = 0) throws(IndexError) -> HNSWIndex {
        let fresh = try HNSWIndex(configuration: configuration)
        let n = slotCount
        var batchLabels: [UInt64] = []
        var batchVectors: [Float] = []
        batchLabels.reserveCapacity(count)
        batchVectors.reserveCapacity(count * dimension)
        for s in 0..<n {
            let slot = UInt32(s)
            // Skip removed nodes, and slots a concurrent insert has reserved but not yet written.
            let meta = store.meta(slot)
            guard meta & NodeFlags.deleted == 0, meta & NodeFlags.present != 0 else { continue }
            batchLabels.append(store.labelPointer(slot).pointee)
            batchVectors.append(contentsOf: UnsafeBufferPointer(start: store.vector(slot), count: dimension))
        }
        try fresh.insert(labels: batchLabels, vectors: batchVectors, threads: threads)
        return fresh
    }
}
