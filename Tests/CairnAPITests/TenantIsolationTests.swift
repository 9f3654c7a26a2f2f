import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// A coach key sees its tenant only: every filter, id and path of another tenant is refused or not found,
/// and the tenant restricts the index's candidates (never a post-filter of results).
@Suite(.serialized) struct TenantIsolationTests {
    @Test func tenantBsKeyCannotReachAnythingOfTenantA() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            // Tenant A: many chunks about photosynthesis (the closest to the question); tenant B: a few others.
            let aTexts = (0..<6).map { ("a\($0).md", Texts.bytes(Texts.photosynthesis + "\n\nCopy \($0).")) }
            let upA = try await api.upload(files: aTexts, fields: [("owner_id", "A"), ("topic", "biology"), ("tags", "secret"),
                                                                   ("license_type", "proprietary")])
            let upB = try await api.upload(files: [("b1.txt", Texts.bytes(Texts.newton)),
                                                   ("b2.html", Texts.bytes(Texts.revolution))],
                                           fields: [("owner_id", "B")])
            let jobA = try await api.waitForJob(upA.json["job_id"] as! Int)
            _ = try await api.waitForJob(upB.json["job_id"] as! Int)
            let bankA = try await api.upload(files: [("bank.jsonl", Texts.bytes(Texts.algebraBank))], fields: [("owner_id", "A")])
            _ = try await api.waitForJob(bankA.json["job_id"] as! Int)
            // A record may name its own owner: a job with record files is nobody's, so no coach reads it, not
            // even tenant A's (its materials could be B's).
            let mixed = "{\"external_id\": \"b-note\", \"owner\": \"B\", \"text\": \"A note of tenant B.\"}\n"
                + "{\"external_id\": \"a-note\", \"text\": \"A note of tenant A.\"}\n"
            let mixedUp = try await api.upload(files: [("mixed.jsonl", Texts.bytes(mixed))], fields: [("owner_id", "A")])
            let mixedJob = try await api.waitForJob(mixedUp.json["job_id"] as! Int)
            #expect(mixedJob["owner_id"] is NSNull, "\(mixedJob)")
            let coachA = try api.key(harness, role: .coach, tenant: "A")
            #expect(try await api.request(.get, "/v1/jobs/\(mixedUp.json["job_id"] as! Int)", key: coachA).status == 404)
            let aIDs = jobA["material_ids"] as? [Int] ?? []
            #expect(aIDs.count == 6)
            let coachB = try api.key(harness, role: .coach, tenant: "B")
            let question = "How do plants make glucose from sunlight?"

            // Unfiltered: exactly B's chunks, as many as asked for (A's closer chunks never took the slots).
            let plain = try await api.request(.post, "/v1/retrieve", key: coachB, json: ["query": question, "top_k": 2])
            let results = plain.json["results"] as? [[String: Any]] ?? []
            #expect(results.count == 2, "\(plain.text)")
            #expect(results.allSatisfy { $0["owner_id"] as? String == "B" })
            #expect(plain.json["exhaustive"] as? Bool == true)
            // The keyword ranking is restricted the same way: A's chunks hold every word of the question, yet B's
            // keyword search only ranks B's (none of which holds them) and says the materials do not cover it.
            for mode in ["keyword", "hybrid", "vector"] {
                let r = try await api.request(.post, "/v1/retrieve", key: coachB,
                                              json: ["query": "photosynthesis chlorophyll glucose", "top_k": 5, "mode": mode])
                let hits = r.json["results"] as? [[String: Any]] ?? []
                #expect(r.status == 200 && hits.allSatisfy { $0["owner_id"] as? String == "B" }, "\(mode): \(r.text)")
                let g = r.json["grounding"] as? [String: Any] ?? [:]
                #expect(g["max_keyword_score"] is NSNull, "\(mode): \(g)")
                let admin = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                                  json: ["query": "photosynthesis chlorophyll glucose", "mode": mode])
                #expect((admin.json["results"] as? [[String: Any]])?.first?["owner_id"] as? String == "A")
            }

            // Naming tenant A anywhere a tenant can be named is a 403.
            let named = try await api.request(.post, "/v1/retrieve", key: coachB,
                                              json: ["query": question, "filters": ["owner_id": "A"]])
            #expect(named.status == 403 && named.error("param") == "filters.owner_id")
            let listA = try await api.request(.get, "/v1/materials?owner_id=A", key: coachB)
            #expect(listA.status == 403 && listA.error("param") == "owner_id")

            // A's ids, external ids, topic, tags and licence find nothing.
            let probes: [[String: Any]] = [
                ["material_ids": aIDs], ["topic": "biology"], ["tags_any": ["secret"]], ["tags_all": ["secret"]],
                ["license_type": "proprietary"], ["external_ids": ["alg-1"]], ["lang": "ko"],
            ]
            for filters in probes {
                let admin = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                                  json: ["query": question, "filters": filters])
                #expect((admin.json["results"] as? [Any])?.isEmpty == false, "the probe \(filters) finds nothing at all")
                let r = try await api.request(.post, "/v1/retrieve", key: coachB, json: ["query": question, "filters": filters])
                #expect(r.status == 200 && (r.json["results"] as? [Any])?.isEmpty == true, "\(filters): \(r.text)")
            }
            // A's materials, chunks, text and job are not found.
            for id in aIDs {
                for uri in ["/v1/materials/\(id)", "/v1/materials/\(id)/chunks", "/v1/materials/\(id)/text"] {
                    #expect(try await api.request(.get, uri, key: coachB).status == 404, "\(uri)")
                }
                #expect(try await api.request(.delete, "/v1/materials/\(id)", key: coachB).status == 403)
            }
            #expect(try await api.request(.get, "/v1/jobs/\(upA.json["job_id"] as! Int)", key: coachB).status == 404)
            #expect(try await api.request(.get, "/v1/jobs/\(bankA.json["job_id"] as! Int)", key: coachB).status == 404)
            #expect(try await api.request(.get, "/v1/jobs/\(upB.json["job_id"] as! Int)", key: coachB).status == 200)
            let listed = try await api.request(.get, "/v1/materials", key: coachB)
            #expect((listed.json["data"] as? [[String: Any]] ?? []).allSatisfy { $0["owner_id"] as? String == "B" })
            #expect((listed.json["data"] as? [Any])?.count == 3, "b1, b2 and the record that named B as its owner")
            // Coaches may not upload, delete, cancel or run bulk jobs.
            #expect(try await api.upload(key: coachB, files: [("x.txt", Texts.bytes("x"))]).status == 403)
            #expect(try await api.request(.post, "/v1/jobs/\(upB.json["job_id"] as! Int)/cancel", key: coachB).status == 403)
            #expect(try await api.request(.post, "/v1/bulk", key: coachB, json: ["paths": ["/tmp"]]).status == 403)
            // The admin sees both tenants.
            let all = try await api.request(.post, "/v1/retrieve", key: api.admin, json: ["query": question, "top_k": 3])
            #expect((all.json["results"] as? [[String: Any]] ?? []).allSatisfy { $0["owner_id"] as? String == "A" })
        }
    }
}
