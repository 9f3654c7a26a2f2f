internal import CCairnKernels
import CairnVectorMath
import Foundation
import Synchronization

extension HNSWIndex {
    /// Finds the nearest neighbours of `query`.
    /// - Throws: ``IndexError/dimensionMismatch(expected:got:)`` or ``IndexError/invalidQuery(_:)``.
    public func search(_ query: [Float], options: SearchOptions = SearchOptions()) throws(IndexError) -> SearchResult {
        try query.withUnsafeBufferPointer { (q) throws(IndexError) in try search(q, options: options) }
    }

    /// Finds the nearest neighbours of `query` (a buffer of `dimension` floats).
    public func search(_ query: UnsafeBufferPointer<Float>, options: SearchOptions) throws(IndexError) -> SearchResult {
        let (k, ef) = try validate(query: query, options: options)
        return scratchPool.with { scratch in
            let q = prepareQuery(query, scratch: scratch)
            if options.exact {
                switch options.filter {
                case nil: return exactSearch(q, k: k, allowed: nil)
                case .labels(let allowed): return exactScan(q, k: k, slots: resolve(allowed))
                case .allowed(let allowed): return exactScan(q, k: k, slots: allowed.slots(in: self))
                case .predicate(_, let test): return exactSearch(q, k: k, allowed: test)
                }
            }
            switch options.filter {
            case nil:
                return graphSearch(q, k: k, ef: ef, admit: nil, scratch: scratch)
            case .labels(let allowed):
                return filteredSearch(q, k: k, ef: ef, slots: resolve(allowed), scratch: scratch)
            case .allowed(let allowed):
                return filteredSearch(q, k: k, ef: ef, slots: allowed.slots(in: self), scratch: scratch)
            case .predicate(let estimate, let test):
                if estimate <= configuration.fullScanThreshold {
                    return exactSearch(q, k: k, allowed: test)
                }
                let r = graphSearch(q, k: k, ef: ef, admit: { test(self.store.labelPointer($0).pointee) },
                                    scratch: scratch)
                return r.hits.count >= k ? r : exactSearch(q, k: k, allowed: test)
            }
        }
    }

    /// A search restricted to `slots`: exactly those vectors when they are few, else the graph walk admitting
    /// only them (falling back to the exact scan when the walk finds fewer than k).
    func filteredSearch(_ q: UnsafePointer<Float>, k: Int, ef: Int, slots: [UInt32], scratch: SearchScratch)
        -> SearchResult
    {
        if slots.count <= configuration.fullScanThreshold { return exactScan(q, k: k, slots: slots) }
        let bitmap = SlotBitmap(slots: slots, capacity: store.capacity)
        let r = graphSearch(q, k: k, ef: ef, admit: { bitmap.contains($0) }, scratch: scratch)
        return r.hits.count >= min(k, slots.count) ? r : exactScan(q, k: k, slots: slots)
    }

    func validate(query: UnsafeBufferPointer<Float>, options: SearchOptions) throws(IndexError) -> (Int, Int) {
        guard query.count == dimension else { throw .dimensionMismatch(expected: dimension, got: query.count) }
        guard (1...IndexConfiguration.maxK).contains(options.k) else {
            throw .invalidQuery("k = \(options.k) is out of range: expected 1...\(IndexConfiguration.maxK)")
        }
        let ef = options.efSearch ?? configuration.efSearch
        guard (1...10_000).contains(ef) else {
            throw .invalidQuery("ef_search = \(ef) is out of range: expected 1...10000")
        }
        for x in query where !x.isFinite { throw .invalidQuery("the query has a non-finite value") }
        return (options.k, max(ef, options.k))
    }

    /// Copies the query into scratch memory, normalised under cosine.
    func prepareQuery(_ query: UnsafeBufferPointer<Float>, scratch: SearchScratch) -> UnsafePointer<Float> {
        scratch.query.update(from: query.baseAddress!, count: dimension)
        if configuration.metric.normalizes { normalize(scratch.query, count: dimension) }
        return UnsafePointer(scratch.query)
    }

    /// Slots of the live labels in `allowed`.
    func resolve(_ allowed: Set<UInt64>) -> [UInt32] {
        labels.withLock { t in allowed.compactMap { t.slotOf[$0] } }
    }

