import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `POST /v1/embeddings` and `POST /v1/vector_stores/{id}/search` in OpenAI's wire format (every response is
/// checked against /openapi.json by the harness); the official Python client is exercised in Tests/Clients.
@Suite(.serialized) struct OpenAIRoutesTests {
    static func floats(base64: String) -> [Float] {
        let data = Data(base64Encoded: base64) ?? Data()
        return stride(from: 0, to: data.count, by: 4).map { i in
            Float(bitPattern: UInt32(littleEndian: data[i..<i + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
        }
    }

    @Test func embeddingsComeAsFloatsOrBase64AndMatchTheRetrievalModel() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let texts = ["How do plants make glucose?", "식물은 어떻게 포도당을 만드나요?"]
            let float = try await api.request(.post, "/v1/embeddings", key: api.admin,
                                              json: ["input": texts, "model": "all-MiniLM-L6-v2"])
            #expect(float.status == 200, "\(float.text)")
            let data = try #require(float.json["data"] as? [[String: Any]])
            #expect(data.map { $0["index"] as? Int } == [0, 1])
            let vectors = data.map { ($0["embedding"] as? [Double] ?? []).map(Float.init) }
            #expect(vectors.allSatisfy { $0.count == 384 })
            let usage = try #require(float.json["usage"] as? [String: Any])
            #expect((usage["prompt_tokens"] as? Int ?? 0) > 2 && usage["prompt_tokens"] as? Int == usage["total_tokens"] as? Int)

            let packed = try await api.request(.post, "/v1/embeddings", key: api.admin, json: [
                "input": texts, "model": "sentence-transformers/all-MiniLM-L6-v2", "encoding_format": "base64",
                "dimensions": 384, "user": "student-7"])
            #expect(packed.status == 200, "\(packed.text)")
            let decoded = (packed.json["data"] as? [[String: Any]] ?? []).map { Self.floats(base64: $0["embedding"] as? String ?? "") }
            // The float text is the shortest that reads back as the same float32: both encodings agree exactly.
            #expect(decoded == vectors)

            // A single string is one input; its vector is the one a retrieval embeds for the same question.
            let one = try await api.request(.post, "/v1/embeddings", key: api.admin,
                                            json: ["input": texts[0], "model": "all-MiniLM-L6-v2"])
            let single = ((one.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double] ?? []).map(Float.init)
            let dot = zip(single, vectors[0]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            #expect(dot > 0.99999, "\(dot)")
        }
    }

    @Test func embeddingErrorsNameTheField() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let model = "all-MiniLM-L6-v2"
            let cases: [([String: Any], Int, String)] = [
                (["input": "x", "model": model, "dimensions": 512], 400, "dimensions"),
                (["input": [[101, 102]], "model": model], 400, "input[0]"),
                (["input": [1, 2, 3], "model": model], 400, "input[0]"),
                (["input": Array(repeating: "a", count: 2_049), "model": model], 400, "input"),
                (["input": [String](), "model": model], 400, "input"),
                (["input": ["ok", ""], "model": model], 400, "input[1]"),
                (["input": "x"], 400, "model"),
                (["input": "x", "model": model, "encoding_format": "int8"], 400, "encoding_format"),
                (["input": "x", "model": model, "extra": 1], 400, "extra"),
                (["input": "x", "model": "text-embedding-3-small"], 404, "model"),
            ]
            for (body, status, param) in cases {
                let r = try await api.request(.post, "/v1/embeddings", key: api.admin, json: body)
                #expect(r.status == status && r.error("param") == param, "\(param): \(r.status) \(r.text)")
            }
            let missing = try await api.request(.post, "/v1/embeddings", key: api.admin,
                                                json: ["input": "x", "model": "text-embedding-3-small"])
            #expect(missing.error("code") == "model_not_found" && missing.error("type") == "not_found_error")
            let anonymous = try await api.request(.post, "/v1/embeddings", json: ["input": "x", "model": model])
            #expect(anonymous.status == 401 && anonymous.error("code") == "invalid_api_key")
        }
    }

    @Test func aVectorStoreIsATenantsMaterialsSearchedWithOpenAIFilters() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let bio = try await api.upload(files: [("photo.md", Texts.bytes(Texts.photosynthesis))],
                                           fields: [("owner_id", "A"), ("topic", "biology"), ("tags", "exam")])
            let physics = try await api.upload(files: [("newton.txt", Texts.bytes(Texts.newton))],
                                               fields: [("owner_id", "A"), ("topic", "physics")])
            let other = try await api.upload(files: [("rev.html", Texts.bytes(Texts.revolution))], fields: [("owner_id", "B")])
            for up in [bio, physics, other] { _ = try await api.waitForJob(up.json["job_id"] as! Int) }
            let coachA = try api.key(harness, role: .coach, tenant: "A")
            let question = "How do plants make glucose from sunlight?"

            let all = try await api.request(.post, "/v1/vector_stores/A/search", key: coachA,
                                            json: ["query": question, "max_num_results": 50],
                                            headers: [HTTPField.Name("OpenAI-Beta")!: "assistants=v2"])
            #expect(all.status == 200, "\(all.text)")
            #expect(all.json["object"] as? String == "vector_store.search_results.page")
            let results = try #require(all.json["data"] as? [[String: Any]])
            let owners = Set(results.compactMap { ($0["attributes"] as? [String: Any])?["owner_id"] as? String })
            #expect(owners == ["A"] && !results.isEmpty)
            let scores = results.compactMap { $0["score"] as? Double }
            #expect(scores == scores.sorted(by: >))

