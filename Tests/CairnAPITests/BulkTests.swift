import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `POST /v1/bulk`: server-side files under the configured roots only.
@Suite(.serialized) struct BulkTests {
    @Test func filesUnderABulkRootAreIndexedAndOthersAreForbidden() async throws {
        let materials = try TemporaryDirectory(prefix: "cairn-bulk-root")
        let outside = try TemporaryDirectory(prefix: "cairn-bulk-outside")
        try FileManager.default.createDirectory(atPath: materials.file("course"), withIntermediateDirectories: true)
        try Texts.photosynthesis.write(toFile: materials.file("course/bio.md"), atomically: true, encoding: .utf8)
        try Texts.newton.write(toFile: materials.file("course/physics.txt"), atomically: true, encoding: .utf8)
        try "{broken".write(toFile: materials.file("course/broken.json"), atomically: true, encoding: .utf8)
        try Texts.revolution.write(toFile: outside.file("secret.html"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: materials.file("escape"), withDestinationPath: outside.path)
        // A link inside a walked directory that leads out of the root.
        try FileManager.default.createSymbolicLink(atPath: materials.file("course/leak.html"),
                                                   withDestinationPath: outside.file("secret.html"))
        let manifest = "{\"path\": \"course/bio.md\", \"owner\": \"m\", \"title\": \"From the manifest\"}\n"
        try manifest.write(toFile: materials.file("manifest.jsonl"), atomically: true, encoding: .utf8)

        let harness = try APIHarness { $0.bulkRoots = [materials.path] }
        try await harness.run { api in
            let bulk = try await api.request(.post, "/v1/bulk", key: api.admin, json: [
                "paths": [materials.file("course")], "defaults": ["owner_id": "school", "license_type": "CC0-1.0"],
            ])
            #expect(bulk.status == 202, "\(bulk.text)")
            let problems = bulk.json["problems"] as? [[String: Any]] ?? []
            #expect(problems.contains { ($0["file"] as? String)?.hasSuffix("leak.html") == true }, "\(bulk.text)")
            let job = try await api.waitForJob((bulk.json["job"] as? [String: Any])?["id"] as! Int)
            #expect(job["status"] as? String == "completed", "\(job)")
            let counts = try #require(job["counts"] as? [String: Int])
            #expect(counts["added"] == 2 && counts["failed"] == 1, "\(counts)")
            #expect((job["errors"] as? [[String: Any]])?.first?["file"] as? String == materials.file("course/broken.json"))
            let listed = try await api.request(.get, "/v1/materials?owner_id=school&status=completed", key: api.admin)
            let provenance = (listed.json["data"] as? [[String: Any]])?.first?["provenance"] as? [String: Any]
            #expect(provenance?["acquisition_method"] as? String == "system_import")
            #expect(provenance?["license_type"] as? String == "CC0-1.0")

            let viaManifest = try await api.request(.post, "/v1/bulk", key: api.admin,
                                                    json: ["manifest_path": materials.file("manifest.jsonl")])
            #expect(viaManifest.status == 202, "\(viaManifest.text)")
            _ = try await api.waitForJob((viaManifest.json["job"] as? [String: Any])?["id"] as! Int)
            let fromManifest = try await api.request(.get, "/v1/materials?owner_id=m", key: api.admin)
            #expect((fromManifest.json["data"] as? [[String: Any]])?.first?["title"] as? String == "From the manifest")

            let entries = try await api.request(.post, "/v1/bulk", key: api.admin, json: [
                "entries": [["path": materials.file("course/physics.txt"), "owner_id": "e", "tags": ["x"]]],
            ])
            #expect(entries.status == 202, "\(entries.text)")

            for (body, param) in [
                (["paths": [outside.file("secret.html")]], "paths[0]"),
                (["paths": [materials.file("escape/secret.html")]], "paths[0]"),
                (["paths": [materials.file("../") + (outside.path as NSString).lastPathComponent]], "paths[0]"),
                (["entries": [["path": outside.file("secret.html")]]], "entries[0].path"),
                (["manifest_path": outside.file("m.jsonl")], "manifest_path"),
            ] as [([String: Any], String)] {
                let refused = try await api.request(.post, "/v1/bulk", key: api.admin, json: body)
                #expect(refused.status == 403 && refused.error("param") == param, "\(body): \(refused.text)")
            }
            let relative = try await api.request(.post, "/v1/bulk", key: api.admin, json: ["paths": ["course"]])
            #expect(relative.status == 400)
            let empty = try await api.request(.post, "/v1/bulk", key: api.admin, json: [String: Any]())
            #expect(empty.status == 400)
        }
        let closed = try APIHarness()
        try await closed.run { api in
            let refused = try await api.request(.post, "/v1/bulk", key: api.admin, json: ["paths": [materials.path]])
            #expect(refused.status == 403 && refused.error("message")?.contains("bulk_roots") == true)
        }
    }
}
