internal import CCairnKernels
import CairnVectorMath
import Synchronization

extension HNSWIndex {
    /// Connects a fully written node into the graph, layer by layer from its top layer down.
    func link(slot: UInt32, level: Int) {
        guard let entry = loadEntry(), level <= entry.level else {
            // The node becomes the new top: hold the entry lock while linking, as hnswlib does.
            entryLock.withLock { _ in
                guard let entry = loadEntry() else {
                    storeEntry(Entry(slot: slot, level: level))
                    return
                }
                linkBelow(slot: slot, level: level, from: entry)
                if level > entry.level { storeEntry(Entry(slot: slot, level: level)) }
            }
            return
        }
        linkBelow(slot: slot, level: level, from: entry)
    }

    /// Finds the node's neighbours on each layer from the top down, then writes the links from layer 0 up.
    ///
    /// Writing bottom-up means that whenever a search can reach the new node on some layer, the node's lists
    /// on every layer below are already in place: a concurrent search that descends onto it never finds an
    /// empty layer-0 list there (which would end that search with one result).
    private func linkBelow(slot: UInt32, level: Int, from entry: Entry) {
        let q = UnsafePointer(store.vector(slot))
        var ep = entry.slot
        var epDistance = kernel.distance(q, store.vector(ep))
        var plan: [(layer: Int, chosen: [UInt32])] = []
        scratchPool.with { scratch in
            if entry.level > level {
                for layer in stride(from: entry.level, to: level, by: -1) {
                    (ep, epDistance) = greedy(q, from: ep, distance: epDistance, layer: layer, scratch: scratch)
                }
            }
            for layer in stride(from: min(level, entry.level), through: 0, by: -1) {
                searchLayer(
                    q, entry: ep, entryDistance: epDistance, ef: configuration.efConstruction, layer: layer,
                    admit: nil, scratch: scratch)
                let candidates = scratch.results.drainAscending().filter { $0.slot != slot }
                if candidates.isEmpty { continue }
                plan.append((layer, selectNeighbours(candidates, max: layer == 0 ? newLinks0 : m)))
                ep = candidates[0].slot
                epDistance = candidates[0].distance
            }
        }
        for (layer, chosen) in plan.reversed() {
            let own = list(slot, layer)
            cairn_links_lock(own)
            chosen.withUnsafeBufferPointer { cairn_links_store(own, $0.baseAddress, UInt32($0.count)) }
            cairn_links_unlock(own)
            let cap = layer == 0 ? maxLinks0 : m
            for n in chosen { connect(n, to: slot, layer: layer, capacity: cap) }
        }
    }

    /// Adds `newSlot` to `node`'s list on `layer`, pruning with the heuristic when the list is full.
    private func connect(_ node: UInt32, to newSlot: UInt32, layer: Int, capacity: Int) {
        let l = list(node, layer)
        cairn_links_lock(l)
        defer { cairn_links_unlock(l) }
        let count = Int(l[1])
        let ids = l + 2
        for i in 0..<count where ids[i] == newSlot { return }
        if count < capacity {
            cairn_atomic_store_u32(ids + count, newSlot)
            cairn_atomic_store_u32(l + 1, UInt32(count + 1))
            return
        }
        let base = UnsafePointer(store.vector(node))
        // The list's vectors are rarely in cache: score them in one call, which prefetches ahead.
        var candidates = withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: count + 1) { p in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: count + 1) { d in
                p[0] = UnsafePointer(store.vector(newSlot))
                for i in 0..<count { p[i + 1] = UnsafePointer(store.vector(ids[i])) }
                kernel.distances(from: base, to: p.baseAddress!, count: count + 1, into: d.baseAddress!)
                return (0...count).map { Candidate(distance: d[$0], slot: $0 == 0 ? newSlot : ids[$0 - 1]) }
            }
        }
        candidates.sort { $0.distance < $1.distance }
        let chosen = selectNeighbours(candidates, max: capacity)
        chosen.withUnsafeBufferPointer { cairn_links_store(l, $0.baseAddress, UInt32($0.count)) }
    }

    /// hnswlib's neighbour heuristic: walk candidates by ascending distance and keep one only if it is closer to
    /// the base than to every neighbour already kept, which spreads links across directions.
    ///
    /// The candidate is checked against the kept neighbours four at a time (``DistanceKernel/distances4``):
    /// these vectors are in cache by then, so loads rather than misses bound the checks, and one pass over the
    /// candidate for four neighbours needs fewer of them.
    func selectNeighbours(_ sorted: [Candidate], max limit: Int) -> [UInt32] {
        if sorted.count <= limit { return sorted.map(\.slot) }
        return withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: limit) { keptVectors in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 4) { four in
                var kept: [UInt32] = []
                kept.reserveCapacity(limit)
                let pointers = keptVectors.baseAddress!, out = four.baseAddress!
                for c in sorted {
                    if kept.count >= limit { break }
                    let v = UnsafePointer(store.vector(c.slot))
                    var good = true
                    var j = 0
                    while good, j + 4 <= kept.count {
                        kernel.distances4(from: v, to: pointers + j, into: out)
                        good = out[0] >= c.distance && out[1] >= c.distance && out[2] >= c.distance
                            && out[3] >= c.distance
                        j += 4
                    }
                    while good, j < kept.count {
                        good = kernel.distance(v, pointers[j]!) >= c.distance
                        j += 1
                    }
                    if good {
                        pointers[kept.count] = v
                        kept.append(c.slot)
                    }
                }
                return kept
            }
        }
    }

    /// Greedy descent on one upper layer: move to the closest neighbour until none is closer (hnswlib's
    /// descent; the closest of a list wins, ties to the earlier link). A list is scored in one prefetching call
    /// with the scratch buffers, so the descent allocates nothing. With `codes` (the query's int8 code row) the
    /// distances are between code rows, on the scale of the quantized layer-0 walk that follows.
    func greedy(
        _ q: UnsafePointer<Float>, codes: UnsafeRawPointer? = nil, from start: UInt32, distance: Float, layer: Int,
        scratch: SearchScratch
    ) -> (UInt32, Float) {
        var current = start
        var best = distance
        let ids = scratch.neighbours, distances = scratch.distances
        var changed = true
        while changed {
            changed = false
            let n = Int(cairn_links_read(list(current, layer), ids, UInt32(m)))
            if n == 0 { break }
            score(q, codes: codes, slots: ids, count: n, scratch: scratch)
            for i in 0..<n where distances[i] < best {
                best = distances[i]
                current = ids[i]
                changed = true
            }
        }
        return (current, best)
    }
}
