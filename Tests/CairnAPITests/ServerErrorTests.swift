import CairnEmbedding
import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// A failure inside Cairn is a 500 that names the request id and nothing else: the detail is in the log.
@Suite(.serialized) struct ServerErrorTests {
    @Test func aFailingEmbeddingAPIIsA500WithoutInternalDetail() async throws {
        let stub = try EmbeddingStub(format: .ollama, dimension: 8)
        let harness = try APIHarness { $0.embedder = stub.configuration() }
        try await harness.run { api in
            stub.enqueue(.status(500, message: "stack trace at /srv/secret/embedder.py line 42"), times: 4)  // the first try and its 3 retries
            let failed = try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["query": "photosynthesis"])
            #expect(failed.status == 500)
            #expect(failed.error("type") == "server_error" && failed.error("code") == "internal_error")
            let id = try #require(failed.headers[HTTPField.Name("X-Request-Id")!])
            #expect(failed.error("message")?.contains(id) == true)
            #expect(!failed.text.contains("secret") && !failed.text.contains(stub.baseURL),
                    "\(failed.text)")
            // With the embedding API back, the same request succeeds.
            let ok = try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["query": "photosynthesis"])
            #expect(ok.status == 200, "\(ok.text)")
        }
    }
}
