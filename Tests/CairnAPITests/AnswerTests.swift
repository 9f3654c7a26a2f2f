import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `POST /v1/prompt` and `POST /v1/answer` end to end against a stub chat-completions server.
@Suite(.serialized) struct AnswerTests {
    static func materials(_ api: APIClient) async throws {
        let up = try await api.upload(files: [("photosynthesis.md", Texts.bytes(Texts.photosynthesis)),
                                              ("newton.txt", Texts.bytes(Texts.newton))],
                                      fields: [("owner_id", "A"), ("license_type", "CC-BY-4.0")])
        _ = try await api.waitForJob(up.json["job_id"] as! Int)
    }

    @Test func withoutAChatModelAnswerIs501AndPromptRendersTheContext() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            try await Self.materials(api)
            let coach = try api.key(harness, role: .coach, tenant: "A")
            let answer = try await api.request(.post, "/v1/answer", key: coach,
                                               json: ["query": "How do plants make glucose?", "user_id": "u", "session_id": "s"])
            #expect(answer.status == 501 && answer.error("code") == "not_configured", "\(answer.text)")
            #expect(answer.error("message")?.contains("llm.base_url") == true)
            #expect(answer.error("message")?.contains("POST /v1/prompt") == true)
            let prompt = try await api.request(.post, "/v1/prompt", key: coach,
                                               json: ["query": "How do plants make glucose?", "top_k": 2])
            #expect(prompt.status == 200, "\(prompt.text)")
            let messages = try #require(prompt.json["messages"] as? [[String: Any]])
            let user = try #require(messages.last?["content"] as? String)
            #expect(user.contains("[1] photosynthesis.md") && user.contains("[2] "))
            #expect(user.hasSuffix("Question: How do plants make glucose?"))
            let map = try #require(prompt.json["citation_map"] as? [[String: Any]])
            #expect(map.map { $0["marker"] as? String } == ["[1]", "[2]"])
            #expect(map.first?["license_type"] as? String == "CC-BY-4.0")
            #expect((prompt.json["retrieval_id"] as? String)?.hasPrefix("ret_") == true)
            // The backend's own answer then joins that retrieval.
            let recorded = try await api.request(.post, "/v1/dialogues", key: coach, json: [
                "user_id": "u", "session_id": "s", "query": "How do plants make glucose?",
                "response": "By photosynthesis [1].", "model_used": "gpt-4o", "retrieval_id": prompt.json["retrieval_id"]!,
                "citations": [["chunk_id": map[0]["chunk_id"]!, "marker": "[1]"]], "latency_ms": ["total": 900],
                "prompt_tokens": 500, "completion_tokens": 20,
            ])
            #expect(recorded.status == 201 && (recorded.json["citations"] as? [[String: Any]])?.first?["rank"] as? Int == 1)
            let noQuery = try await api.request(.post, "/v1/prompt", key: coach, json: ["top_k": 2])
            #expect(noQuery.status == 400 && noQuery.error("param") == "query")
        }
    }

    @Test func answerCallsTheModelMapsMarkersAndRecordsRealUsage() async throws {
        let stub = try ChatStub(citations: 2, apiKey: "sk-chat")
        let harness = try APIHarness {
            $0.llm.baseURL = stub.baseURL
            $0.llm.apiKey = "sk-chat"
            $0.llm.model = "gpt-4o-mini"
            $0.llm.maxRetries = 2
            $0.llm.timeoutMilliseconds = 2_000
        }
        try await harness.run { api in
            try await Self.materials(api)
            let coach = try api.key(harness, role: .coach, tenant: "A")
            let question = ["query": "How do plants make glucose?", "user_id": "stu-9", "session_id": "sess-1", "top_k": 3]
                as [String: Any]
            stub.enqueue(.rateLimited(retryAfter: "0"))
            let r = try await api.request(.post, "/v1/answer", key: coach, json: question)
            #expect(r.status == 200, "\(r.text)")
            #expect(r.json["attempts"] as? Int == 2)
            let answer = try #require(r.json["answer"] as? String)
            #expect(answer.contains("[1]") && answer.contains("[2]"))
            let dialogue = try #require(r.json["dialogue"] as? [String: Any])
            #expect(dialogue["origin"] as? String == "answered")
            #expect(dialogue["model_used"] as? String == "gpt-4o-mini-2024-07-18")
            #expect(dialogue["tenant"] as? String == "A" && dialogue["user_id"] as? String == "stu-9")
            // The usage the model reported, and its price (gpt-4o-mini's entry matches the dated snapshot).
            let sent = stub.json(of: try #require(stub.requests.last))
            let words = (sent["messages"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }
                .reduce(0) { $0 + $1.split(whereSeparator: \.isWhitespace).count }
            #expect(dialogue["prompt_tokens"] as? Int == words)
            #expect(dialogue["completion_tokens"] as? Int == answer.split(whereSeparator: \.isWhitespace).count)
            #expect(dialogue["token_cost_jpy"] as? String != nil)
            let citations = try #require(dialogue["citations"] as? [[String: Any]])
            #expect(citations.map { $0["marker"] as? String } == ["[1]", "[2]"])
            #expect(citations.map { $0["rank"] as? Int } == [1, 2])
            let retrieved = try #require(dialogue["retrieved_chunks"] as? [[String: Any]])
            #expect(retrieved.map { $0["cited"] as? Bool } == [true, true, false])
            let latency = try #require(dialogue["latency_ms"] as? [String: Any])
            #expect((latency["generation"] as? Double ?? 0) > 0 && (latency["retrieval"] as? Double ?? 0) > 0)
            #expect((latency["total"] as? Double ?? 0) >= (latency["generation"] as? Double ?? 0))
            // A marker past the context is reported, not cited.
            stub.enqueue(.answer("It is photosynthesis [1]. See also [7]."))
            let stray = try await api.request(.post, "/v1/answer", key: coach, json: question)
            #expect(stray.json["unknown_markers"] as? [Int] == [7])
            #expect(((stray.json["dialogue"] as? [String: Any])?["citations"] as? [Any])?.count == 1)
            // The model failing: 429 for good → 502 with Retry-After; a malformed body → 502; a slow one → 504.
            stub.enqueue(.rateLimited(retryAfter: "0"), times: 3)
            let limited = try await api.request(.post, "/v1/answer", key: coach, json: question)
            #expect(limited.status == 502 && limited.error("code") == "upstream_error", "\(limited.text)")
            #expect(limited.error("message")?.contains(stub.baseURL) == false)
            stub.enqueue(.malformedJSON)
            let malformed = try await api.request(.post, "/v1/answer", key: coach, json: question)
            #expect(malformed.status == 502 && malformed.error("message")?.contains("malformed") == true)
            stub.enqueue(.slow(.seconds(3)), times: 3)
            let slow = try await api.request(.post, "/v1/answer", key: coach, json: question)
            #expect(slow.status == 504 && slow.error("code") == "upstream_timeout", "\(slow.text)")
            // Failed answers record nothing; an admin must name the tenant.
            let list = try await api.request(.get, "/v1/dialogues", key: coach)
            #expect((list.json["data"] as? [Any])?.count == 2)
            let admin = try await api.request(.post, "/v1/answer", key: api.admin, json: question)
            #expect(admin.status == 422 && admin.error("param") == "filters.owner_id")
        }
    }
}
