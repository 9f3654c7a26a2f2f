internal import CCairnKernels
import CairnVectorMath

extension HNSWIndex {
    /// Scans every live vector (optionally only those whose label passes `allowed`): the true top k.
    func exactSearch(_ q: UnsafePointer<Float>, k: Int, allowed: ((UInt64) -> Bool)?) -> SearchResult {
        let n = slotCount
        var top = CandidateHeap(capacity: k + 1, isMax: true)
        defer { top.deallocate() }
        let hasDeletes = deletedCount > 0
        var computed = 0
        var b = 0
        while b << NodeStore.blockShift < n {
            let block = store.block(b)
            let first = b << NodeStore.blockShift
            let rows = min(NodeStore.blockSize, n - first)
            for r in 0..<rows {
                let slot = UInt32(first + r)
                if hasDeletes, block.meta[r] & NodeFlags.deleted != 0 { continue }
                if let allowed, !allowed(block.labels[r]) { continue }
                let d = kernel.distance(q, block.vectors + r * dimension)
                computed += 1
                offer(&top, Candidate(distance: d, slot: slot), k: k)
            }
            b += 1
        }
        return finish(&top, computed: computed)
    }

    /// Scores exactly the given slots (a selective filter's allowed set).
    func exactScan(_ q: UnsafePointer<Float>, k: Int, slots: [UInt32]) -> SearchResult {
        var top = CandidateHeap(capacity: k + 1, isMax: true)
        defer { top.deallocate() }
        let batch = 64
        var pointers = [UnsafePointer<Float>?](repeating: nil, count: batch)
        var distances = [Float](repeating: 0, count: batch)
        var i = 0
        while i < slots.count {
            let end = min(i + batch, slots.count)
            for j in i..<end { pointers[j - i] = UnsafePointer(store.vector(slots[j])) }
            pointers.withUnsafeBufferPointer { p in
                distances.withUnsafeMutableBufferPointer { d in
                    kernel.distances(from: q, to: p.baseAddress!, count: end - i, into: d.baseAddress!)
                }
            }
            for j in i..<end { offer(&top, Candidate(distance: distances[j - i], slot: slots[j]), k: k) }
            i = end
        }
        return finish(&top, computed: slots.count)
    }

    @inline(__always) private func offer(_ top: inout CandidateHeap, _ c: Candidate, k: Int) {
        if top.count < k {
            top.push(c)
        } else if c.distance < top.top.distance
            || (c.distance == top.top.distance && c.slot < top.top.slot)
        {
            top.replaceTop(c)
        }
    }

    private func finish(_ top: inout CandidateHeap, computed: Int) -> SearchResult {
        let hits = top.drainAscending().map { c in
            SearchHit(label: store.labelPointer(c.slot).pointee, distance: c.distance,
                      similarity: configuration.metric.similarity(fromDistance: c.distance))
        }
        return SearchResult(hits: hits, exact: true, distanceComputations: computed)
    }
}
