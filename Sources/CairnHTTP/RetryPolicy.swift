/// When to retry a failed HTTP request and how long to wait first (the remote embedders and the chat client).
///
/// Back-off is exponential with full jitter: before retry `n` (1-based) the wait is uniformly random in
/// `0...min(maxBackoff, initialBackoff × 2^(n-1))`, which spreads clients that failed together. A server's
/// `Retry-After` (or `retry-after-ms`) replaces the computed wait when present, up to `maxRetryAfter`.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var maxRetryAfter: Duration

    public init(maxRetries: Int, initialBackoff: Duration, maxBackoff: Duration, maxRetryAfter: Duration) {
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// The ceiling of the jittered wait before retry `retry` (1-based).
    public func ceiling(beforeRetry retry: Int) -> Duration {
        var ceiling = initialBackoff
        for _ in 1..<max(1, retry) {
            ceiling *= 2
            if ceiling >= maxBackoff { return maxBackoff }
        }
        return min(ceiling, maxBackoff)
    }

    /// A random wait in `0...ceiling(beforeRetry: retry)`.
    public func jitteredBackoff(beforeRetry retry: Int) -> Duration {
        let ceiling = ceiling(beforeRetry: retry)
        let nanoseconds = Int64(ceiling.components.seconds) * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds))
    }
}
