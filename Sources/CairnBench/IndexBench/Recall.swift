/// Recall of approximate results against exact ground truth.
///
/// recall@R of one query is |first R results ∩ first R true neighbours| / R: the order inside the first
/// R does not matter, and a result beyond position R never counts. When fewer than R true neighbours exist
/// (a base smaller than R), R shrinks to their number.
///
/// ```swift
/// Recall.at(2, found: [7, 3, 9], truth: [3, 5, 7])   // 0.5: {7, 3} ∩ {3, 5} = {3}
/// ```
public enum Recall {
    /// recall@`r` of one query.
    /// - Parameters:
    ///   - found: result labels, best first.
    ///   - truth: true neighbour ids, best first (an `.ivecs` row).
    public static func at(_ r: Int, found: some Collection<UInt64>, truth: some Collection<Int32>) -> Double {
        let (hits, depth) = count(r, found: found, truth: truth)
        return depth > 0 ? Double(hits) / Double(depth) : 1
    }

    /// recall@`r` averaged over queries; `found[i]` and `truth[i]` belong to query `i`.
    ///
    /// Computed as total hits over total depth — the mean of the per-query recalls, since every truth row
    /// of an `.ivecs` file has the same depth — so the value carries no summation drift.
    public static func mean(at r: Int, found: [[UInt64]], truth: [[Int32]]) -> Double {
        precondition(found.count <= truth.count, "Recall: \(found.count) result lists but \(truth.count) truth rows")
        var hits = 0, depth = 0
        for (i, row) in found.enumerated() {
            let c = count(r, found: row, truth: truth[i])
            hits += c.hits
            depth += c.depth
        }
        return depth > 0 ? Double(hits) / Double(depth) : (found.isEmpty ? 0 : 1)
    }

    /// The hits among the first `min(r, truth.count)` results, and that depth.
    static func count(
        _ r: Int, found: some Collection<UInt64>, truth: some Collection<Int32>
    ) -> (hits: Int, depth: Int) {
        let depth = min(r, truth.count)
        guard depth > 0 else { return (0, 0) }
        let expected = Set(truth.prefix(depth).map { Int64($0) })
        var hits = 0
        for label in found.prefix(depth) where label <= UInt64(Int64.max) && expected.contains(Int64(label)) {
            hits += 1
        }
        return (hits, depth)
    }
}
