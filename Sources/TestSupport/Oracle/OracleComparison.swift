public import CairnVectorMath

/// Comparisons of a fast search's results with the ``BruteForceOracle`` that tolerate float rounding.
///
/// A float search and the double-precision oracle may order two candidates whose distances differ by
/// less than the rounding error differently, and may pick different ids at the k-th place when several
/// candidates tie there. These helpers accept exactly those differences and nothing else.
public enum OracleComparison {
    /// Whether `found` is a correct top-k given the exact `truth` (same length, computed with the same k).
    ///
    /// Rank by rank the distances must agree within `tolerance` (absolute plus relative to the
    /// distance), and every id in `found` must either appear in `truth` or have a distance within
    /// `tolerance` of the k-th true distance (a tie or near-tie at the boundary).
    public static func matches(
        _ found: [Neighbor], _ truth: [BruteForceOracle.Hit], tolerance: Double = 1e-4
    ) -> Bool {
        mismatch(found, truth, tolerance: tolerance) == nil
    }

    /// The first disagreement between `found` and `truth`, described for a test failure; nil if none.
    public static func mismatch(
        _ found: [Neighbor], _ truth: [BruteForceOracle.Hit], tolerance: Double = 1e-4
    ) -> String? {
        if found.count != truth.count { return "found \(found.count) results, expected \(truth.count)" }
        if found.isEmpty { return nil }
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= tolerance * (1 + abs(b)) }
        for (r, (f, t)) in zip(found, truth).enumerated() where !close(Double(f.distance), t.distance) {
            return "rank \(r): distance \(f.distance) (id \(f.id)), expected \(t.distance) (id \(t.id))"
        }
        for (a, b) in zip(found, found.dropFirst()) where b < a {
            return "results out of order: \(a) before \(b)"
        }
        if Set(found.map(\.id)).count != found.count { return "duplicate ids in \(found)" }
        let ids = Set(truth.map(\.id))
        let boundary = truth.last!.distance
        for f in found where !ids.contains(f.id) && !close(Double(f.distance), boundary) {
            return "id \(f.id) at \(f.distance) is not among the true neighbours \(truth)"
        }
        return nil
    }

    /// Recall@k: the fraction of true ids (the first `k` of each truth row) found in the first `k` results.
    public static func recall(found: [[UInt32]], truth: [[UInt32]], k: Int) -> Double {
        precondition(found.count == truth.count, "OracleComparison.recall: \(found.count) result rows, \(truth.count) truth rows")
        var hit = 0, total = 0
        for (f, t) in zip(found, truth) {
            let want = Set(t.prefix(k))
            hit += f.prefix(k).filter { want.contains($0) }.count
            total += want.count
        }
        return total == 0 ? 1 : Double(hit) / Double(total)
    }
}
