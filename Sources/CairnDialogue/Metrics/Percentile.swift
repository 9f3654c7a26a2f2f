/// Exact percentiles by nearest rank — PostgreSQL's `percentile_disc`: the smallest value with at least the
/// given share of all values at or below it. Always a latency that was really observed, and the same number a
/// `percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_total_ms)` over the mirror gives.
public enum Percentile {
    /// The `perMille`-th per-mille (950 for p95) of `sorted` (ascending); nil when empty.
    ///
    /// The rank is `⌈perMille × n / 1000⌉` in integers, so no binary rounding can move it.
    public static func nearestRank(_ sorted: [Double], perMille: Int) -> Double? {
        guard !sorted.isEmpty else { return nil }
        precondition((1...1_000).contains(perMille), "a percentile is 0.1 to 100")
        let rank = (perMille * sorted.count + 999) / 1_000
        return sorted[max(1, rank) - 1]
    }
}
