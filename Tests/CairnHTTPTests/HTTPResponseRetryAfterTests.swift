import CairnHTTP
import Testing

/// `Retry-After` as delay-seconds, HTTP date, and OpenAI's `retry-after-ms`.
struct RetryAfterTests {
    func response(_ headers: HTTPHeaders) -> HTTPResponse { HTTPResponse(status: 429, headers: headers) }

    @Test func delaySeconds() {
        #expect(response(["Retry-After": "2"]).retryAfter() == .seconds(2))
        #expect(response(["Retry-After": " 0.25 "]).retryAfter() == .milliseconds(250))
        #expect(response(["Retry-After": "-1"]).retryAfter() == nil)
        #expect(response(["Retry-After": "soon"]).retryAfter() == nil)
        #expect(response([:]).retryAfter() == nil)
    }

    @Test func millisecondsHeaderWins() {
        #expect(response(["Retry-After": "20", "retry-after-ms": "150"]).retryAfter() == .milliseconds(150))
    }

    @Test func httpDate() {
        // Wed, 21 Oct 2015 07:28:00 GMT = 1445412480.
        let headers: HTTPHeaders = ["Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"]
        #expect(response(headers).retryAfter(now: 1_445_412_477.5) == .milliseconds(2500))
        #expect(response(headers).retryAfter(now: 1_445_412_490) == .zero)
    }
}
