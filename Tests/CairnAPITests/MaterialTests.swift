import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Reading, paging and deleting materials; jobs and their cancellation.
@Suite(.serialized) struct MaterialTests {
    @Test func listsPageWithCursorsAndFilterByOwnerAndStatus() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            for i in 0..<5 {
                let up = try await api.upload(files: [("n\(i).txt", Texts.bytes("Note number \(i). " + Texts.newton))],
                                              fields: [("owner_id", i < 3 ? "a" : "b")])
                _ = try await api.waitForJob(up.json["job_id"] as! Int)
            }
            var seen: [Int] = []
            var uri = "/v1/materials?limit=2"
            while true {
                let page = try await api.request(.get, uri, key: api.admin)
                #expect(page.status == 200)
                seen += (page.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                guard let next = page.json["next_cursor"] as? String else {
                    #expect(page.json["has_more"] as? Bool == false)
                    break
                }
                uri = "/v1/materials?limit=2&cursor=\(next)"
            }
            #expect(seen == seen.sorted() && seen.count == 5)
            let a = try await api.request(.get, "/v1/materials?owner_id=a&status=completed", key: api.admin)
            #expect((a.json["data"] as? [Any])?.count == 3)
            let failed = try await api.request(.get, "/v1/materials?status=failed", key: api.admin)
            #expect((failed.json["data"] as? [Any])?.isEmpty == true)
            for (uri, param) in [("/v1/materials?status=done", "status"), ("/v1/materials?limit=0", "limit"),
                                 ("/v1/materials?limit=x", "limit"), ("/v1/materials?cursor=abc", "cursor"),
                                 ("/v1/materials?owner=a", "owner")] {
                let bad = try await api.request(.get, uri, key: api.admin)
                #expect(bad.status == 400 && bad.error("param") == param, "\(uri): \(bad.text)")
            }
        }
    }

    @Test func chunksPageInOrderAndDeleteRemovesAMaterialFromSearch() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let long = (0..<12).map { "Section \($0). " + Texts.photosynthesis.replacingOccurrences(of: "#", with: "") }
                .joined(separator: "\n\n")
            let up = try await api.upload(files: [("long.txt", Texts.bytes(long)), ("newton.txt", Texts.bytes(Texts.newton))])
            let ids = (up.json["files"] as? [[String: Any]] ?? []).compactMap { $0["material_id"] as? Int }
            _ = try await api.waitForJob(up.json["job_id"] as! Int)
            let material = try await api.request(.get, "/v1/materials/\(ids[0])", key: api.admin)
            let total = try #require(material.json["chunk_count"] as? Int)
            #expect(total > 3)
            var indexes: [Int] = []
            var uri = "/v1/materials/\(ids[0])/chunks?limit=3"
            while true {
                let page = try await api.request(.get, uri, key: api.admin)
                indexes += (page.json["data"] as? [[String: Any]] ?? []).compactMap { $0["chunk_index"] as? Int }
                guard let next = page.json["next_cursor"] as? String else { break }
                uri = "/v1/materials/\(ids[0])/chunks?limit=3&cursor=\(next)"
            }
            #expect(indexes == Array(0..<total))
            let before = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                               json: ["query": "How do plants make glucose?", "top_k": 50])
            #expect((before.json["results"] as? [[String: Any]] ?? []).contains { $0["material_id"] as? Int == ids[0] })
            let deleted = try await api.request(.delete, "/v1/materials/\(ids[0])", key: api.admin)
            #expect(deleted.status == 200 && deleted.json["deleted"] as? Bool == true)
            let after = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                              json: ["query": "How do plants make glucose?", "top_k": 50])
            let remaining = after.json["results"] as? [[String: Any]] ?? []
            #expect(!remaining.contains { $0["material_id"] as? Int == ids[0] })
            #expect(remaining.count == 1)
            for uri in ["/v1/materials/\(ids[0])", "/v1/materials/\(ids[0])/chunks", "/v1/materials/\(ids[0])/text",
                        "/v1/materials/999999", "/v1/materials/abc"] {
                #expect(try await api.request(.get, uri, key: api.admin).status == 404, "\(uri)")
            }
            #expect(try await api.request(.delete, "/v1/materials/\(ids[0])", key: api.admin).status == 404)
            let ready = try await api.request(.get, "/readyz")
            #expect((ready.json["index"] as? [String: Any])?["vectors"] as? Int == 1)
        }
    }

    @Test func jobsCanBeCancelledWhileQueuedButNotAfterTheyEnded() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let long = (0..<150).map { "Paragraph \($0): " + Texts.newton }.joined(separator: "\n\n")
            let first = try await api.upload(files: [("long.txt", Texts.bytes(long))])
            let second = try await api.upload(files: [("queued.txt", Texts.bytes(Texts.photosynthesis))])
            let queuedID = try #require((second.json["files"] as? [[String: Any]])?.first?["material_id"] as? Int)
            let cancelled = try await api.request(.post, "/v1/jobs/\(second.json["job_id"] as! Int)/cancel", key: api.admin)
            #expect(cancelled.status == 200)
            #expect(cancelled.json["status"] as? String == "cancelled", "\(cancelled.text)")
            // A cancelled upload's pending material is removed.
            #expect(try await api.request(.get, "/v1/materials/\(queuedID)", key: api.admin).status == 404)
            let again = try await api.request(.post, "/v1/jobs/\(second.json["job_id"] as! Int)/cancel", key: api.admin)
            #expect(again.status == 409)
            let running = try await api.request(.post, "/v1/jobs/\(first.json["job_id"] as! Int)/cancel", key: api.admin)
            #expect(running.status == 200)
            let ended = try await api.waitForJob(first.json["job_id"] as! Int)
            #expect(ended["status"] as? String == "cancelled", "\(ended)")
            // Nothing is left half-done: no material stays pending or processing after a cancelled job.
            for status in ["pending", "processing"] {
                let left = try await api.request(.get, "/v1/materials?status=\(status)", key: api.admin)
                #expect((left.json["data"] as? [Any])?.isEmpty == true, "\(status): \(left.text)")
            }
            #expect(try await api.request(.get, "/v1/jobs/424242", key: api.admin).status == 404)
        }
    }
}
