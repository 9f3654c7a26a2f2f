import Glibc

/// The monotonic clock used by every benchmark timing, and the statistics taken from its samples.
public enum BenchClock {
    /// Nanoseconds of `CLOCK_MONOTONIC` (a vDSO call of ~20 ns, cheap enough to wrap each query).
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Runs `body` and returns its result with the wall time in seconds.
    public static func measure<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> (R, seconds: Double) {
        let start = nanoseconds()
        let result = try body()
        return (result, Double(nanoseconds() - start) / 1e9)
    }

    /// The nearest-rank `p`-quantile (0...1) of `samples`, which must be sorted ascending; 0 when empty.
    public static func quantile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
        sorted.isEmpty ? 0 : quantile(of: sorted, p)
    }

    /// The nearest-rank `p`-quantile (0...1) of non-empty ascending `sorted` values.
    static func quantile<T>(of sorted: [T], _ p: Double) -> T {
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// `count / seconds`, or 0 when nothing was timed (never NaN or infinity, which JSON cannot hold).
    public static func rate(_ count: Int, seconds: Double) -> Double {
        seconds > 0 && count > 0 ? Double(count) / seconds : 0
    }
}
