@testable import CairnEmbedding
import CairnHTTP
import Testing
import TestSupport

/// Retries with back-off on 429, 5xx, timeouts and broken connections; `Retry-After` honoured; none on 4xx.
struct RemoteEmbedderRetryTests {
    @Test func retryAfterSecondsIsHonoured() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 4)
        stub.enqueue(.rateLimited(retryAfter: "1"))
        let embedder = try RemoteEmbedders.make(stub.configuration(), environment: stub.environment)
        let output = try await embedder.embed(["hello"])
        #expect(output.vectors == [EmbeddingStub.vector(for: "hello", dimension: 4)])
        #expect(output.usage.requests == 2)
        let gap = stub.requests[1].receivedAt - stub.requests[0].receivedAt
        #expect(gap >= .milliseconds(950) && gap < .milliseconds(1800), "gap \(gap)")
    }

    @Test func retryAfterMillisecondsIsHonoured() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 4)
        stub.enqueue(.rateLimited(retryAfter: "20", retryAfterMilliseconds: 250))
        let embedder = try RemoteEmbedders.make(stub.configuration(), environment: stub.environment)
        _ = try await embedder.embed(["hello"])
        let gap = stub.requests[1].receivedAt - stub.requests[0].receivedAt
        #expect(gap >= .milliseconds(240) && gap < .milliseconds(1000), "gap \(gap)")
    }

    @Test func retryAfterBeyondTheLimitFailsAtOnce() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 4)
        stub.enqueue(.rateLimited(retryAfter: "120"))
        let embedder = try RemoteEmbedders.make(stub.configuration(), environment: stub.environment)
        let error = try #require(await embedder.embedFailure(["x"]))
        #expect(error.kind == .rateLimited)
        #expect(error.message.contains("retry after 120 s"))
        #expect(error.message.contains("max_retry_after_seconds = 60"))
        #expect(stub.requests.count == 1)
    }

    @Test(arguments: [EmbeddingProvider.openai, .ollama, .tei])
    func transientFailuresAreRetriedUntilSuccess(_ format: EmbeddingProvider) async throws {
        let stub = try EmbeddingStub(format: format, dimension: 4)
        stub.enqueue(.serverError(status: 500))
        stub.enqueue(.rateLimited())
        stub.enqueue(.serverError(status: 503))
        let embedder = try RemoteEmbedders.make(stub.configuration(), environment: stub.environment)
        let output = try await embedder.embed(["a", "b"])
        #expect(output.vectors.count == 2)
        #expect(stub.requests.count == 4)
        #expect(output.usage.requests == 4)
        #expect(output.usage.promptTokens == 2)  // only the successful answer reports usage
    }

    @Test func brokenConnectionsAreRetried() async throws {
        let stub = try EmbeddingStub(format: .ollama, dimension: 4)
        stub.enqueue(.dropConnection)
        stub.enqueue(.cutBody)
        let output = try await RemoteEmbedders.make(stub.configuration()).embed(["a"])
        #expect(output.vectors.count == 1)
        #expect(output.usage.requests == 3)
    }

    @Test func slowResponsePastTheTimeoutIsRetried() async throws {
        let stub = try EmbeddingStub(format: .tei, dimension: 4)
        stub.enqueue(.slow(.seconds(1)))
        var configuration = stub.configuration()
        configuration.requestTimeout = .milliseconds(200)
        let start = ContinuousClock.now
        let output = try await RemoteEmbedders.make(configuration).embed(["a"])
        #expect(output.vectors.count == 1)
        #expect(output.usage.requests == 2)
        #expect(ContinuousClock.now - start < .milliseconds(900))
    }

    @Test func persistentTimeoutsEndInATimeoutError() async throws {
        let stub = try EmbeddingStub(format: .tei, dimension: 4)
        stub.enqueue(.slow(.seconds(1)), times: 3)
        var configuration = stub.configuration()
        configuration.requestTimeout = .milliseconds(100)
        configuration.maxRetries = 2
        let error = try #require(await RemoteEmbedders.make(configuration).embedFailure(["a"]))
        #expect(error.kind == .timeout)
        #expect(error.message.contains("no response within 0.1 s"))
        #expect(error.message.contains("3 attempts"))
        #expect(stub.requests.count == 3)
    }

    @Test func persistentRateLimitEndsInRateLimited() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 4)
        stub.enqueue(.rateLimited(), times: 10)
        let error = try #require(await RemoteEmbedders.make(stub.configuration(), environment: stub.environment).embedFailure(["a"]))
        #expect(error.kind == .rateLimited)
        #expect(error.message.contains("HTTP 429"))
        #expect(error.message.contains("4 attempts"))
        #expect(error.message.contains("Rate limit reached"))
        #expect(stub.requests.count == 4)  // the first attempt and max_retries = 3
    }

    @Test func persistentServerErrorEndsInServerError() async throws {
        let stub = try EmbeddingStub(format: .ollama, dimension: 4)
        stub.enqueue(.serverError(status: 502), times: 10)
        var configuration = stub.configuration()
        configuration.maxRetries = 1
        let error = try #require(await RemoteEmbedders.make(configuration).embedFailure(["a"]))
        #expect(error.kind == .server(status: 502))
        #expect(!error.isUserError)
        #expect(stub.requests.count == 2)
    }

    @Test(arguments: [400, 401, 403, 404, 422])
    func clientErrorsAreNotRetried(_ status: Int) async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 4)
        stub.enqueue(.status(status, message: "nope"), times: 5)
        let embedder = try RemoteEmbedders.make(stub.configuration(), environment: stub.environment)
        _ = await embedder.embedFailure(["a"])
        #expect(stub.requests.count == 1)
    }

    @Test func backOffGrowsExponentiallyUpToTheCap() {
        var configuration = EmbedderConfiguration(provider: .ollama)
        configuration.initialBackoff = .milliseconds(100)
        configuration.maxBackoff = .milliseconds(500)
        let policy = RetryPolicy(configuration)
        #expect((1...5).map { policy.ceiling(beforeRetry: $0) }
            == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500)])
        for retry in 1...5 {
            for _ in 0..<50 {
                let wait = policy.jitteredBackoff(beforeRetry: retry)
                #expect(wait >= .zero && wait <= policy.ceiling(beforeRetry: retry))
            }
        }
        // Full jitter: waits spread over the whole range rather than clustering at the ceiling.
        let waits = (0..<200).map { _ in policy.jitteredBackoff(beforeRetry: 3) }
        #expect(waits.contains { $0 < .milliseconds(100) } && waits.contains { $0 > .milliseconds(300) })
    }

    @Test func backOffGapsStayWithinTheConfiguredCeilings() async throws {
        let stub = try EmbeddingStub(format: .tei, dimension: 4)
        stub.enqueue(.serverError(), times: 3)
        var configuration = stub.configuration()
        configuration.initialBackoff = .milliseconds(40)
        configuration.maxBackoff = .milliseconds(60)
        let output = try await RemoteEmbedders.make(configuration).embed(["a"])
        #expect(output.usage.requests == 4)
        // Jitter has no lower bound; the upper bound is the ceiling plus a round trip (generous for a busy
        // machine): far below what an unbounded or second-scale back-off would give.
        let times = stub.requests.map(\.receivedAt)
        let ceilings: [Duration] = [.milliseconds(40), .milliseconds(60), .milliseconds(60)]
        for (index, ceiling) in ceilings.enumerated() {
            #expect(times[index + 1] - times[index] < ceiling + .milliseconds(450))
        }
    }
}