    func graphSearch(
        _ q: UnsafePointer<Float>, k: Int, ef: Int, admit: ((UInt32) -> Bool)?, scratch: SearchScratch
    ) -> SearchResult {
        guard let entry = loadEntry() else { return SearchResult(hits: [], exact: true, distanceComputations: 0) }
        var ep = entry.slot
        // A quantized index walks every layer on int8 codes: all distances of the walk share one scale, and only
        // the final candidates are scored on float32 (``rerank(_:scratch:k:)``).
        var codes: UnsafeRawPointer?
        var epDistance: Float
        if store.codeStride > 0 {
            cairn_i8_encode(q, dimension, scratch.queryCodes)
            codes = UnsafeRawPointer(scratch.queryCodes)
            epDistance = cairn_i8_distance(codes, store.codes(ep), dimension, kernel.isL2 ? 1 : 0)
        } else {
            epDistance = kernel.distance(q, store.vector(ep))
        }
        for layer in stride(from: entry.level, to: 0, by: -1) {
            (ep, epDistance) = greedy(q, codes: codes, from: ep, distance: epDistance, layer: layer, scratch: scratch)
        }
        let hasDeletes = deletedCount > 0
        let admitted: ((UInt32) -> Bool)?
        if hasDeletes {
            admitted = { slot in
                self.store.meta(slot) & NodeFlags.deleted == 0 && (admit?(slot) ?? true)
            }
        } else {
            admitted = admit
        }
        var computed = searchLayer(q, codes: codes, entry: ep, entryDistance: epDistance, ef: ef, layer: 0,
                                   admit: admitted, scratch: scratch)
        let ranked: [Candidate]
        if codes != nil {
            ranked = rerank(q, scratch: scratch, k: k)
            computed += ranked.count
        } else {
            while scratch.results.count > k { scratch.results.pop() }
            ranked = scratch.results.drainAscending()
        }
        let hits = ranked.prefix(k).map { c in
            SearchHit(label: store.labelPointer(c.slot).pointee, distance: c.distance,
                      similarity: configuration.metric.similarity(fromDistance: c.distance))
        }
        return SearchResult(hits: Array(hits), exact: false, distanceComputations: computed)
    }

    /// How many of a quantized walk's best candidates are re-ranked on float32: 4k, at least 40.
    ///
    /// The int8 codes move a distance by a few thousandths, so the true k nearest sit near the top of the walk's
    /// order; re-ranking only that head spares reading the float32 rows of the rest of the ef candidates.
    /// Measured on 100k synthetic vectors (k 10, ef 64–256): a depth of 10 lost ~1 % recall@10, 20 and
    /// more matched re-ranking all ef candidates.
    static func rerankDepth(k: Int) -> Int { max(4 * k, 40) }

