import CCurl
import Glibc

extension HTTPResponse {
    /// How long the server asked the client to wait before retrying, or nil when it did not say.
    ///
    /// Reads the non-standard `retry-after-ms` (milliseconds, sent by OpenAI) first, then `Retry-After`
    /// as either delay-seconds (`Retry-After: 2`, fractions accepted) or an HTTP date
    /// (`Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`, parsed by `curl_getdate`). A date in the past
    /// gives zero; an unparsable value gives nil.
    ///
    /// - Parameter now: The current time in seconds since the epoch (injectable for tests).
    public func retryAfter(now: Double = HTTPResponse.currentEpochSeconds()) -> Duration? {
        if let raw = headers["retry-after-ms"]?.trimmingSpaces, let ms = Double(raw), ms.isFinite, ms >= 0 {
            return .milliseconds(ms)
        }
        guard let raw = headers["retry-after"]?.trimmingSpaces, !raw.isEmpty else { return nil }
        if let seconds = Double(raw) {
            return seconds.isFinite && seconds >= 0 ? .milliseconds(seconds * 1000) : nil
        }
        let date = curl_getdate(raw, nil)
        guard date >= 0 else { return nil }
        return .milliseconds(max(0, Double(date) - now) * 1000)
    }

    /// The wall-clock time in seconds since the epoch (`CLOCK_REALTIME`).
    public static func currentEpochSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
