import CairnHTTP
import Foundation
import Glibc
import Synchronization

/// A real HTTP/1.1 server on `127.0.0.1` and an ephemeral port, for tests of HTTP clients.
///
/// Each accepted connection is served on its own thread (keep-alive, `Content-Length` bodies,
/// `Expect: 100-continue`), so concurrent requests are really concurrent and a slow response delays only its
/// own connection. Every request is logged with its arrival time and the number of requests in progress,
/// which lets tests assert batching, headers, retries, back-off gaps and concurrency limits. The server
/// stops when released (or at ``stop()``).
///
/// ```swift
/// let server = try StubHTTPServer { request in .json(#"{"ok":true}"#) }
/// let response = try await HTTPClient().send(HTTPRequest(url: server.baseURL + "/health"))
/// #expect(server.requests.count == 1)
/// ```
public final class StubHTTPServer: Sendable {
    /// Answers one request; runs on the connection's thread.
    public typealias Handler = @Sendable (StubHTTPRequest) -> StubHTTPResponse

    private let core: _StubServerCore

    /// Binds `127.0.0.1:0`, starts accepting, and answers every request with `handler`.
    public init(handler: @escaping Handler) throws {
        core = try _StubServerCore(handler: handler)
        core.start()
    }

    deinit {
        core.stop()
    }

    /// The port the server listens on.
    public var port: UInt16 { core.port }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in arrival order.
    public var requests: [StubHTTPRequest] { core.state.withLock { $0.log } }

    /// The most requests that were in progress (read, not yet answered) at the same time.
    public var maxConcurrentRequests: Int { core.state.withLock { $0.maxInFlight } }

    /// Connections accepted so far.
    public var connectionCount: Int { core.state.withLock { $0.connections } }

    /// Stops accepting and closes every connection within 20 ms, abandoning slow responses; returns at once.
    /// Calling it twice is harmless.
    public func stop() {
        core.stop()
    }

    /// A port on 127.0.0.1 that nothing listens on (bound and released at once), for refused connections.
    public static func unusedPort() throws -> UInt16 {
        let core = try _StubServerCore { _ in StubHTTPResponse() }
        return core.port  // the listening socket closes when `core` is released
    }
}

/// A socket call of the stub server failed.
public struct StubServerError: Error, CustomStringConvertible {
    public let description: String

    init(_ call: String, _ code: Int32) {
        description = "stub server: \(call) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}
