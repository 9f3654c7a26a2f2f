import CairnHTTP
import Foundation
import Testing
import TestSupport

/// Round trips through the libcurl client against a real server on 127.0.0.1.
struct HTTPClientTests {
    let client = HTTPClient()

    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try StubHTTPServer { request in
            StubHTTPResponse(status: 200, headers: [("X-Path", request.path), ("Content-Type", "text/plain")],
                             body: Array("hello".utf8))
        }
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/greeting?lang=en"))
        #expect(response.status == 200)
        #expect(response.bodyText == "hello")
        #expect(response.headers["x-path"] == "/greeting?lang=en")
        #expect(response.headers["CONTENT-TYPE"] == "text/plain")
        #expect(server.requests.first?.method == "GET")
    }

    @Test func postSendsBodyAndHeaders() async throws {
        let server = try StubHTTPServer { request in .json(#"{"echo":\#(request.body.count)}"#) }
        var body = Array(repeating: UInt8(ascii: "x"), count: 100_000)  // large enough for `Expect: 100-continue`
        body[0] = 0  // bodies may hold NUL bytes
        let request = HTTPRequest(
            method: .post, url: server.baseURL + "/upload",
            headers: ["Content-Type": "application/octet-stream", "Authorization": "Bearer sk-123"], body: body)
        let response = try await client.send(request)
        #expect(response.bodyText == #"{"echo":100000}"#)
        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.body == body)
        #expect(received.headers["authorization"] == "Bearer sk-123")
        #expect(received.headers["content-type"] == "application/octet-stream")
        #expect(received.headers["expect"] == nil)
        #expect(received.headers["user-agent"] == "cairn")
    }

    @Test func otherMethodsAreSentAsGiven() async throws {
        let server = try StubHTTPServer { _ in .text("ok") }
        for method in [HTTPMethod.put, .patch, .delete] {
            _ = try await client.send(HTTPRequest(method: method, url: server.baseURL + "/r", body: Array("{}".utf8)))
        }
        let head = try await client.send(HTTPRequest(method: .head, url: server.baseURL + "/r"))
        #expect(head.body.isEmpty)
        #expect(server.requests.map(\.method) == ["PUT", "PATCH", "DELETE", "HEAD"])
        #expect(server.requests[0].bodyText == "{}")
    }

    @Test func errorStatusThrowsWithTheResponse() async throws {
        let server = try StubHTTPServer { _ in
            .json(#"{"error":"slow down"}"#, status: 429, headers: [("Retry-After", "7")])
        }
        let error = try #require(await client.failure(sending: HTTPRequest(url: server.baseURL + "/x")))
        #expect(error.kind == .status(429))
        #expect(error.isRetryable)
        #expect(error.response?.headers["retry-after"] == "7")
        #expect(error.response?.bodyText == #"{"error":"slow down"}"#)
        #expect(error.message.contains("HTTP 429"))
        #expect(error.message.contains("slow down"))
    }

    @Test func clientErrorsAreNotRetryable() async throws {
        let server = try StubHTTPServer { request in .text("no", status: Int(request.path.dropFirst())!) }
        for status in [400, 401, 403, 404, 422] {
            let error = try #require(await client.failure(sending: HTTPRequest(url: server.baseURL + "/\(status)")))
            #expect(error.kind == .status(status))
            #expect(!error.isRetryable)
            #expect(error.isUserError)
        }
        for status in [500, 502, 503] {
            let error = try #require(await client.failure(sending: HTTPRequest(url: server.baseURL + "/\(status)")))
            #expect(error.isRetryable)
            #expect(!error.isUserError)
        }
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try StubHTTPServer { _ in .text("ok") }
        for _ in 0..<5 { _ = try await client.send(HTTPRequest(url: server.baseURL + "/")) }
        #expect(server.requests.count == 5)
        #expect(server.connectionCount == 1)
    }

    @Test func sharedClientWorks() async throws {
        let server = try StubHTTPServer { _ in .text("shared") }
        #expect(try await HTTPClient.shared.send(HTTPRequest(url: server.baseURL)).bodyText == "shared")
    }
}

extension HTTPClient {
    /// The error sending `request` threw, or nil if it succeeded.
    func failure(sending request: HTTPRequest) async -> HTTPError? {
        do {
            _ = try await send(request)
            return nil
        } catch {
            return error
        }
    }
}
