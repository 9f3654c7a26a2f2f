import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The dialogue log over HTTP: recording with citations resolved, tenancy, feedback, listing.
@Suite(.serialized) struct DialogueTests {
    /// Two tenants' materials, a coach key for tenant A, and A's retrieval for a question.
    struct Setup {
        var coachA: String
        var coachB: String
        var retrieval: [String: Any]
        var results: [[String: Any]]
        var chunkOfB: Int
        var photosynthesisID: Int
    }

    static func setUp(_ api: APIClient, _ harness: APIHarness) async throws -> Setup {
        let a = try await api.upload(files: [("photosynthesis.md", Texts.bytes(Texts.photosynthesis)),
                                             ("newton.txt", Texts.bytes(Texts.newton))],
                                     fields: [("owner_id", "A"), ("license_type", "CC-BY-4.0"),
                                              ("source_uri", "https://example.org/bio"), ("acquired_at", "2024-03-01")])
        let b = try await api.upload(files: [("revolution.txt", Texts.bytes(Texts.revolution))], fields: [("owner_id", "B")])
        _ = try await api.waitForJob(a.json["job_id"] as! Int)
        _ = try await api.waitForJob(b.json["job_id"] as! Int)
        let coachA = try api.key(harness, role: .coach, tenant: "A")
        let coachB = try api.key(harness, role: .coach, tenant: "B")
        let r = try await api.request(.post, "/v1/retrieve", key: coachA, json: ["query": "How do plants make glucose?",
                                                                                  "top_k": 3])
        let results = try #require(r.json["results"] as? [[String: Any]])
        let rb = try await api.request(.post, "/v1/retrieve", key: coachB, json: ["query": "revolution", "top_k": 1])
        let chunkOfB = try #require((rb.json["results"] as? [[String: Any]])?.first?["chunk_id"] as? Int)
        let photosynthesisID = try #require(results.first?["material_id"] as? Int)
        return Setup(coachA: coachA, coachB: coachB, retrieval: r.json, results: results, chunkOfB: chunkOfB,
                     photosynthesisID: photosynthesisID)
    }