            // A compound filter: biology, or anything tagged exam — here only the photosynthesis material.
            let filtered = try await api.request(.post, "/v1/vector_stores/A/search", key: coachA, json: [
                "query": question,
                "filters": ["type": "and", "filters": [
                    ["key": "topic", "type": "ne", "value": "physics"],
                    ["type": "or", "filters": [["key": "tags", "type": "eq", "value": "exam"],
                                               ["key": "topic", "type": "in", "value": ["biology"]]]],
                ]],
                "ranking_options": ["ranker": "auto", "score_threshold": 0.1],
            ])
            #expect(filtered.status == 200, "\(filtered.text)")
            let kept = filtered.json["data"] as? [[String: Any]] ?? []
            #expect(!kept.isEmpty && kept.allSatisfy { ($0["filename"] as? String) == "photo.md" })
            #expect(kept.allSatisfy { ($0["score"] as? Double ?? 0) >= 0.1 })
            // The locators cite the material's text exactly.
            for result in kept {
                let a = result["attributes"] as? [String: Any] ?? [:]
                let id = a["material_id"] as? Int ?? 0
                let text = try await api.request(.get, "/v1/materials/\(id)/text", key: coachA).json["text"] as? String ?? ""
                let scalars = Array(text.unicodeScalars)
                let start = a["char_start"] as? Int ?? 0, end = a["char_end"] as? Int ?? 0
                let cited = String(String.UnicodeScalarView(scalars[start..<end]))
                #expect(cited == ((result["content"] as? [[String: Any]])?.first?["text"] as? String))
                #expect(result["file_id"] as? String == String(id))
            }

            // Another tenant's store is not found for a coach; an unknown store is not found for anyone.
            let foreign = try await api.request(.post, "/v1/vector_stores/B/search", key: coachA, json: ["query": question])
            #expect(foreign.status == 404)
            #expect(try await api.request(.post, "/v1/vector_stores/B/search", key: api.admin,
                                          json: ["query": question]).status == 200)
            #expect(try await api.request(.post, "/v1/vector_stores/Z/search", key: api.admin,
                                          json: ["query": question]).status == 404)

            let bad: [([String: Any], String)] = [
                (["query": question, "filters": ["key": "pages", "type": "eq", "value": 1]], "filters.key"),
                (["query": question, "filters": ["key": "topic", "type": "lt", "value": "b"]], "filters.type"),
                (["query": question, "filters": ["key": "material_id", "type": "in", "value": 3]], "filters.value"),
                (["query": question, "filters": ["key": "lang", "type": "eq", "value": "not a tag"]], "filters.value"),
                (["query": question, "filters": ["type": "or", "filters": [String]()]], "filters.filters"),
                (["query": question, "max_num_results": 0], "max_num_results"),
                (["query": question, "ranking_options": ["score_threshold": 2]], "ranking_options.score_threshold"),
                (["query": [question, 3]], "query[1]"),
                (["query": ""], "query"),
            ]
            for (body, param) in bad {
                let r = try await api.request(.post, "/v1/vector_stores/A/search", key: coachA, json: body)
                #expect(r.status == 400 && r.error("param") == param, "\(param): \(r.status) \(r.text)")
            }
            // Well-formed filters past what a search takes (the schema cannot count them): 422, as documented.
            let comparison: [String: Any] = ["key": "topic", "type": "eq", "value": "b"]
            let many: [String: Any] = ["type": "or", "filters": [
                ["type": "and", "filters": Array(repeating: comparison, count: 60)],
                ["type": "and", "filters": Array(repeating: comparison, count: 41)],
            ]]
            var deep: [String: Any] = comparison
            for _ in 0..<9 { deep = ["type": "and", "filters": [deep]] }
            for (filters, message) in [(many, "more than 100 comparisons"), (deep, "levels deep")] {
                let r = try await api.request(.post, "/v1/vector_stores/A/search", key: coachA,
                                              json: ["query": question, "filters": filters])
                #expect(r.status == 422 && r.error("message")?.contains(message) == true, "\(r.status) \(r.text)")
            }
        }
    }

    @Test func aTenantOfAnyScriptIsAStoreAndCanonicallyEquivalentNamesAreDifferentTenants() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let nfc = "caf\u{E9} 7b", nfd = "cafe\u{301} 7b"  // the same to Swift's ==, different bytes
            for (owner, file) in [(nfc, "a.md"), (nfd, "b.md")] {
                let up = try await api.upload(files: [(file, Texts.bytes(Texts.photosynthesis))], fields: [("owner_id", owner)])
                _ = try await api.waitForJob(up.json["job_id"] as! Int)
            }
            let coach = try api.key(harness, role: .coach, tenant: nfc)
            let path = "/v1/vector_stores/" + nfc.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)! + "/search"
            let r = try await api.request(.post, path, key: coach, json: ["query": "glucose", "max_num_results": 50])
            #expect(r.status == 200, "\(r.text)")
            let names = (r.json["data"] as? [[String: Any]] ?? []).compactMap { $0["filename"] as? String }
            #expect(!names.isEmpty && Set(names) == ["a.md"], "\(names)")
            let other = "/v1/vector_stores/" + nfd.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)! + "/search"
            #expect(try await api.request(.post, other, key: coach, json: ["query": "glucose"]).status == 404)
            let korean = "/v1/vector_stores/" + "학급".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)! + "/search"
            #expect(try await api.request(.post, korean, key: api.admin, json: ["query": "glucose"]).status == 404)
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let r = try await api.request(.get, "/v1/embeddings", key: api.admin)
            #expect(r.status == 405 && r.headers[.allow] == "POST" && r.error("code") == "method_not_allowed")
            let m = try await api.request(.put, "/v1/materials/3", key: api.admin)
            #expect(m.status == 405 && m.headers[.allow] == "DELETE, GET")
            #expect(try await api.request(.get, "/v1/nothing", key: api.admin).status == 404)
        }
    }
}
