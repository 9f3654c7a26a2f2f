import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The whole path over a real socket: upload a PDF and a JSONL item bank, poll the job, retrieve with each
/// filter, delete, and check the deleted material is gone.
@Suite(.serialized) struct LiveFlowTests {
    @Test func uploadPollRetrieveWithEveryFilterAndDelete() async throws {
        let harness = try APIHarness()
        try await harness.run(.live) { api in
            let pdf = PDFWriter.bytes(pages: [
                ["Photosynthesis happens in the chloroplasts of plant cells.", "Light energy splits water molecules."],
                ["The Calvin cycle fixes carbon dioxide into sugar.", "RuBisCO is the enzyme that fixes carbon."],
            ])
            let up = try await api.upload(files: [("biology.pdf", pdf), ("bank.jsonl", Texts.bytes(Texts.algebraBank))],
                                          fields: [("owner_id", "class-7b"), ("license_type", "CC-BY-4.0"),
                                                   ("content_type", "material"), ("topic", "stem")])
            #expect(up.status == 202, "\(up.text)")
            let files = try #require(up.json["files"] as? [[String: Any]])
            #expect(files[0]["material_id"] as? Int != nil)
            #expect(files[1]["material_id"] is NSNull)
            let job = try await api.waitForJob(up.json["job_id"] as! Int)
            #expect(job["status"] as? String == "completed", "\(job)")
            #expect((job["counts"] as? [String: Int])?["added"] == 4, "\(job)")
            let progress = try #require(job["progress"] as? [String: Int])
            #expect(progress["files_done"] == 2 && progress["files_total"] == 2)
            let pdfID = try #require(files[0]["material_id"] as? Int)
            #expect((job["material_ids"] as? [Int])?.count == 4)

            func retrieve(_ query: String, _ filters: [String: Any], topK: Int = 10) async throws -> [[String: Any]] {
                let r = try await api.request(.post, "/v1/retrieve", key: api.admin,
                                              json: ["query": query, "top_k": topK, "filters": filters])
                #expect(r.status == 200, "\(filters): \(r.text)")
                return r.json["results"] as? [[String: Any]] ?? []
            }
            let byOwner = try await retrieve("Which enzyme fixes carbon?", ["owner_id": "class-7b"], topK: 1)
            #expect(byOwner.first?["material_id"] as? Int == pdfID)
            #expect(byOwner.first?["page_number"] as? Int == 1 && byOwner.first?["page_end"] as? Int == 2, "\(byOwner)")
            let byMaterial = try await retrieve("algebra", ["material_ids": [pdfID]])
            #expect(!byMaterial.isEmpty && byMaterial.allSatisfy { $0["material_id"] as? Int == pdfID })
            let byExternal = try await retrieve("Solve for x", ["external_ids": ["alg-1"]])
            #expect(byExternal.count == 1 && byExternal.first?["external_id"] as? String == "alg-1")
            // An item's own topic (its first topic tag) wins over the upload's.
            let byTopic = try await retrieve("plants", ["topic": "stem"])
            #expect(byTopic.compactMap { $0["material_id"] as? Int } == [pdfID])
            let algebra = try await retrieve("plants", ["topic": "algebra"])
            #expect(Set(algebra.compactMap { $0["external_id"] as? String }) == ["alg-1", "alg-2"])
            let anyTag = try await retrieve("equation", ["tags_any": ["quadratic", "geometry"]])
            #expect(Set(anyTag.compactMap { $0["external_id"] as? String }) == ["alg-2", "geo-1"])
            let allTags = try await retrieve("equation", ["tags_all": ["algebra", "linear"]])
            #expect(allTags.compactMap { $0["external_id"] as? String } == ["alg-1"])
            let korean = try await retrieve("triangle angles", ["lang": "ko"])
            #expect(korean.compactMap { $0["external_id"] as? String } == ["geo-1"])
            let licensed = try await retrieve("plants", ["license_type": "cc-by-4.0"])
            #expect(licensed.count == 4)
            let typed = try await retrieve("plants", ["content_type": "note_article"])
            #expect(typed.isEmpty)

            let deleted = try await api.request(.delete, "/v1/materials/\(pdfID)", key: api.admin)
            #expect(deleted.status == 200)
            let after = try await retrieve("Which enzyme fixes carbon?", ["owner_id": "class-7b"])
            #expect(!after.contains { $0["material_id"] as? Int == pdfID })
            #expect(after.count == 3)
            #expect(try await api.request(.get, "/v1/materials/\(pdfID)", key: api.admin).status == 404)
        }
    }
}
