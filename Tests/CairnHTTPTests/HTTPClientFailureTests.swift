import CairnHTTP
import Testing
import TestSupport

/// Every transport failure becomes the right ``HTTPError`` kind with a message naming the URL.
struct HTTPClientFailureTests {
    let client = HTTPClient()

    @Test func timeoutIsReportedAsTimeout() async throws {
        let server = try StubHTTPServer { _ in StubHTTPResponse(body: Array("late".utf8), delay: .seconds(2)) }
        let start = ContinuousClock.now
        let url = server.baseURL + "/slow"
        let error = try #require(await client.failure(sending: HTTPRequest(url: url, timeout: .milliseconds(200))))
        let elapsed = ContinuousClock.now - start
        #expect(error.kind == .timeout)
        #expect(error.isRetryable)
        #expect(error.curlCode == 28)
        #expect(error.message.contains(url))
        #expect(error.message.contains("200 ms"))
        #expect(elapsed >= .milliseconds(190) && elapsed < .seconds(1.5))
    }

    @Test func refusedConnection() async throws {
        let port = try StubHTTPServer.unusedPort()
        let error = try #require(await client.failure(sending: HTTPRequest(url: "http://127.0.0.1:\(port)/")))
        #expect(error.kind == .connectionRefused)
        #expect(error.isRetryable)
        #expect(error.message.contains("127.0.0.1:\(port)"))
    }

    @Test func unresolvableHost() async throws {
        let error = try #require(await client.failure(sending: HTTPRequest(url: "http://cairn-no-such-host.invalid/", timeout: .seconds(20))))
        #expect(error.kind == .dnsFailure)
        #expect(error.message.contains("cairn-no-such-host.invalid"))
    }

    @Test func tlsToAPlainServerFails() async throws {
        let server = try StubHTTPServer { _ in .text("plain") }
        let url = "https://127.0.0.1:\(server.port)/"
        let error = try #require(await client.failure(sending: HTTPRequest(url: url, timeout: .seconds(5))))
        #expect(error.kind == .tls)
        #expect(!error.isRetryable)
    }

    @Test(arguments: ["http://[::1/", "ftp://127.0.0.1/file", "not a url", "http://exa mple.com/"])
    func malformedOrUnsupportedURL(_ url: String) async throws {
        let error = try #require(await client.failure(sending: HTTPRequest(url: url)))
        #expect(error.kind == .invalidRequest, "\(url): \(error)")
        #expect(error.isUserError)
    }

    @Test func headerWithLineBreakIsRefused() async throws {
        let request = HTTPRequest(url: "http://127.0.0.1:1/", headers: ["X-Bad": "a\r\nInjected: yes"])
        let error = try #require(await client.failure(sending: request))
        #expect(error.kind == .invalidRequest)
    }

    @Test func connectionClosedWithoutAnswer() async throws {
        let server = try StubHTTPServer { _ in StubHTTPResponse(action: .close) }
        let error = try #require(await client.failure(sending: HTTPRequest(url: server.baseURL)))
        #expect(error.kind == .connectionLost)
        #expect(error.isRetryable)
    }

    @Test func connectionClosedMidBody() async throws {
        let server = try StubHTTPServer { _ in
            StubHTTPResponse(body: Array(repeating: 65, count: 1000), action: .cutBody(afterBytes: 300))
        }
        let error = try #require(await client.failure(sending: HTTPRequest(url: server.baseURL)))
        #expect(error.kind == .connectionLost)
    }

    @Test func oversizedBodyIsRefused() async throws {
        let server = try StubHTTPServer { _ in StubHTTPResponse(body: Array(repeating: 65, count: 10_000)) }
        let error = try #require(await client.failure(sending: HTTPRequest(url: server.baseURL, maxResponseBytes: 1000)))
        #expect(error.kind == .responseTooLarge)
    }

    @Test func cancellingTheTaskAbandonsTheTransfer() async throws {
        let server = try StubHTTPServer { _ in StubHTTPResponse(delay: .seconds(3)) }
        let client = self.client
        let task = Task { await client.failure(sending: HTTPRequest(url: server.baseURL, timeout: .seconds(10))) }
        try await Task.sleep(for: .milliseconds(150))
        let start = ContinuousClock.now
        task.cancel()
        let error = try #require(await task.value)
        #expect(error.kind == .cancelled)
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        let server = try StubHTTPServer { _ in .text("ok") }
        let client = self.client
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await client.failure(sending: HTTPRequest(url: server.baseURL))
        }
        let error = try #require(await task.value)
        #expect(error.kind == .cancelled)
        #expect(server.requests.isEmpty)
    }
}
