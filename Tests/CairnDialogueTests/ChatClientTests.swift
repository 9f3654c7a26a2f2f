@testable import CairnDialogue
import CairnHTTP
import Foundation
import TestSupport
import Testing

@Suite("Chat-completions client against a stub server")
struct ChatClientTests {
    static let messages = [ChatMessage(role: "system", content: "Be brief."),
                           ChatMessage(role: "user", content: "Context:\n[1] A\nwater\n\n[2] B\nsalt\n\nQuestion: why?")]

    func client(_ stub: ChatStub, retries: Int = 3, timeout: Duration = .seconds(5)) -> ChatClient {
        var c = ChatClient(baseURL: stub.baseURL, apiKey: "sk-test", timeout: timeout, maxRetries: retries)
        c.policy.initialBackoff = .milliseconds(1)
        c.policy.maxBackoff = .milliseconds(5)
        return c
    }

    @Test("an answer with the endpoint's usage and model; the request carries model, messages, key")
    func answer() async throws {
        let stub = try ChatStub(apiKey: "sk-test")
        let completion = try await client(stub).complete(model: "gpt-4o-mini", messages: Self.messages, temperature: 0.3,
                                                         maxTokens: 100)
        #expect(completion.content.contains("[1]") && completion.content.contains("[2]"))
        #expect(completion.model == "gpt-4o-mini-2024-07-18")
        #expect(completion.promptTokens == 2 + 9)  // one token per word, as the stub counts
        #expect(completion.completionTokens == completion.content.split(whereSeparator: \.isWhitespace).count)
        #expect(completion.attempts == 1)
        let sent = stub.json(of: try #require(stub.requests.first))
        #expect(sent["model"] as? String == "gpt-4o-mini" && sent["temperature"] as? Double == 0.3)
        #expect((sent["messages"] as? [[String: Any]])?.count == 2)
    }

    @Test("429 and 5xx are retried; exhausted retries, 401, malformed bodies and time-outs are typed errors")
    func failures() async throws {
        let stub = try ChatStub(apiKey: "sk-test")
        stub.enqueue(.rateLimited(retryAfter: "0"))
        stub.enqueue(.serverError(status: 503))
        let recovered = try await client(stub).complete(model: "m", messages: Self.messages, temperature: 0, maxTokens: 10)
        #expect(recovered.attempts == 3)

        func failure(_ fault: ChatStub.Fault, times: Int = 1, retries: Int = 3, timeout: Duration = .seconds(5))
            async throws -> DialogueError {
            stub.enqueue(fault, times: times)
            do {
                _ = try await client(stub, retries: retries, timeout: timeout)
                    .complete(model: "m", messages: Self.messages, temperature: 0, maxTokens: 10)
            } catch {
                return error
            }
            throw FixtureError("\(fault) did not fail")
        }
        let limited = try await failure(.rateLimited(retryAfter: "0"), times: 4)
        #expect(limited.upstreamStatus == "rate_limited" && limited.message.contains("after 4 attempts"))
        #expect(limited.message.contains("Rate limit reached"))
        #expect(!limited.message.contains("127.0.0.1"))
        let auth = try await failure(.unauthorized)
        #expect(auth.upstreamStatus == "authentication")
        let malformed = try await failure(.malformedJSON)
        #expect(malformed.upstreamStatus == "malformed")
        let noUsage = try await failure(.missingUsage)
        #expect(noUsage.upstreamStatus == "malformed" && noUsage.message.contains("usage"))
        let slow = try await failure(.slow(.seconds(2)), retries: 0, timeout: .milliseconds(300))
        #expect(slow.upstreamStatus == "timeout")
        let dropped = try await failure(.dropConnection, times: 2, retries: 1)
        #expect(dropped.upstreamStatus == "unavailable")
    }
}
