import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `POST /v1/materials`: multipart and JSON uploads, per-file outcomes, limits and re-uploads.
@Suite(.serialized) struct UploadTests {
    @Test func aMultipartUploadIsSpooledQueuedAndIndexed() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let up = try await api.upload(files: [("bio.md", Texts.bytes(Texts.photosynthesis)),
                                                  ("scan.bin", [0x00, 0x01, 0xFF, 0x00]),
                                                  ("history.html", Texts.bytes(Texts.revolution)),
                                                  ("broken.jsonl", Texts.bytes("{\"external_id\": \"x\", \"text\": "))],
                                          fields: [("owner_id", "t1"), ("topic", "science"), ("tags", "a"), ("tags", "b")])
            #expect(up.status == 202, "\(up.text)")
            let files = try #require(up.json["files"] as? [[String: Any]])
            #expect(files.map { $0["status"] as? String } == ["queued", "rejected", "queued", "queued"])
            #expect(files[1]["reason"] as? String != nil && files[1]["material_id"] is NSNull)
            let ids = files.compactMap { $0["material_id"] as? Int }
            #expect(ids.count == 2, "record files get their material ids as they are parsed")
            // The materials exist from the start, pending until the job reaches them.
            let pending = try await api.request(.get, "/v1/materials/\(ids[0])", key: api.admin)
            #expect(["pending", "processing", "completed"].contains(pending.json["status"] as? String ?? ""))
            let job = try await api.waitForJob(up.json["job_id"] as! Int)
            #expect(job["status"] as? String == "completed", "\(job)")
            #expect((job["counts"] as? [String: Int])?["added"] == 2)
            #expect((job["counts"] as? [String: Int])?["failed"] == 1)
            // A failure names the file as it was uploaded, never the server's spool path.
            let errors = job["errors"] as? [[String: Any]] ?? []
            #expect(errors.first?["file"] as? String == "broken.jsonl", "\(errors)")
            #expect(!"\(errors)".contains("uploads/"))
            // The broken file is recorded as a failed material of the job too.
            let jobIDs = Set(job["material_ids"] as? [Int] ?? [])
            #expect(jobIDs.isSuperset(of: ids) && jobIDs.count == 3, "\(jobIDs)")
            let html = try await api.request(.get, "/v1/materials/\(ids[1])", key: api.admin)
            #expect(html.json["title"] as? String == "The French Revolution")
            #expect(html.json["status"] as? String == "completed")
            #expect(html.json["tags"] as? [String] == ["a", "b"])
            #expect(html.json["topic"] as? String == "science")
            // The spool is emptied when the job ends.
            try await Task.sleep(for: .milliseconds(100))
            let spool = (try? FileManager.default.contentsOfDirectory(atPath: harness.dir.file("data/uploads"))) ?? []
            #expect(spool.isEmpty, "\(spool)")
        }
    }

    @Test func reUploadsAreUnchangedOrUpdateTheSameMaterial() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let first = try await api.upload(files: [("notes.txt", Texts.bytes(Texts.newton))], fields: [("owner_id", "t")])
            let id = try #require((first.json["files"] as? [[String: Any]])?.first?["material_id"] as? Int)
            _ = try await api.waitForJob(first.json["job_id"] as! Int)
            let same = try await api.upload(files: [("copy.txt", Texts.bytes(Texts.newton))], fields: [("owner_id", "t")])
            let sameFile = try #require((same.json["files"] as? [[String: Any]])?.first)
            #expect(sameFile["status"] as? String == "unchanged")
            #expect(sameFile["material_id"] as? Int == id)
            let sameJob = try await api.waitForJob(same.json["job_id"] as! Int)
            #expect((sameJob["counts"] as? [String: Int])?["unchanged"] == 1)
            let changed = try await api.upload(files: [("notes.txt", Texts.bytes(Texts.newton + "\nA third sentence."))],
                                               fields: [("owner_id", "t")])
            #expect((changed.json["files"] as? [[String: Any]])?.first?["material_id"] as? Int == id)
            let changedJob = try await api.waitForJob(changed.json["job_id"] as! Int)
            #expect((changedJob["counts"] as? [String: Int])?["updated"] == 1, "\(changedJob)")
            let all = try await api.request(.get, "/v1/materials?owner_id=t", key: api.admin)
            #expect((all.json["data"] as? [Any])?.count == 1)
        }
    }

    /// The same content under two names, the second sent while the first may still be queued: both receipts
    /// name one material, which exists once the jobs end (no id given out is later removed as a duplicate).
    @Test func theSameContentQueuedTwiceIsOneMaterial() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            var ids: [Int] = []
            var jobs: [Int] = []
            for name in ["first.md", "second.md", "third.md"] {
                let up = try await api.upload(files: [(name, Texts.bytes(Texts.newton))], fields: [("owner_id", "A")])
                #expect(up.status == 202, "\(up.text)")
                ids.append(try #require((up.json["files"] as? [[String: Any]])?.first?["material_id"] as? Int))
                jobs.append(try #require(up.json["job_id"] as? Int))
            }
            #expect(Set(ids).count == 1, "\(ids)")
            for job in jobs { _ = try await api.waitForJob(job) }
            for id in Set(ids) {
                let got = try await api.request(.get, "/v1/materials/\(id)/text", key: api.admin)
                #expect(got.status == 200, "\(got.text)")
            }
            let list = try await api.request(.get, "/v1/materials?owner_id=A", key: api.admin)
            #expect((list.json["data"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func aTextUploadBecomesOneMaterial() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let up = try await api.request(.post, "/v1/materials", key: api.admin, json: [
                "text": "# Osmosis\n\nWater moves across a membrane toward the higher solute concentration.",
                "title": "Osmosis", "format": "markdown", "owner_id": "t", "lang": "en", "retention_years": 5,
            ])
            #expect(up.status == 202, "\(up.text)")
            let id = try #require((up.json["files"] as? [[String: Any]])?.first?["material_id"] as? Int)
            _ = try await api.waitForJob(up.json["job_id"] as! Int)
            let material = try await api.request(.get, "/v1/materials/\(id)", key: api.admin)
            #expect(material.json["title"] as? String == "Osmosis")
            #expect(material.json["filename"] as? String == "Osmosis.md")
            #expect(material.json["file_type"] as? String == "markdown")
            #expect((material.json["provenance"] as? [String: Any])?["retention_years"] as? Int == 5)
            let bad = try await api.request(.post, "/v1/materials", key: api.admin,
                                            json: ["text": "x", "retention_years": 500])
            #expect(bad.status == 400 && bad.error("param") == "retention_years", "\(bad.text)")
            let justOver = try await api.request(.post, "/v1/materials", key: api.admin, body: Array(
                #"{"text": "x", "retention_years": 100.000000000000000001}"#.utf8), contentType: "application/json")
            #expect(justOver.status == 400 && justOver.error("param") == "retention_years", "\(justOver.text)")
            // NUL characters are schema-valid but never stored (nor mirrored): 422 naming the field.
            for (body, field) in [(["text": "a\u{0}b"], "text"), (["text": "ab", "title": "t\u{0}"], "title"),
                                  (["text": "ab", "tags": ["x", "y\u{0}"]], "tags")] as [([String: Any], String)] {
                let nul = try await api.request(.post, "/v1/materials", key: api.admin, json: body)
                #expect(nul.status == 422 && nul.error("param") == field, "\(nul.text)")
            }
            let noText = try await api.request(.post, "/v1/materials", key: api.admin, json: ["title": "x"])
            #expect(noText.status == 400 && noText.error("param") == "text")
            // "" breaks the schema (minLength 1); white space only is well-formed with nothing to index.
            let empty = try await api.request(.post, "/v1/materials", key: api.admin, json: ["text": ""])
            #expect(empty.status == 400 && empty.error("param") == "text")
            let blank = try await api.request(.post, "/v1/materials", key: api.admin, json: ["text": "\t \n"])
            #expect(blank.status == 422 && blank.error("param") == "text", "\(blank.text)")
            let badFormat = try await api.request(.post, "/v1/materials", key: api.admin, json: ["text": "x", "format": "pdf"])
            #expect(badFormat.status == 400 && badFormat.error("param") == "format")
            // The file name's extension decides how a text is read: one that contradicts the format is a well-formed
            // request Cairn cannot process (422), not a schema violation.
            let pdfName = try await api.request(.post, "/v1/materials", key: api.admin, json: ["text": "x", "filename": "a.pdf"])
            #expect(pdfName.status == 422 && pdfName.error("param") == "filename", "\(pdfName.text)")
            let mismatch = try await api.request(.post, "/v1/materials", key: api.admin,
                                                 json: ["text": "x", "filename": "a.md", "format": "html"])
            #expect(mismatch.status == 422 && mismatch.error("param") == "filename")
            let byName = try await api.request(.post, "/v1/materials", key: api.admin,
                                               json: ["text": "# Title\n\nBody text here.", "filename": "page.md"])
            #expect(byName.status == 202)
            _ = try await api.waitForJob(byName.json["job_id"] as! Int)
            let page = (byName.json["files"] as? [[String: Any]])?.first?["material_id"] as? Int ?? 0
            #expect(try await api.request(.get, "/v1/materials/\(page)", key: api.admin).json["file_type"] as? String
                == "markdown")
        }
    }

    /// Texts with neither a file name nor a title are known by their content: the second of two different ones
    /// is a material of its own, not an update of the first; the same one again is unchanged. A title still
    /// names the material, so a new text under the same title updates it.
    @Test func untitledTextsNeverReplaceEachOther() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            func post(_ body: [String: Any]) async throws -> (id: Int, status: String) {
                let up = try await api.request(.post, "/v1/materials", key: api.admin, json: body)
                #expect(up.status == 202, "\(up.text)")
                let file = try #require((up.json["files"] as? [[String: Any]])?.first)
                let job = try await api.waitForJob(up.json["job_id"] as! Int)
                #expect(job["status"] as? String == "completed", "\(job)")
                return (try #require(file["material_id"] as? Int), file["status"] as? String ?? "")
            }
            let osmosis = try await post(["text": "Osmosis moves water across a membrane."])
            let diffusion = try await post(["text": "Diffusion spreads particles out."])
            #expect(osmosis.id != diffusion.id)
            let again = try await post(["text": "Osmosis moves water across a membrane."])
            #expect(again.id == osmosis.id && again.status == "unchanged", "\(again)")
            for id in [osmosis.id, diffusion.id] {
                let text = try await api.request(.get, "/v1/materials/\(id)/text", key: api.admin)
                #expect(text.status == 200, "\(text.text)")
            }
            let list = try await api.request(.get, "/v1/materials", key: api.admin)
            let keys = (list.json["data"] as? [[String: Any]] ?? []).compactMap { $0["source_key"] as? String }
            #expect(keys.count == 2 && keys.allSatisfy { $0.hasPrefix("upload/text-") }, "\(keys)")
            let titled = try await post(["text": "Version one.", "title": "Notes"])
            let retitled = try await post(["text": "Version two.", "title": "Notes"])
            #expect(retitled.id == titled.id, "a titled text is updated under its title")
        }
    }

    @Test func badUploadsGetClearErrorsAndLeaveNothingBehind() async throws {
        let harness = try APIHarness { $0.maxUploadBytes = 4_096 }
        try await harness.run { api in
            let none = try await api.upload(files: [], fields: [("owner_id", "t")])
            #expect(none.status == 400 && none.error("param") == "file")
            // `curl -F file=notes.txt` (without the @) sends a field, not a file: the error says so.
            let noAt = try await api.upload(files: [], fields: [("file", "notes.txt")])
            #expect(noAt.status == 400 && noAt.error("param") == "file" && noAt.error("message")?.contains("@") == true)
            let unknown = try await api.upload(files: [("a.txt", Texts.bytes("hello there"))], fields: [("owner", "t")])
            #expect(unknown.status == 400 && unknown.error("param") == "owner", "\(unknown.text)")
            let twoTitles = try await api.upload(files: [("a.txt", Texts.bytes("one text")), ("b.txt", Texts.bytes("two text"))],
                                                 fields: [("title", "T")])
            #expect(twoTitles.status == 400 && twoTitles.error("param") == "title")
            let sameName = try await api.upload(files: [("a.txt", Texts.bytes("one text")), ("a.txt", Texts.bytes("other"))])
            #expect(sameName.status == 400 && sameName.error("message")?.contains("named a.txt") == true)
            let license = try await api.upload(files: [("a.txt", Texts.bytes("hello"))], fields: [("license_type", "CC BY")])
            #expect(license.status == 400 && license.error("param") == "license_type")
            let unreadable = try await api.upload(files: [("x.bin", [0, 1, 2, 0])])
            #expect(unreadable.status == 422 && unreadable.error("code") == "unprocessable")
            let big = try await api.upload(files: [("big.txt", [UInt8](repeating: 65, count: 5_000))])
            #expect(big.status == 413)
            let plain = try await api.request(.post, "/v1/materials", key: api.admin, body: Texts.bytes("x"),
                                              contentType: "text/plain")
            #expect(plain.status == 415)
            let boundary = "b0undary"
            let cut = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhalf".utf8)
            let truncated = try await api.request(.post, "/v1/materials", key: api.admin, body: cut,
                                                  contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(truncated.status == 400 && truncated.error("message")?.contains("closing boundary") == true)
            // A byte over 0x7F in a part's header name (once enough to bring the server down) is a 400.
            let rest = ": x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n"
            var badHeader: [UInt8] = Array("--\(boundary)\r\n".utf8)
            badHeader += [0xC3, 0x80]
            badHeader += Array((rest + "--\(boundary)--\r\n").utf8)
            let refused = try await api.request(.post, "/v1/materials", key: api.admin, body: badHeader,
                                                contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(refused.status == 400 && refused.error("param") == "file"
                && refused.error("message")?.contains("malformed") == true, "\(refused.text)")
            let noBoundary = try await api.request(.post, "/v1/materials", key: api.admin, body: cut,
                                                   contentType: "multipart/form-data")
            #expect(noBoundary.status == 400)
            let list = try await api.request(.get, "/v1/materials", key: api.admin)
            #expect((list.json["data"] as? [Any])?.isEmpty == true, "\(list.text)")
            let spool = (try? FileManager.default.contentsOfDirectory(atPath: harness.dir.file("data/uploads"))) ?? []
            #expect(spool.isEmpty, "refused uploads left \(spool)")
        }
    }

    @Test func aFullQueueIsA503() async throws {
        let harness = try APIHarness { $0.ingestQueueLimit = 1 }
        try await harness.run { api in
            // The worker takes one job at a time; with a long first job, the second waits and the third is refused.
            let long = (0..<200).map { "Paragraph \($0): " + Texts.newton }.joined(separator: "\n\n")
            let first = try await api.upload(files: [("long.txt", Texts.bytes(long))])
            #expect(first.status == 202)
            var statuses: [Int] = []
            for i in 0..<3 {
                statuses.append(try await api.upload(files: [("n\(i).txt", Texts.bytes("note \(i) " + Texts.newton))]).status)
            }
            #expect(statuses.contains(503), "\(statuses)")
            let cancel = try await api.request(.post, "/v1/jobs/\(first.json["job_id"] as! Int)/cancel", key: api.admin)
            #expect(cancel.status == 200)
        }
    }
}