    @Test func recordingResolvesCitationsQuotesCostAndRate() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let s = try await Self.setUp(api, harness)
            let best = s.results[0]
            let content = best["content"] as! String
            let quote = String(content.split(separator: " ").dropFirst(2).prefix(5).joined(separator: " "))
            let body: [String: Any] = [
                "user_id": "student-1", "session_id": "s-1", "query": "How do plants make glucose?",
                "response": "Plants make glucose by photosynthesis [1]. They need light. Chlorophyll absorbs it [1].",
                "model_used": "gpt-4o-mini-2024-07-18", "retrieval_id": s.retrieval["retrieval_id"]!,
                "citations": [["chunk_id": best["chunk_id"]!, "marker": "[1]", "quote": quote],
                              ["chunk_id": best["chunk_id"]!, "marker": "[4]", "quote": "plants eat sunlight for breakfast"]],
                "latency_ms": ["generation": 840.5, "total": 1020.25],
                "prompt_tokens": 1_234, "completion_tokens": 567, "temperature": 0.2, "context_window_size": 128_000,
                "relevance_score": 0.9,
            ]
            let r = try await api.request(.post, "/v1/dialogues", key: s.coachA, json: body)
            #expect(r.status == 201, "\(r.text)")
            #expect(r.json["tenant"] as? String == "A")
            // 1,234 × ¥22.50 + 567 × ¥90.00 per million = 0.027765 + 0.05103 = 0.078795 → ¥0.08.
            #expect(r.json["token_cost_jpy"] as? String == "0.08")
            #expect(r.json["total_tokens"] as? Int == 1_801)
            #expect(r.json["sentence_count"] as? Int == 3)
            #expect(r.json["cited_sentences"] as? Int == 2)
            #expect(abs((r.json["citation_rate"] as? Double ?? 0) - 2.0 / 3.0) < 1e-12)
            let latency = try #require(r.json["latency_ms"] as? [String: Any])
            #expect(latency["generation"] as? Double == 840.5)
            #expect((latency["retrieval"] as? Double ?? -1) >= 0)  // the retrieval's own time when not given
            let citations = try #require(r.json["citations"] as? [[String: Any]])
            #expect(citations.count == 2)
            let first = citations[0]
            #expect(first["material_id"] as? Int == best["material_id"] as? Int)
            #expect(first["material_title"] as? String == "photosynthesis.md")
            #expect(first["rank"] as? Int == 1)
            #expect(first["similarity"] as? Double == best["similarity"] as? Double)
            #expect(first["in_retrieval"] as? Bool == true)
            #expect(first["marker_in_response"] as? Bool == true)
            #expect(first["char_start"] as? Int == best["char_start"] as? Int)
            #expect(first["quote_found"] as? Bool == true)
            #expect(first["quote_match"] as? String == "exact")
            let provenance = try #require(first["provenance"] as? [String: Any])
            #expect(provenance["license_type"] as? String == "CC-BY-4.0")
            #expect(provenance["source_uri"] as? String == "https://example.org/bio")
            #expect((provenance["acquired_at"] as? String)?.hasPrefix("2024-03-01") == true)
            // The quote's range points into the material's text.
            let text = try await api.request(.get, "/v1/materials/\(s.photosynthesisID)/text", key: s.coachA)
            let scalars = Array((text.json["text"] as? String ?? "").unicodeScalars)
            let qs = try #require(first["quote_char_start"] as? Int), qe = try #require(first["quote_char_end"] as? Int)
            #expect(String(String.UnicodeScalarView(scalars[qs..<qe])) == quote)
            #expect(citations[1]["quote_found"] as? Bool == false)
            #expect(citations[1]["quote_char_start"] is NSNull)
            #expect(citations[1]["marker_in_response"] as? Bool == false)
            // Which retrieved chunks were cited.
            let retrieved = try #require(r.json["retrieved_chunks"] as? [[String: Any]])
            #expect(retrieved.count == s.results.count)
            #expect(retrieved.map { $0["cited"] as? Bool } == [true] + Array(repeating: false, count: s.results.count - 1))
            // The record reads back the same, and survives the material's deletion with its snapshot.
            let id = try #require(r.json["id"] as? Int)
            let deleted = try await api.request(.delete, "/v1/materials/\(s.photosynthesisID)", key: api.admin)
            #expect(deleted.status == 200)
            let again = try await api.request(.get, "/v1/dialogues/\(id)", key: s.coachA)
            #expect(again.status == 200)
            let kept = try #require((again.json["citations"] as? [[String: Any]])?.first)
            #expect(kept["material_title"] as? String == "photosynthesis.md")
            #expect((kept["provenance"] as? [String: Any])?["license_type"] as? String == "CC-BY-4.0")
            // An unknown model records no cost rather than a made-up one.
            var local = body
            local["model_used"] = "my-own-model"
            local["citations"] = nil
            let unpriced = try await api.request(.post, "/v1/dialogues", key: s.coachA, json: local)
            #expect(unpriced.status == 201 && unpriced.json["token_cost_jpy"] is NSNull, "\(unpriced.text)")
        }
    }

    @Test func unknownAndForeignCitationsAndRetrievalsAre422sNamingThem() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let s = try await Self.setUp(api, harness)
            let own = s.results[0]["chunk_id"] as! Int
            func body(_ citations: [Int], retrieval: String? = nil) -> [String: Any] {
                var b: [String: Any] = ["user_id": "u", "session_id": "s", "query": "q", "response": "a [1].",
                                        "model_used": "gpt-4o", "citations": citations.map { ["chunk_id": $0] },
                                        "latency_ms": ["total": 10], "prompt_tokens": 1, "completion_tokens": 1]
                b["retrieval_id"] = retrieval
                return b
            }
            let unknown = try await api.request(.post, "/v1/dialogues", key: s.coachA, json: body([own, 999_999]))
            #expect(unknown.status == 422 && unknown.error("param") == "citations[1].chunk_id", "\(unknown.text)")
            #expect(unknown.error("message")?.contains("999999") == true)
            let foreign = try await api.request(.post, "/v1/dialogues", key: s.coachA, json: body([s.chunkOfB]))
            #expect(foreign.status == 422 && foreign.error("param") == "citations[0].chunk_id", "\(foreign.text)")
            // The same for an admin naming tenant A.
            var adminBody = body([s.chunkOfB])
            adminBody["tenant"] = "A"
            let adminForeign = try await api.request(.post, "/v1/dialogues", key: api.admin, json: adminBody)
            #expect(adminForeign.status == 422 && adminForeign.error("param") == "citations[0].chunk_id")
            // An admin without a tenant gets it from the citations.
            let derived = try await api.request(.post, "/v1/dialogues", key: api.admin, json: body([s.chunkOfB]))
            #expect(derived.status == 201 && derived.json["tenant"] as? String == "B", "\(derived.text)")
            let none = try await api.request(.post, "/v1/dialogues", key: api.admin, json: body([]))
            #expect(none.status == 422 && none.error("param") == "tenant")
            // Retrievals: unknown, and another tenant's.
            let missing = try await api.request(.post, "/v1/dialogues", key: s.coachA,
                                                json: body([own], retrieval: "ret_" + String(repeating: "0", count: 28)))
            #expect(missing.status == 422 && missing.error("param") == "retrieval_id")
            let rb = try await api.request(.post, "/v1/retrieve", key: s.coachB, json: ["query": "x"])
            let ofB = try await api.request(.post, "/v1/dialogues", key: s.coachA,
                                            json: body([own], retrieval: rb.json["retrieval_id"] as? String))
            #expect(ofB.status == 422 && ofB.error("param") == "retrieval_id")
            // An admin's retrieval over every tenant is not a coach's to join.
            let unfiltered = try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["query": "x"])
            let joined = try await api.request(.post, "/v1/dialogues", key: s.coachA,
                                               json: body([own], retrieval: unfiltered.json["retrieval_id"] as? String))
            #expect(joined.status == 422 && joined.error("param") == "retrieval_id")
            // A coach may not name another tenant or back-date.
            var other = body([own])
            other["tenant"] = "B"
            #expect(try await api.request(.post, "/v1/dialogues", key: s.coachA, json: other).status == 403)
            var dated = body([own])
            dated["created_at"] = "2026-01-01T00:00:00Z"
            let backdated = try await api.request(.post, "/v1/dialogues", key: s.coachA, json: dated)
            #expect(backdated.status == 403 && backdated.error("param") == "created_at")
        }
    }

    @Test func badFieldsAre400sNamingThem() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let good: [String: Any] = ["user_id": "u", "session_id": "s", "query": "q", "response": "a",
                                       "model_used": "m", "latency_ms": ["total": 1], "prompt_tokens": 0,
                                       "completion_tokens": 0, "tenant": "T"]
            let ok = try await api.request(.post, "/v1/dialogues", key: api.admin, json: good)
            #expect(ok.status == 201, "\(ok.text)")
            let cases: [(String, Any?, String)] = [
                ("user_id", nil, "user_id"), ("user_id", "", "user_id"), ("latency_ms", nil, "latency_ms"),
                ("latency_ms", ["total": -1], "latency_ms.total"), ("latency_ms", ["total": 1, "x": 2], "latency_ms.x"),
                ("prompt_tokens", -1, "prompt_tokens"), ("completion_tokens", 1.5, "completion_tokens"),
                ("relevance_score", 1.01, "relevance_score"), ("temperature", 2.5, "temperature"),
                ("retrieval_id", "ret_xyz", "retrieval_id"), ("citations", [["marker": "[1]"]], "citations[0].chunk_id"),
                ("citations", [["chunk_id": 0]], "citations[0].chunk_id"),
                ("citations", [["chunk_id": 1, "page": 2]], "citations[0].page"),
                ("created_at", "yesterday", "created_at"), ("model", "m", "model"),
            ]
            for (key, value, param) in cases {
                var body = good
                body[key] = value
                let r = try await api.request(.post, "/v1/dialogues", key: api.admin, json: body)
                #expect(r.status == 400 && r.error("param") == param, "\(key)=\(String(describing: value)): \(r.text)")
            }
            var nul = good
            nul["response"] = "a\u{0}b"
            #expect(try await api.request(.post, "/v1/dialogues", key: api.admin, json: nul).status == 422)
        }
    }

    @Test func feedbackListingPagingAndTenancy() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let s = try await Self.setUp(api, harness)
            var ids: [Int] = []
            for i in 0..<5 {
                let r = try await api.request(.post, "/v1/dialogues", key: s.coachA, json: [
                    "user_id": i < 3 ? "alice" : "bob", "session_id": "s\(i % 2)", "query": "q\(i)", "response": "a.",
                    "model_used": "gpt-4o", "latency_ms": ["total": 100 + i], "prompt_tokens": 10, "completion_tokens": 5,
                ])
                ids.append(try #require(r.json["id"] as? Int))
            }
            let bad = try await api.request(.post, "/v1/dialogues/\(ids[0])/feedback", key: s.coachA, json: ["user_feedback": 2])
            #expect(bad.status == 400 && bad.error("param") == "user_feedback")
            let half = try await api.request(.post, "/v1/dialogues/\(ids[0])/feedback", key: s.coachA,
                                             json: ["user_feedback": 0.5])
            #expect(half.status == 400)
            let good = try await api.request(.post, "/v1/dialogues/\(ids[0])/feedback", key: s.coachA,
                                             json: ["user_feedback": -1])
            #expect(good.status == 200 && good.json["user_feedback"] as? Int == -1 && good.json["feedback_at"] is String)
            // Another tenant's coach sees nothing of A's.
            #expect(try await api.request(.post, "/v1/dialogues/\(ids[0])/feedback", key: s.coachB,
                                          json: ["user_feedback": 1]).status == 404)
            #expect(try await api.request(.get, "/v1/dialogues/\(ids[0])", key: s.coachB).status == 404)
            let listB = try await api.request(.get, "/v1/dialogues", key: s.coachB)
            #expect((listB.json["data"] as? [Any])?.isEmpty == true)
            #expect(try await api.request(.get, "/v1/dialogues?tenant=A", key: s.coachB).status == 403)
            // Filters and pages, newest first.
            let alice = try await api.request(.get, "/v1/dialogues?user_id=alice", key: s.coachA)
            #expect((alice.json["data"] as? [[String: Any]])?.map { $0["id"] as! Int } == [ids[2], ids[1], ids[0]])
            let session = try await api.request(.get, "/v1/dialogues?session_id=s1&user_id=bob", key: s.coachA)
            #expect((session.json["data"] as? [[String: Any]])?.map { $0["id"] as! Int } == [ids[3]])
            var seen: [Int] = []
            var cursor: String? = nil
            repeat {
                let page = try await api.request(.get, "/v1/dialogues?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""),
                                                 key: s.coachA)
                seen += (page.json["data"] as? [[String: Any]] ?? []).map { $0["id"] as! Int }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == ids.reversed())
            let future = try await api.request(.get, "/v1/dialogues?from=2999-01-01", key: s.coachA)
            #expect((future.json["data"] as? [Any])?.isEmpty == true)
            let past = try await api.request(.get, "/v1/dialogues?to=2000-01-01T00:00:00Z", key: s.coachA)
            #expect((past.json["data"] as? [Any])?.isEmpty == true)
            let wrong = try await api.request(.get, "/v1/dialogues?from=soon", key: s.coachA)
            #expect(wrong.status == 400 && wrong.error("param") == "from")
        }
    }
}