    /// The best ``rerankDepth(k:)`` candidates a quantized walk left in `scratch.results`, with exact float32
    /// distances, nearest first (the caller keeps `k`). Ties go to the smaller slot, so the order is deterministic.
    ///
    /// Below ef = ``rerankDepth(k:)`` the walk holds fewer candidates than the depth. Keeping the best candidates it turned away as well was
    /// tried and changed nothing measurable (100 queries, 4,000 vectors, ef 10 and 16, all three metrics): the
    /// true top 10 almost never rank below the walk's ef-th by code distance; what an int8 walk loses at very low
    /// ef, it loses in where the walk goes, and it gains as often (±0.6 points either way here).
    func rerank(_ q: UnsafePointer<Float>, scratch: SearchScratch, k: Int) -> [Candidate] {
        var found = scratch.results.drainAscending()
        let depth = Self.rerankDepth(k: k)
        if found.count > depth { found.removeLast(found.count - depth) }
        let pointers = scratch.pointers
        let distances = scratch.distances
        var start = 0
        while start < found.count {
            let end = min(found.count, start + maxLinks0)
            for i in start..<end { pointers[i - start] = UnsafePointer(store.vector(found[i].slot)) }
            kernel.distances(from: q, to: pointers, count: end - start, into: distances)
            for i in start..<end { found[i].distance = distances[i - start] }
            start = end
        }
        found.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.slot < $1.slot) }
        return found
    }

    /// Best-first search of one layer (hnswlib's `searchBaseLayer`), leaving up to `ef` admitted nodes in
    /// `scratch.results`. Nodes that fail `admit` still route the search. Returns distances computed.
    ///
    /// With `codes` (the query's int8 code row) distances are those of the nodes' code rows, not of their floats.
    @discardableResult
    func searchLayer(
        _ q: UnsafePointer<Float>, codes: UnsafeRawPointer? = nil, entry: UInt32, entryDistance: Float, ef: Int,
        layer: Int, admit: ((UInt32) -> Bool)?, scratch: SearchScratch
    ) -> Int {
        scratch.beginVisit(capacity: store.capacity)
        // Work on local copies of the heaps: mutating them through the class would cost an exclusivity check
        // per access on this hot path.
        var frontier = scratch.frontier
        var results = scratch.results
        defer {
            scratch.frontier = frontier
            scratch.results = results
        }
        _ = scratch.visit(entry)
        frontier.push(Candidate(distance: entryDistance, slot: entry))
        var bound = Float.infinity
        if admit?(entry) ?? true {
            results.push(Candidate(distance: entryDistance, slot: entry))
            bound = entryDistance
        }
        let maxLinks = UInt32(layer == 0 ? maxLinks0 : m)
        let neighbours = scratch.neighbours
        let pending = scratch.pending
        let distances = scratch.distances
        let visited = scratch.visited
        let visitedCapacity = scratch.visitedCapacity
        let epoch = scratch.epoch
        var computed = 1
        while !frontier.isEmpty {
            let current = frontier.top
            if current.distance > bound && results.count >= ef { break }
            frontier.pop()
            let n = Int(cairn_links_read(list(current.slot, layer), neighbours, maxLinks))
            var p = 0
            for i in 0..<n {
                let s = neighbours[i]
                let si = Int(s)
                if si < visitedCapacity && visited[si] != epoch {
                    visited[si] = epoch
                    pending[p] = s
                    p += 1
                }
            }
            if p == 0 { continue }
            score(q, codes: codes, slots: pending, count: p, scratch: scratch)
            computed += p
            for i in 0..<p {
                let d = distances[i]
                if results.count < ef || d < bound {
                    let s = pending[i]
                    frontier.push(Candidate(distance: d, slot: s))
                    if admit?(s) ?? true {
                        if results.count < ef {
                            results.push(Candidate(distance: d, slot: s))
                        } else {
                            results.replaceTop(Candidate(distance: d, slot: s))
                        }
                        bound = results.top.distance
                    }
                }
            }
        }
        return computed
    }
}

extension HNSWIndex {
    /// Scores the query against `count` slots into `scratch.distances` in one prefetching call: their int8 code
    /// rows with `codes` (the query's code row), else their float32 vectors. The upper-layer descent and the
    /// layer walk both score through here, so a walk never mixes the two scales.
    @inline(__always)
    func score(_ q: UnsafePointer<Float>, codes: UnsafeRawPointer?, slots: UnsafePointer<UInt32>, count: Int,
               scratch: SearchScratch) {
        let pointers = scratch.pointers
        if let codes {
            for i in 0..<count { pointers[i] = UnsafePointer(store.codes(slots[i]).assumingMemoryBound(to: Float.self)) }
            let rows = UnsafeRawPointer(pointers).assumingMemoryBound(to: UnsafeRawPointer?.self)
            cairn_i8_distances(codes, rows, count, dimension, kernel.isL2 ? 1 : 0, scratch.distances)
        } else {
            for i in 0..<count { pointers[i] = UnsafePointer(store.vector(slots[i])) }
            kernel.distances(from: q, to: pointers, count: count, into: scratch.distances)
        }
    }
}

/// A bitmap over slots, for filtered graph searches.
struct SlotBitmap: @unchecked Sendable {
    private let words: [UInt64]

    init(slots: [UInt32], capacity: Int) {
        var w = [UInt64](repeating: 0, count: (capacity + 63) / 64)
        for s in slots { w[Int(s) >> 6] |= 1 << UInt64(s & 63) }
        words = w
    }

    @inline(__always) func contains(_ slot: UInt32) -> Bool {
        let i = Int(slot) >> 6
        return i < words.count && words[i] & (1 << UInt64(slot & 63)) != 0
    }
}
