import Foundation

extension KeywordIndex {
    /// The `k` best-scoring texts for `query` among the labels `allowed` admits (nil: all).
    ///
    /// A filter is applied while scoring, never after: a tenant's search ranks only its own chunks.
    public func search(_ query: String, k: Int, allowed: Set<UInt64>? = nil) -> KeywordSearchResult {
        let terms = Array(Set(tokenizer.terms(query))).sorted()
        return lock.reading { score(terms: terms, k: k, allowed: allowed) }
    }

    private func score(terms: [String], k: Int, allowed: Set<UInt64>?) -> KeywordSearchResult {
        let s = state
        let n = Double(s.live)
        let k1 = Float(parameters.k1)
        let b = Float(parameters.b)
        let averageLength = s.live > 0 ? Float(s.totalLength / n) : 1
        let lengthWeight = averageLength > 0 ? k1 * b / averageLength : 0
        let constant = k1 * (1 - b)
        func idf(_ df: Double) -> Float { Float(log(1 + (n - df + 0.5) / (df + 0.5))) }
        var ceiling: Float = 0
        var unknown = 0
        var lists: [(idf: Float, id: Int)] = []
        for term in terms {
            if let id = s.termIDs[term], s.documentFrequency[Int(id)] > 0 {
                let w = idf(Double(s.documentFrequency[Int(id)]))
                ceiling += w * (k1 + 1)
                lists.append((w, Int(id)))
            } else {
                unknown += 1
                ceiling += idf(0) * (k1 + 1)
            }
        }
        var result = KeywordSearchResult(hits: [], terms: terms, unknownTerms: unknown, ceiling: ceiling, matched: 0)
        guard !lists.isEmpty, k > 0 else { return result }
        // A mask over slots when the filter is smaller than the postings to scan; else a set lookup per posting.
        let scanned = lists.reduce(0) { $0 + s.postings[$1.id].count }
        var mask: [Bool]? = nil
        if let allowed, allowed.count < scanned {
            var m = [Bool](repeating: false, count: s.labels.count)
            for label in allowed { if let slot = s.slotOf[label] { m[Int(slot)] = true } }
            mask = m
        }
        var scores = [Float](repeating: 0, count: s.labels.count)
        var touched: [UInt32] = []
        s.alive.withUnsafeBufferPointer { alive in
            s.lengths.withUnsafeBufferPointer { lengths in
                scores.withUnsafeMutableBufferPointer { acc in
                    for (w, id) in lists {
                        let scale = w * (k1 + 1)
                        s.postings[id].withUnsafeBufferPointer { list in
                            for p in list {
                                let slot = Int(p.slot)
                                guard alive[slot] else { continue }
                                if let mask {
                                    guard mask[slot] else { continue }
                                } else if let allowed, !allowed.contains(s.labels[slot]) {
                                    continue
                                }
                                if acc[slot] == 0 { touched.append(p.slot) }
                                acc[slot] += scale * p.tf / (p.tf + constant + lengthWeight * lengths[slot])
                            }
                        }
                    }
                }
            }
        }
        result.matched = touched.count
        let best = TopScores.select(touched, k: k, score: { scores[Int($0)] }, label: { s.labels[Int($0)] })
        let scale = ceiling > 0 ? 1 / ceiling : 0
        result.hits = best.map { slot in
            let raw = scores[Int(slot)]
            return KeywordHit(label: s.labels[Int(slot)], score: min(1, raw * scale), bm25: raw)
        }
        return result
    }
}

/// The k best of a set of slots by score (ties: smaller label first).
enum TopScores {
    static func select(_ slots: [UInt32], k: Int, score: (UInt32) -> Float, label: (UInt32) -> UInt64) -> [UInt32] {
        func better(_ a: UInt32, _ b: UInt32) -> Bool {
            let sa = score(a), sb = score(b)
            return sa != sb ? sa > sb : label(a) < label(b)
        }
        if slots.count <= k { return slots.sorted(by: better) }
        // A min-heap of the k best so far: the root is the worst of them.
        var heap = Array(slots[0..<k])
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var worst = i
                if l < heap.count, better(heap[worst], heap[l]) { worst = l }
                if r < heap.count, better(heap[worst], heap[r]) { worst = r }
                if worst == i { return }
                heap.swapAt(i, worst)
                i = worst
            }
        }
        for i in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(i) }
        for slot in slots[k...] where better(slot, heap[0]) {
            heap[0] = slot
            siftDown(0)
        }
        return heap.sorted(by: better)
    }
}
