/// When to retry a failed embedding request and how long to wait first.
///
/// Back-off is exponential with full jitter: before retry `n` (1-based) the wait is uniformly random in
/// `0...min(maxBackoff, initialBackoff × 2^(n-1))`, which spreads clients that failed together. A server's
/// `Retry-After` (or `retry-after-ms`) replaces the computed wait when present, up to `maxRetryAfter`.
struct RetryPolicy: Sendable {
    var maxRetries: Int
    var initialBackoff: Duration
    var maxBackoff: Duration
    var maxRetryAfter: Duration

    init(_ configuration: EmbedderConfiguration) {
        maxRetries = configuration.maxRetries
        initialBackoff = configuration.initialBackoff
        maxBackoff = configuration.maxBackoff
        maxRetryAfter = configuration.maxRetryAfter
    }

    /// The ceiling of the jittered wait before retry `retry` (1-based).
    func ceiling(beforeRetry retry: Int) -> Duration {
        var ceiling = initialBackoff
        for _ in 1..<max(1, retry) {
            ceiling *= 2
            if ceiling >= maxBackoff { return maxBackoff }
        }
        return min(ceiling, maxBackoff)
    }

    /// A random wait in `0...ceiling(beforeRetry: retry)`.
    func jitteredBackoff(beforeRetry retry: Int) -> Duration {
        let ceiling = ceiling(beforeRetry: retry)
        let nanoseconds = Int64(ceiling.components.seconds) * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds))
    }
}
