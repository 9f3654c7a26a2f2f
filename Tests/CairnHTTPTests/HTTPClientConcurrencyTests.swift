import CairnHTTP
import Testing
import TestSupport

/// Transfers run on the client's driver thread, all at once, never blocking Swift's cooperative pool.
struct HTTPClientConcurrencyTests {
    @Test func manySlowRequestsOverlap() async throws {
        // Eight 500 ms requests on a 2-core machine: if each blocked a cooperative thread they would take
        // at least 4 × 500 ms; run by the driver they overlap completely.
        let server = try StubHTTPServer { request in StubHTTPResponse(body: Array(request.path.utf8), delay: .milliseconds(500)) }
        let client = HTTPClient()
        let start = ContinuousClock.now
        let bodies = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<8 {
                group.addTask { try await client.send(HTTPRequest(url: server.baseURL + "/\(index)")).bodyText }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - start
        #expect(Set(bodies) == Set((0..<8).map { "/\($0)" }))
        #expect(server.maxConcurrentRequests == 8)
        #expect(elapsed < .milliseconds(1500), "took \(elapsed)")
    }

    @Test func cooperativePoolStaysFreeDuringTransfers() async throws {
        // More slow transfers in flight than the pool has threads (one per core): a task started meanwhile
        // still runs at once, which it could not if the transfers blocked pool threads.
        let server = try StubHTTPServer { _ in StubHTTPResponse(delay: .seconds(1)) }
        let client = HTTPClient()
        let transfers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 { group.addTask { _ = try await client.send(HTTPRequest(url: server.baseURL)) } }
                try await group.waitForAll()
            }
        }
        while server.requests.count < 6 { try await Task.sleep(for: .milliseconds(5)) }
        let start = ContinuousClock.now
        let answer = await Task.detached { 6 * 7 }.value
        #expect(answer == 42)
        #expect(ContinuousClock.now - start < .milliseconds(500))
        try await transfers.value
    }

    @Test func clientsShutDownWhenReleased() async throws {
        let server = try StubHTTPServer { _ in .text("ok") }
        for _ in 0..<20 {
            let client = HTTPClient()
            _ = try await client.send(HTTPRequest(url: server.baseURL))
        }
        #expect(server.requests.count == 20)
    }
}
