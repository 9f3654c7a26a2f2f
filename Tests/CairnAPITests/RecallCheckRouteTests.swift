import CairnIngest
import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `POST`/`GET /v1/recall-check`: admin only, one report per run with each tenant and the tenant's logged
/// questions, shown in `/readyz` and `/metrics` (every response checked against the OpenAPI document).
@Suite(.serialized) struct RecallCheckRouteTests {
    @Test func anAdminRunsARecallCheckAndReadyzAndMetricsShowIt() async throws {
        let harness = try APIHarness { $0.recallCheck.queriesPerTenant = 5; $0.recallCheck.overallQueries = 10 }
        try await harness.run { api in
            for (name, text, owner) in [("a.md", Texts.photosynthesis, "A"), ("b.txt", Texts.newton, "B"),
                                        ("c.txt", Texts.revolution, "B")] {
                let up = try await api.upload(files: [(name, Texts.bytes(text))], fields: [("owner_id", owner)])
                _ = try await api.waitForJob(up.json["job_id"] as! Int)
            }
            let coach = try api.key(harness, role: .coach, tenant: "A")
            // Two questions of tenant A reach the retrieval log.
            for q in ["how do plants make glucose", "what is chlorophyll for"] {
                #expect(try await api.request(.post, "/v1/retrieve", key: coach, json: ["query": q]).status == 200)
            }
            // An admin's question filtered to tenant B is B's; one across tenants is nobody's.
            #expect(try await api.request(.post, "/v1/retrieve", key: api.admin,
                                          json: ["query": "laws of motion", "filters": ["owner_id": "B"]]).status == 200)
            #expect(try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["query": "anything"]).status == 200)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await api.request(.get, "/v1/recall-check", key: api.admin).status == 404)
            #expect(try await api.request(.post, "/v1/recall-check", key: coach).status == 403)
            #expect((try await api.request(.get, "/readyz")).json["recall"] is NSNull)

            let run = try await api.request(.post, "/v1/recall-check", key: api.admin)
            #expect(run.status == 200, "\(run.text)")
            #expect(run.json["object"] as? String == "recall_check" && run.json["failed"] as? Bool == false)
            let tenants = try #require(run.json["tenants"] as? [String: [String: Any]])
            #expect(Set(tenants.keys) == ["A", "B"])
            #expect(tenants["A"]?["logged_queries"] as? Int == 2, "\(tenants)")
            #expect(tenants["B"]?["logged_queries"] as? Int == 1, "\(tenants)")
            #expect(tenants["A"]?["recall"] as? Double == 1 && tenants["A"]?["exact_scans"] as? Int == tenants["A"]?["queries"] as? Int)
            #expect((run.json["overall"] as? [String: Any])?["queries"] as? Int ?? 0 > 0)

            let ready = try await api.request(.get, "/readyz")
            let recall = try #require(ready.json["recall"] as? [String: Any])
            #expect(recall["tenants_checked"] as? Int == 2 && (recall["tenants_below_floor"] as? [String])?.isEmpty == true)
            let metrics = try await api.request(.get, "/metrics")
            #expect(metrics.text.contains("cairn_recall_check_tenants_checked 2"), "\(metrics.text.prefix(3000))")
            #expect(metrics.text.contains("cairn_recall_check_recall{scope=\"overall\"}"))
            let last = try await api.request(.get, "/v1/recall-check", key: api.admin)
            #expect(last.status == 200 && last.json["started_at"] as? String == run.json["started_at"] as? String)
            #expect(try await api.request(.get, "/v1/recall-check?x=1", key: api.admin).status == 400)
        }
    }
}
