public import Logging

/// Sends HTTP requests with the system's libcurl (TLS included) without blocking Swift's thread pool.
///
/// Every request of one client runs on the client's own driver thread, which drives all transfers at once
/// through a libcurl multi handle and keeps connections open for reuse; `send` suspends the calling task
/// until its response is complete. Cancelling the task abandons the transfer and throws
/// ``HTTPError/Kind/cancelled``. Any status outside 200...299 throws ``HTTPError/Kind/status(_:)`` with
/// the response attached.
///
/// ```swift
/// let client = HTTPClient()
/// var request = HTTPRequest(method: .post, url: "http://127.0.0.1:11434/api/embed", timeout: .seconds(30))
/// request.headers["Content-Type"] = "application/json"
/// request.body = Array(#"{"model":"all-minilm","input":["hello"]}"#.utf8)
/// let response = try await client.send(request)
/// print(response.status, response.bodyText)
/// ```
public final class HTTPClient: Sendable {
    /// Settings shared by every request of a client.
    public struct Configuration: Sendable {
        /// Sent as `User-Agent` unless a request sets its own.
        public var userAgent: String
        /// Receives one debug line per request (method, URL, status or error, duration).
        public var logger: Logger

        /// Creates a configuration.
        public init(userAgent: String = "cairn", logger: Logger = Logger(label: "cairn.http")) {
            self.userAgent = userAgent
            self.logger = logger
        }
    }

    /// A client shared by the whole process, for callers that do not need their own.
    public static let shared = HTTPClient()

    /// The client's settings.
    public let configuration: Configuration
    private let driver = CurlTransferDriver()

    /// Creates a client; its driver thread starts with the first request.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    deinit {
        driver.shutdown()
    }

    /// Sends `request` and returns the complete response.
    ///
    /// - Throws: ``HTTPError``, classified by kind: a malformed URL, DNS, connection or TLS failure, the
    ///   request's timeout, a body larger than ``HTTPRequest/maxResponseBytes``, a status outside
    ///   200...299 (with the response attached), or cancellation of the calling task.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let started = ContinuousClock.now
        let easy = try CurlEasy(request: request, userAgent: configuration.userAgent)
        let transfer = CurlTransfer(easy: easy)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                transfer.attach(continuation)
                driver.submit(transfer)
            }
        } onCancel: {
            if transfer.requestCancel() { driver.cancel(transfer) }
        }
        log(easy.label, result, since: started)
        return try result.get()
    }

    private func log(_ label: String, _ result: Result<HTTPResponse, HTTPError>, since start: ContinuousClock.Instant) {
        let elapsed = CurlEasy.seconds(ContinuousClock.now - start)
        switch result {
        case .success(let response):
            configuration.logger.debug("\(label) → \(response.status), \(response.body.count) bytes in \(elapsed)")
        case .failure(let error):
            configuration.logger.debug("\(label) failed after \(elapsed): \(error.kind)")
        }
    }
}
