import CairnAPI
import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Liveness, readiness, metrics, the OpenAPI document, request ids and unknown routes.
@Suite(.serialized) struct SystemRouteTests {
    @Test func healthReadinessAndMetricsAnswerWithoutAKey() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let health = try await api.request(.get, "/healthz")
            #expect(health.status == 200 && health.json["status"] as? String == "ok")
            let ready = try await api.request(.get, "/readyz")
            #expect(ready.status == 200)
            #expect(ready.json["ready"] as? Bool == true)
            #expect((ready.json["index"] as? [String: Any])?["vectors"] as? Int == 0)
            _ = try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["query": "warm up the metrics"])
            let metrics = try await api.request(.get, "/metrics")
            #expect(metrics.status == 200)
            for name in ["cairn_http_requests_total", "cairn_http_request_duration_seconds_bucket", "cairn_query_embed_seconds",
                         "cairn_search_seconds", "cairn_index_vectors", "cairn_chunks", "cairn_materials",
                         "cairn_ingest_queue_depth", "cairn_ingest_jobs"] {
                #expect(metrics.text.contains(name), "metrics lack \(name)")
            }
            #expect(metrics.text.contains("route=\"/v1/retrieve\""), "\(metrics.text.prefix(2000))")
        }
    }

    @Test func readinessIs503AndDataRoutesAreRefusedUntilTheServiceStarted() async throws {
        let harness = try APIHarness()
        // The router alone, without the service's lifecycle: the service never starts.
        let app = Application(router: harness.server.router())
        try await app.test(.router) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.headers[.retryAfter] == "1")
            #expect(String(buffer: ready.body).contains("\"status\":\"starting\""))
            let retrieve = try await client.execute(uri: "/v1/retrieve", method: .post,
                                                    headers: [.authorization: "Bearer cairn_x"])
            #expect(retrieve.status == .serviceUnavailable)
            #expect(String(buffer: retrieve.body).contains("\"code\":\"not_ready\""))
        }
    }

    @Test func theOpenAPIDocumentDescribesEveryRouteAndResolvesEveryReference() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let document = api.validator.document
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            let expected = ["/v1/retrieve": ["post"], "/v1/materials": ["get", "post"],
                            "/v1/materials/{id}": ["get", "delete"], "/v1/materials/{id}/chunks": ["get"],
                            "/v1/materials/{id}/text": ["get"], "/v1/jobs/{id}": ["get"], "/v1/jobs/{id}/cancel": ["post"],
                            "/v1/bulk": ["post"], "/healthz": ["get"], "/readyz": ["get"], "/metrics": ["get"],
                            "/openapi.json": ["get"]]
            for (path, methods) in expected {
                let item = try #require(paths[path] as? [String: Any], "\(path) is not described")
                for method in methods {
                    let op = try #require(item[method] as? [String: Any], "\(method) \(path) is not described")
                    #expect(op["summary"] is String && op["description"] is String)
                    #expect((op["responses"] as? [String: Any])?.isEmpty == false)
                }
            }
            // Every $ref anywhere resolves, and every schema property has a description.
            var refs: [String] = []
            var undocumented: [String] = []
            func walk(_ node: Any, _ path: String) {
                if let object = node as? [String: Any] {
                    if let ref = object["$ref"] as? String { refs.append(ref) }
                    if let properties = object["properties"] as? [String: Any] {
                        for (name, schema) in properties {
                            let s = schema as? [String: Any] ?? [:]
                            if s["description"] == nil && s["$ref"] == nil { undocumented.append("\(path).\(name)") }
                        }
                    }
                    for (key, value) in object { walk(value, "\(path).\(key)") }
                } else if let array = node as? [Any] {
                    for (i, value) in array.enumerated() { walk(value, "\(path)[\(i)]") }
                }
            }
            walk(document, "$")
            #expect(!refs.isEmpty)
            for ref in Set(refs) { #expect(api.validator.resolve(ref) != nil, "\(ref) does not resolve") }
            #expect(undocumented.isEmpty, "properties without a description: \(undocumented)")
        }
    }

    @Test func requestIDsAreEchoedOrMadeAndUnknownRoutesAnswerInOpenAIsShape() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let given = try await api.request(.get, "/healthz", headers: [HTTPField.Name("X-Request-Id")!: "trace-42.a"])
            #expect(given.headers[HTTPField.Name("X-Request-Id")!] == "trace-42.a")
            let invalid = try await api.request(.get, "/healthz", headers: [HTTPField.Name("X-Request-Id")!: "bad id; x"])
            #expect(invalid.headers[HTTPField.Name("X-Request-Id")!]?.hasPrefix("req_") == true)
            let missing = try await api.request(.get, "/v1/nothing", key: api.admin)
            #expect(missing.status == 404)
            #expect(missing.error("type") == "not_found_error")
            #expect(missing.error("message")?.contains("/v1/nothing") == true)
            #expect(missing.error("request_id") == missing.headers[HTTPField.Name("X-Request-Id")!])
        }
    }
}
