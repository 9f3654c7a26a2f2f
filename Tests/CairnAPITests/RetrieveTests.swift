import Logging
import CairnIngest
import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `POST /v1/retrieve`: every field's validation, results, thresholds and the retrieval log.
@Suite(.serialized) struct RetrieveTests {
    @Test func everyInvalidFieldIsA400NamingIt() async throws {
        let harness = try APIHarness { $0.maxJSONBytes = 4_096 }
        try await harness.run { api in
            let cases: [(Any, String)] = [
                ([String: Any](), "query"),
                (["query": "x", "embedding": [0.1]], "embedding"),
                (["query": ""], "query"),
                (["query": 42], "query"),
                (["query": "x", "top_k": 0], "top_k"),
                (["query": "x", "top_k": 101], "top_k"),
                (["query": "x", "top_k": 2.5], "top_k"),
                (["query": "x", "min_similarity": 1.5], "min_similarity"),
                (["query": "x", "ef_search": 0], "ef_search"),
                (["query": "x", "topk": 3], "topk"),
                (["query": "x", "filters": ["owner": "a"]], "filters.owner"),
                (["query": "x", "filters": "a"], "filters"),
                (["query": "x", "filters": ["tags_any": [String]()]], "filters.tags_any"),
                (["query": "x", "filters": ["tags_all": ["a", 3]]], "filters.tags_all[1]"),
                (["query": "x", "filters": ["material_ids": ["1"]]], "filters.material_ids[0]"),
                (["query": "x", "filters": ["lang": "not a language"]], "filters.lang"),
                (["query": "x", "filters": ["content_type": "poem"]], "filters.content_type"),
                (["query": "x", "filters": ["license_type": "CC BY"]], "filters.license_type"),
                (["embedding": [0.1, 0.2]], "embedding"),
                (["embedding": [0.1, "x"]], "embedding[1]"),
                (["query": "x", "mode": "semantic"], "mode"),
                (["query": "x", "mode": 1], "mode"),
                (["query": "x", "weights": ["vector": -1]], "weights.vector"),
                (["query": "x", "weights": ["keyword": 101]], "weights.keyword"),
                (["query": "x", "weights": ["bm25": 1]], "weights.bm25"),
                (["query": "x", "weights": 1], "weights"),
                (["query": "x", "diversify": "yes"], "diversify"),
                (["query": "x", "diversify": 1], "diversify"),
                (["query": "x", "mmr_lambda": 1.5], "mmr_lambda"),
            ]
            for (body, param) in cases {
                let r = try await api.request(.post, "/v1/retrieve", key: api.admin, json: body)
                #expect(r.status == 400, "\(body): \(r.status) \(r.text)")
                #expect(r.error("param") == param, "\(body): \(r.text)")
                #expect(r.error("type") == "invalid_request_error")
            }
            // Numbers with more digits than a Double holds are judged as written, not rounded into range.
            let long: [(String, String)] = [
                (#"{"embedding": [1000000000.0000001]}"#, "embedding[0]"),
                (#"{"embedding": [0.5, -1000000000.00000000001]}"#, "embedding[1]"),
                (#"{"query": "x", "top_k": 2.00000000000000001}"#, "top_k"),
                (#"{"query": "x", "top_k": 100.000000000000000001}"#, "top_k"),
                (#"{"query": "x", "min_similarity": 1.00000000000000001}"#, "min_similarity"),
                (#"{"query": "x", "filters": {"material_ids": [1.00000000000000001]}}"#, "filters.material_ids[0]"),
            ]
            for (body, param) in long {
                let r = try await api.request(.post, "/v1/retrieve", key: api.admin, body: Array(body.utf8),
                                              contentType: "application/json")
                #expect(r.status == 400 && r.error("param") == param, "\(body): \(r.status) \(r.text)")
            }
            // …and the largest id, written with a fraction of zeros, is still a whole number in range.
            let largest = try await api.request(.post, "/v1/retrieve", key: api.admin, body: Array(
                #"{"query": "x", "filters": {"material_ids": [9007199254740990.0, 9007199254740991.00000000000]}}"#.utf8),
                contentType: "application/json")
            #expect(largest.status == 200, "\(largest.text)")
            let notJSON = try await api.request(.post, "/v1/retrieve", key: api.admin, body: Array("{not json".utf8),
                                                contentType: "application/json")
            #expect(notJSON.status == 400 && notJSON.error("message")?.contains("not valid JSON") == true)
            let form = try await api.request(.post, "/v1/retrieve", key: api.admin, body: Array("query=x".utf8),
                                             contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 415 && form.error("code") == "unsupported_media_type")
            let large = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                              json: ["query": String(repeating: "a", count: 5_000)])
            #expect(large.status == 413 && large.error("code") == "payload_too_large")
        }
    }

    /// A question of only whitespace is refused by every route that asks one, naming `query`, and the
    /// document's pattern refuses exactly the same texts: schemathesis generates from that pattern, and a
    /// text the pattern allows but the server refuses is a schema-valid request rejected.
    @Test func aQuestionOfOnlyWhitespaceIsA400AndTheDocumentSaysSo() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let up = try await api.upload(files: [("photosynthesis.md", Texts.bytes(Texts.photosynthesis))])
            _ = try await api.waitForJob(up.json["job_id"] as! Int)
            let blanks = [" ", "\u{0B}", "\t\n\r", "\u{1C}", "\u{85}", "\u{A0}", "\u{2028}", "\u{3000}", " \u{FEFF}",
                          " \u{0B} "]
            for blank in blanks {
                for (path, body) in [("/v1/retrieve", ["query": blank] as [String: Any]),
                                     ("/v1/retrieve", ["query": blank, "mode": "vector"]),
                                     ("/v1/prompt", ["query": blank, "mmr_lambda": 1.0]),
                                     // No chat model here: the question is refused before that is (a 501).
                                     ("/v1/answer", ["query": blank, "user_id": "u", "session_id": "s"]),
                                     ("/v1/vector_stores/default/search", ["query": blank])] {
                    let r = try await api.request(.post, path, key: api.admin, json: body)
                    #expect(r.status == 400 && r.error("param") == "query", "\(path) \(body): \(r.status) \(r.text)")
                    #expect(r.error("message")?.contains("only whitespace") == true,
                            "\(path) \(blank.debugDescription): \(r.text)")
                }
                let many = try await api.request(.post, "/v1/vector_stores/default/search", key: api.admin,
                                                 json: ["query": ["photosynthesis", blank]])
                #expect(many.status == 400 && many.error("param") == "query[1]", "\(many.text)")
            }
            for text in ["x", " x ", "\u{0B}?", "\u{200B}", "光合成"] {
                let r = try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["query": text])
                #expect(r.status == 200, "\(text.debugDescription): \(r.status) \(r.text)")
            }

            let doc = try await api.request(.get, "/openapi.json")
            let schemas = try #require((doc.json["components"] as? [String: Any])?["schemas"] as? [String: Any])
            func query(_ schema: String) -> [String: Any]? {
                ((schemas[schema] as? [String: Any])?["properties"] as? [String: Any])?["query"] as? [String: Any]
            }
            // An optional field is `anyOf: [its schema, null]`; a search's query is `anyOf: [a question, a list]`.
            let retrieve = try #require(query("RetrieveRequest")?["anyOf"] as? [[String: Any]])
            let search = try #require(query("VectorStoreSearchRequest")?["anyOf"] as? [[String: Any]])
            let questions: [[String: Any]?] = [retrieve.first, query("PromptRequest"), query("AnswerRequest"),
                                               search.first, search.last?["items"] as? [String: Any]]
            for (i, question) in questions.enumerated() {
                #expect(question?["pattern"] as? String == QuestionText.pattern, "\(i): \(question ?? [:])")
            }
            // Every scalar of the Basic Multilingual Plane, alone: the pattern matches exactly the non-blank ones.
            let regex = try NSRegularExpression(pattern: QuestionText.pattern)
            var disagreements: [String] = []
            for value in UInt32(0)...0xFFFF {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let text = String(Character(scalar))
                let matches = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                if matches == QuestionText.isBlank(scalar) { disagreements.append(String(value, radix: 16)) }
            }
            #expect(disagreements.isEmpty, "U+\(disagreements.prefix(10))")
            // Python's reading of "whitespace" (what schemathesis generates by) and ECMAScript's are inside it.
            for python in ["\u{1C}", "\u{1F}", "\u{85}"] { #expect(QuestionText.isBlank(python)) }
            #expect(QuestionText.isBlank("\u{FEFF}") && !QuestionText.isBlank("\u{200B}"))
        }
    }

    @Test func resultsCarryCitationsProvenanceTimingsAndAreLogged() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let up = try await api.upload(files: [("photosynthesis.md", Texts.bytes(Texts.photosynthesis)),
                                                  ("newton.txt", Texts.bytes(Texts.newton))],
                                          fields: [("owner_id", "class-7b"), ("license_type", "CC-BY-4.0"),
                                                   ("source_uri", "https://example.org/bio"), ("tags", "science")])
            #expect(up.status == 202, "\(up.text)")
            let job = try await api.waitForJob(up.json["job_id"] as! Int)
            #expect(job["status"] as? String == "completed", "\(job)")
            let r = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                          json: ["query": "How do plants make glucose?", "top_k": 2,
                                                 "filters": ["owner_id": "class-7b"]])
            #expect(r.status == 200, "\(r.text)")
            let results = try #require(r.json["results"] as? [[String: Any]])
            #expect(results.count == 2)
            let best = try #require(results.first)
            #expect(best["title"] as? String == "photosynthesis.md")
            #expect(best["rank"] as? Int == 1)
            #expect(best["license_type"] as? String == "CC-BY-4.0")
            #expect(best["source_uri"] as? String == "https://example.org/bio")
            #expect(best["acquisition_method"] as? String == "manual_upload")
            #expect((best["heading_path"] as? [String])?.first == "Photosynthesis")
            // The chunk's offsets point into the material's text.
            let materialID = try #require(best["material_id"] as? Int)
            let text = try await api.request(.get, "/v1/materials/\(materialID)/text", key: api.admin)
            let scalars = Array((text.json["text"] as? String ?? "").unicodeScalars)
            let start = best["char_start"] as! Int, end = best["char_end"] as! Int
            #expect(String(String.UnicodeScalarView(scalars[start..<end])) == best["content"] as? String)
            #expect(r.json["exhaustive"] as? Bool == true)
            let timings = try #require(r.json["timings"] as? [String: Double])
            #expect(timings["total_ms"]! >= timings["embed_ms"]! + timings["search_ms"]!)
            // The retrieval is kept under its id once the log flushes.
            let id = try #require(r.json["retrieval_id"] as? String)
            try await Task.sleep(for: .milliseconds(300))
            let log = try RetrievalLog(databasePath: harness.dir.file("data/cairn.sqlite3"), logger: .init(label: "t"))
            let record = try #require(try log.record(id))
            #expect(record.query == "How do plants make glucose?")
            #expect(record.resultsJSON.contains("\"chunk_id\":\(best["chunk_id"] as! Int)"))
            #expect(record.requestJSON.contains("\"owner_id\":\"class-7b\""))
        }
    }

