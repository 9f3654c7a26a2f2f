/// Bounded selection of the `k` smallest distances seen, each with an id payload.
///
/// A binary max-heap keyed by `(distance, id)`: the root is the worst entry kept, exposed as
/// ``threshold`` so that scans can skip a candidate with one comparison. Among equal distances the
/// smaller ids are kept, so the result does not depend on the order candidates arrive in.
///
/// `TopK` owns its storage and is `~Copyable`: no reference counting on the hot path.
///
/// ```swift
/// var top = TopK<UInt32>(k: 10)
/// for (id, d) in candidates where d < top.threshold { top.push(d, id: id) }
/// let best = top.sortedResults()      // ascending by distance, ties by id
/// ```
public struct TopK<ID: FixedWidthInteger & UnsignedInteger & Sendable>: ~Copyable {
    /// The capacity: how many entries are kept at most.
    public let k: Int
    /// How many entries are held (≤ ``k``).
    @inlinable public var count: Int { _count }
    /// The worst distance kept once ``k`` entries are held, `+infinity` before (`-infinity` when k is 0).
    ///
    /// A candidate with a distance above the threshold can never enter; one equal to it enters only
    /// with a smaller id than the worst entry.
    @inlinable public var threshold: Float { _threshold }
    @usableFromInline var _count: Int
    @usableFromInline var _threshold: Float
    @usableFromInline let distances: UnsafeMutablePointer<Float>
    @usableFromInline let ids: UnsafeMutablePointer<ID>

    /// An empty selection keeping at most `k` entries.
    public init(k: Int) {
        precondition(k >= 0, "TopK: negative k \(k)")
        self.k = k
        self._count = 0
        self._threshold = k == 0 ? -.infinity : .infinity
        self.distances = .allocate(capacity: max(k, 1))
        self.ids = .allocate(capacity: max(k, 1))
    }

    deinit {
        distances.deallocate()
        ids.deallocate()
    }

    /// Whether ``k`` entries are held.
    @inlinable public var isFull: Bool { count == k }

    /// Empties the selection, keeping its storage.
    public mutating func reset() {
        _count = 0
        _threshold = k == 0 ? -.infinity : .infinity
    }

    /// Offers a candidate; returns whether it was kept. NaN distances are never kept.
    @inlinable @inline(__always) @discardableResult
    public mutating func push(_ distance: Float, id: ID) -> Bool {
        if distance > _threshold { return false }
        return _pushSlow(distance, id: id)
    }

    @inlinable
    mutating func _pushSlow(_ d: Float, id: ID) -> Bool {
        if d.isNaN { return false }
        if _count < k {
            // Sift up from the new leaf.
            var i = _count
            _count &+= 1
            while i > 0 {
                let parent = (i &- 1) >> 1
                if !Self.worse(d, id, than: distances[parent], ids[parent]) { break }
                distances[i] = distances[parent]
                ids[i] = ids[parent]
                i = parent
            }
            distances[i] = d
            ids[i] = id
            if _count == k { _threshold = distances[0] }
            return true
        }
        guard k > 0, Self.worse(distances[0], ids[0], than: d, id) else { return false }
        siftDown(d, id)
        _threshold = distances[0]
        return true
    }

    /// Replaces the root by `(d, id)` and restores the heap order.
    @inlinable
    mutating func siftDown(_ d: Float, _ id: ID) {
        var i = 0
        let n = _count
        while true {
            let l = 2 &* i &+ 1
            if l >= n { break }
            var c = l
            let r = l &+ 1
            if r < n && Self.worse(distances[r], ids[r], than: distances[l], ids[l]) { c = r }
            if !Self.worse(distances[c], ids[c], than: d, id) { break }
            distances[i] = distances[c]
            ids[i] = ids[c]
            i = c
        }
        distances[i] = d
        ids[i] = id
    }

    /// Whether `(d1, id1)` ranks after `(d2, id2)`.
    @inlinable @inline(__always)
    static func worse(_ d1: Float, _ id1: ID, than d2: Float, _ id2: ID) -> Bool {
        d1 > d2 || (d1 == d2 && id1 > id2)
    }

    /// Offers every entry of `other`.
    public mutating func merge(_ other: borrowing TopK<ID>) {
        for i in 0..<other.count { push(other.distances[i], id: other.ids[i]) }
    }

    /// The entries, ascending by distance, ties by id. The selection is left as it was.
    public func sortedResults() -> [(id: ID, distance: Float)] {
        var out: [(id: ID, distance: Float)] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append((ids[i], distances[i])) }
        out.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
        return out
    }
}

extension TopK where ID == UInt32 {
    /// The entries as ``Neighbor``s, ascending by distance, ties by id.
    public func sortedNeighbors() -> [Neighbor] {
        var out: [Neighbor] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append(Neighbor(id: ids[i], distance: distances[i])) }
        out.sort(by: <)
        return out
    }
}
