import Foundation
import Synchronization

/// A token bucket per key: `rate` requests per second on average, up to `burst` at once.
///
/// A request takes a token; with none left it is refused with the seconds until one is back, which the
/// HTTP layer sends as `Retry-After`. A rate of 0 turns the limit off.
public final class RateLimiter: Sendable {
    public let rate: Double
    public let burst: Int
    private let buckets = Mutex<[APIKeyID: (tokens: Double, at: ContinuousClock.Instant)]>([:])

    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Takes a token for `key`: nil when the request may go ahead, else the seconds to wait (at least 1).
    public func take(_ key: APIKeyID, now: ContinuousClock.Instant = .now) -> Int? {
        guard rate > 0 else { return nil }
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? (Double(burst), now)
            let elapsed = bucket.at.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(Double(burst), bucket.tokens + max(0, seconds) * rate)
            bucket.at = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[key] = bucket
                return nil
            }
            buckets[key] = bucket
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