    @Test func thresholdsReportWhatTheyDroppedAndEmbeddingsSearchDirectly() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let up = try await api.upload(files: [("newton.txt", Texts.bytes(Texts.newton))], fields: [("owner_id", "t")])
            _ = try await api.waitForJob(up.json["job_id"] as! Int)
            let strict = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                               json: ["query": "medieval poetry of Japan", "min_similarity": 0.99])
            #expect((strict.json["results"] as? [Any])?.isEmpty == true)
            #expect(strict.json["below_threshold"] as? Int == 1)
            let best = try #require(strict.json["max_similarity"] as? Double)
            #expect(best < 0.99)
            // A vector of the index's dimension is searched as given.
            let chunks = try await api.request(.get, "/v1/materials/\(up.json["files"].flatMap { ($0 as? [[String: Any]])?.first?["material_id"] as? Int } ?? 0)/chunks", key: api.admin)
            #expect(chunks.status == 200)
            var vector = [Double](repeating: 0, count: 384)
            vector[0] = 1
            let byVector = try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["embedding": vector, "top_k": 1])
            #expect(byVector.status == 200, "\(byVector.text)")
            #expect((byVector.json["results"] as? [Any])?.count == 1)
        }
    }

    @Test func modesRanksGroundingAndDiversification() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let up = try await api.upload(files: [("photosynthesis.md", Texts.bytes(Texts.photosynthesis)),
                                                  ("newton.txt", Texts.bytes(Texts.newton)),
                                                  ("revolution.txt", Texts.bytes(Texts.revolution))],
                                          fields: [("owner_id", "t")])
            _ = try await api.waitForJob(up.json["job_id"] as! Int)
            let question = "How do plants make glucose from sunlight?"
            for mode in ["vector", "keyword", "hybrid"] {
                let r = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                              json: ["query": question, "top_k": 3, "mode": mode])
                #expect(r.status == 200 && r.json["mode"] as? String == mode, "\(r.text)")
                let results = try #require(r.json["results"] as? [[String: Any]])
                #expect(results.first?["title"] as? String == "photosynthesis.md", "\(mode)")
                for hit in results {
                    let vectorRank = hit["vector_rank"] as? Int, keywordRank = hit["keyword_rank"] as? Int
                    switch mode {
                    case "vector": #expect(vectorRank == hit["rank"] as? Int)
                    case "keyword": #expect(keywordRank == hit["rank"] as? Int && (hit["keyword_score"] as? Double ?? 0) > 0)
                    default:
                        let fused = try #require(hit["fused_score"] as? Double)
                        let expected = (vectorRank.map { 1 / (60 + Double($0)) } ?? 0) + (keywordRank.map { 1 / (60 + Double($0)) } ?? 0)
                        #expect(abs(fused - expected) < 1e-9)
                    }
                }
                let g = try #require(r.json["grounding"] as? [String: Any])
                #expect(g["not_in_materials"] as? Bool == false && (g["materials_covered"] as? Int ?? 0) >= 1, "\(g)")
                #expect((g["max_keyword_score"] as? Double ?? 0) > 0 && g["similarity_threshold"] is Double)
                let timings = try #require(r.json["timings"] as? [String: Double])
                #expect(timings["keyword_ms"]! <= timings["search_ms"]!)
            }
            // The server's default ranking is hybrid; an embedding alone searches by vector.
            let plain = try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["query": question])
            #expect(plain.json["mode"] as? String == "hybrid")
            var vector = [Double](repeating: 0, count: 384)
            vector[0] = 1
            let byVector = try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["embedding": vector])
            #expect(byVector.status == 200 && byVector.json["mode"] as? String == "vector")
            // A question the materials do not cover says so.
            let unrelated = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                                  json: ["query": "volcanic eruptions in Iceland"])
            let g = try #require(unrelated.json["grounding"] as? [String: Any])
            #expect(g["not_in_materials"] as? Bool == true && g["below_threshold"] as? Bool == true, "\(g)")
            // Diversified results come from different materials first.
            let spread = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                               json: ["query": question, "top_k": 3, "diversify": true, "mmr_lambda": 0.3])
            let materials = (spread.json["results"] as? [[String: Any]] ?? []).compactMap { $0["material_id"] as? Int }
            #expect(materials.count == 3 && Set(materials).count == 3, "\(spread.text)")
            let weighted = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                                 json: ["query": question, "weights": ["vector": 2, "keyword": 0.5]])
            #expect(weighted.status == 200)
            // Well-formed but impossible: a 422 naming the field.
            for (body, param) in [(["embedding": vector, "mode": "keyword"] as [String: Any], "mode"),
                                  (["query": "x", "weights": ["vector": 0, "keyword": 0]], "weights")] {
                let r = try await api.request(.post, "/v1/retrieve", key: api.admin, json: body)
                #expect(r.status == 422 && r.error("param") == param, "\(r.status) \(r.text)")
            }
        }
    }
}
