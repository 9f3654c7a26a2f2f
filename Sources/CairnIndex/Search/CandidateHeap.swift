/// A (distance, slot) pair, ordered by distance.
struct Candidate {
    var distance: Float
    var slot: UInt32
}

/// A binary heap of candidates over a fixed buffer: `Max` keeps the worst on top (result sets),
/// otherwise the best is on top (frontier). Unchecked pointer code: this is the search's inner loop.
struct CandidateHeap {
    private(set) var storage: UnsafeMutablePointer<Candidate>
    private(set) var capacity: Int
    var count = 0
    let isMax: Bool

    init(capacity: Int, isMax: Bool) {
        self.capacity = max(capacity, 16)
        self.storage = .allocate(capacity: self.capacity)
        self.isMax = isMax
    }

    func deallocate() { storage.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// The top element (worst for a max-heap, best for a min-heap).
    @inline(__always) var top: Candidate { storage[0] }

    @inline(__always) private func above(_ a: Candidate, _ b: Candidate) -> Bool {
        isMax ? a.distance > b.distance : a.distance < b.distance
    }

    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        let bigger = UnsafeMutablePointer<Candidate>.allocate(capacity: n)
        bigger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity = n
    }

    @inline(__always) mutating func push(_ c: Candidate) {
        if count == capacity { reserve(capacity * 2) }
        var i = count
        count += 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if !above(c, storage[parent]) { break }
            storage[i] = storage[parent]
            i = parent
        }
        storage[i] = c
    }

    @inline(__always) @discardableResult
    mutating func pop() -> Candidate {
        let result = storage[0]
        count -= 1
        if count > 0 { siftDown(storage[count]) }
        return result
    }

    /// Replaces the top with `c` (cheaper than pop + push).
    @inline(__always) mutating func replaceTop(_ c: Candidate) { siftDown(c) }

    @inline(__always) private mutating func siftDown(_ c: Candidate) {
        var i = 0
        let n = count
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var child = l
            if l + 1 < n && above(storage[l + 1], storage[l]) { child = l + 1 }
            if !above(storage[child], c) { break }
            storage[i] = storage[child]
            i = child
        }
        storage[i] = c
    }

    mutating func removeAll() { count = 0 }

    /// The elements sorted by ascending distance (ties by slot); empties the heap.
    mutating func drainAscending() -> [Candidate] {
        var out = [Candidate](unsafeUninitializedCapacity: count) { buf, n in
            for i in 0..<count { buf[i] = storage[i] }
            n = count
        }
        count = 0
        out.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.slot < $1.slot) }
        return out
    }
}
