extension ExactSearch {
    /// What every worker of one search shares.
    struct Plan: @unchecked Sendable {
        let metric: Metric
        let k: Int
        let exclude: Exclusion?
        let tileRows: Int
        let queryBatch: Int
    }

    /// A run of rows of one block.
    struct Segment: Sendable {
        let block: Block
        let rows: Range<Int>
    }

    /// One worker's scratch memory and tile loop.
    ///
    /// Scores of a (query batch × base tile) go to `scores`; per query row the SIMD filter writes the
    /// surviving column indices and adjusted scores to `indices`/`values`, and those reach the heaps.
    final class Scanner {
        let plan: Plan
        let batch: Int
        let isL2: Bool
        let scores: UnsafeMutablePointer<Float>
        let indices: UnsafeMutablePointer<UInt32>
        let values: UnsafeMutablePointer<Float>
        let tileNorms: UnsafeMutablePointer<Float>
        let queryNorms: UnsafeMutablePointer<Float>
        let heaps: UnsafeMutablePointer<TopK<UInt32>>

        /// A scanner for batches of at most `min(batchCapacity, plan.queryBatch)` queries.
        init(plan: Plan, batchCapacity: Int) {
            self.plan = plan
            self.batch = max(1, min(batchCapacity, plan.queryBatch))
            self.isL2 = plan.metric == .l2
            scores = .allocate(capacity: batch * plan.tileRows)
            indices = .allocate(capacity: plan.tileRows)
            values = .allocate(capacity: plan.tileRows)
            tileNorms = .allocate(capacity: plan.tileRows)
            queryNorms = .allocate(capacity: batch)
            heaps = .allocate(capacity: batch)
            for i in 0..<batch { (heaps + i).initialize(to: TopK<UInt32>(k: plan.k)) }
        }

        deinit {
            scores.deallocate()
            indices.deallocate()
            values.deallocate()
            tileNorms.deallocate()
            queryNorms.deallocate()
            heaps.deinitialize(count: batch)
            heaps.deallocate()
        }

        /// Searches `queries` against `segments`, writing one sorted list per query to `results`.
        func search(queries: MatrixView, segments: [Segment], results: UnsafeMutablePointer<[Neighbor]>) {
            var start = 0
            while start < queries.rows {
                let rows = queries.rows(start..<min(queries.rows, start + batch))
                for i in 0..<rows.rows { heaps[i].reset() }
                if isL2 { rows.rowSquaredNorms(into: queryNorms) }
                for segment in segments { scan(rows, segment) }
                for i in 0..<rows.rows { results[start + i] = heaps[i].sortedNeighbors() }
                start += rows.rows
            }
        }

        /// Scores `batch` against every tile of `segment` and feeds the heaps.
        private func scan(_ batch: MatrixView, _ segment: Segment) {
            let alpha: Float = isL2 ? 2 : 1
            var row = segment.rows.lowerBound
            while row < segment.rows.upperBound {
                let count = min(plan.tileRows, segment.rows.upperBound - row)
                let tile = segment.block.view.rows(row..<(row + count))
                if batch.rows == 1 {
                    BLAS.sgemv(tile, batch.base, into: scores, alpha: alpha)
                } else {
                    BLAS.sgemm(batch, tile, into: scores, ldc: count, alpha: alpha)
                }
                var bias: UnsafePointer<Float>? = nil
                if isL2 {
                    if let norms = segment.block.sqNorms {
                        bias = norms + row
                    } else {
                        tile.rowSquaredNorms(into: tileNorms)
                        bias = UnsafePointer(tileNorms)
                    }
                }
                let firstID = segment.block.firstID &+ UInt32(truncatingIfNeeded: row)
                for q in 0..<batch.rows {
                    select(scores + q &* count, bias: bias, count: count, firstID: firstID, heap: heaps + q,
                           queryNorm: isL2 ? queryNorms[q] : 1)
                }
                row += count
            }
        }

        /// Passes the scores of one query row that can enter its heap.
        ///
        /// A score `s` (dot, or `2q·x - |x|²` for L2) has distance `base - s` with `base` 1 or `|q|²`;
        /// it can enter when that distance is at most the heap's threshold, i.e. `s ≥ base - threshold`.
        /// The filter bound is lowered by a few ulps so rounding never drops an entry; the heap then
        /// decides on the exact distance.
        @inline(__always)
        private func select(
            _ row: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, count: Int, firstID: UInt32,
            heap: UnsafeMutablePointer<TopK<UInt32>>, queryNorm base: Float
        ) {
            let worst = heap.pointee.threshold
            var bound = -Float.infinity
            if worst < .infinity {
                bound = base - worst
                bound -= (abs(base) + abs(worst)) * 0x1p-20
            }
            let n = Kernels.selectAbove(row, bias: bias, count: count, threshold: bound, indices: indices, values: values)
            let exclude = plan.exclude
            for j in 0..<n {
                var d = base - values[j]
                if isL2 && d < 0 { d = 0 }
                if d > heap.pointee.threshold { continue }
                let id = firstID &+ indices[j]
                if let exclude, exclude(id) { continue }
                heap.pointee.push(d, id: id)
            }
        }
    }
}

extension [ExactSearch.Segment] {
    /// Every row of every block, in order.
    init(blocks: [ExactSearch.Block]) {
        self = blocks.map { ExactSearch.Segment(block: $0, rows: 0..<$0.view.rows) }
    }

    /// The segments covering rows `range` of the concatenation of these segments.
    func slice(_ range: Range<Int>) -> [ExactSearch.Segment] {
        var out: [ExactSearch.Segment] = []
        var offset = 0
        for s in self {
            let lo = Swift.max(range.lowerBound, offset), hi = Swift.min(range.upperBound, offset + s.rows.count)
            if lo < hi {
                let from = s.rows.lowerBound + (lo - offset)
                out.append(ExactSearch.Segment(block: s.block, rows: from..<(from + hi - lo)))
            }
            offset += s.rows.count
        }
        return out
    }
}
