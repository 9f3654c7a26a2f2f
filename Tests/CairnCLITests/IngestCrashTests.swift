import CairnIndex
import CairnIngest
import CairnSQL
import CairnStorage
import CairnStorage
import Foundation
import Testing
import TestSupport

/// Kills `cairn index` with SIGKILL at random moments of a bulk job, re-runs it until it finishes, and checks
/// that the store and index end exactly as after one uninterrupted run.
@Suite(.serialized) struct IngestCrashTests {
    /// Deterministic study notes: `count` files of several paragraphs each.
    static func writeCorpus(into dir: TemporaryDirectory, count: Int) throws -> String {
        let root = dir.file("materials")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let subjects = ["photosynthesis", "the water cycle", "plate tectonics", "the French Revolution", "fractions",
                        "electric circuits", "the immune system", "supply and demand", "volcanoes", "poetry metre"]
        let verbs = ["explains", "describes", "shows", "compares", "summarises", "questions"]
        var rng = SplitMix(seed: 77)
        for f in 0..<count {
            var paragraphs: [String] = []
            for p in 0..<(3 + Int(rng.next() % 3)) {
                var sentences: [String] = []
                for s in 0..<(3 + Int(rng.next() % 4)) {
                    let subject = subjects[Int(rng.next() % UInt64(subjects.count))]
                    let verb = verbs[Int(rng.next() % UInt64(verbs.count))]
                    sentences.append("Note \(f).\(p).\(s) \(verb) \(subject) with example number \(rng.next() % 1000).")
                }
                paragraphs.append(sentences.joined(separator: " "))
            }
            try paragraphs.joined(separator: "\n\n").write(toFile: root + "/note-\(f).txt", atomically: true, encoding: .utf8)
        }
        return root
    }

    struct ChunkFact: Hashable {
        var source: String
        var index: Int
        var content: String
        var start: Int
        var end: Int
    }

    /// The chunks a data directory holds, keyed by file name (not path) so two directories compare.
    static func facts(_ dataDir: String) throws -> Set<ChunkFact> {
        let store = try MaterialStore(dataDirectory: dataDir)
        let rows = try store.database.query(
            """
            SELECT m.filename, c.chunk_index, c.content, c.char_start, c.char_end FROM material_chunks c
            JOIN materials m ON m.id = c.material_id
            """)
        return Set(try rows.map {
            ChunkFact(source: try $0.get(0), index: try $0.get(1), content: try $0.get(2), start: try $0.get(3),
                      end: try $0.get(4))
        })
    }

    @Test func aKilledBulkJobResumesToTheSameIndexAsACleanRun() throws {
        let model = try ModelFiles.requireMiniLMDirectory()
        let env = ["CAIRN_MODEL_DIR": model]
        let dir = try TemporaryDirectory(prefix: "cairn-ingest-crash")
        let corpus = try Self.writeCorpus(into: dir, count: 14)
        let args = ["index", corpus, "--max-tokens", "48", "--overlap", "8", "--batch", "8", "--threads", "1"]

        let clean = dir.file("clean")
        let cleanRun = try CairnBinary.run(args + ["--data-dir", clean], environment: env)
        #expect(cleanRun.status == 0, "\(cleanRun.stderr)")
        let expected = try Self.facts(clean)
        #expect(expected.count > 40)

        let crashed = dir.file("crashed")
        var rng = SplitMix(seed: 4242)
        var kills = 0
        for _ in 0..<8 {
            let delay = 0.3 + Double(rng.next() % 1000) / 1000 * 2.5
            let run = try CairnBinary.runAndKill(args + ["--data-dir", crashed], after: delay, environment: env)
            if run.killed { kills += 1 } else { break }
        }
        let final = try CairnBinary.run(args + ["--data-dir", crashed, "--json"], environment: env)
        #expect(final.status == 0, "\(final.stderr)")
        #expect(kills >= 2, "the job finished before it could be killed often enough (\(kills) kills)")
        #expect(try Self.facts(crashed) == expected)

        let store = try MaterialStore(dataDirectory: crashed)
        #expect(try store.materials().allSatisfy { $0.status == .completed })
        #expect(try store.materials().count == 14)
        let index = try DurableIndex.open(directory: crashed + "/" + MaterialLibrary.indexDirectoryName)
        #expect(Set(index.index.allLabels().map(ChunkID.init(label:))) == (try store.allChunkIDs()))
    }

    @Test func ctrlCStopsCleanlyAndARerunContinues() throws {
        let env = ["CAIRN_MODEL_DIR": try ModelFiles.requireMiniLMDirectory()]
        let dir = try TemporaryDirectory(prefix: "cairn-ingest-sigint")
        let corpus = try Self.writeCorpus(into: dir, count: 14)
        let data = dir.file("data")
        let args = ["index", corpus, "--data-dir", data, "--max-tokens", "48", "--overlap", "8", "--batch", "8",
                    "--threads", "1"]
        let first = try CairnBinary.runAndSignal(args, signal: SIGINT, after: 1.5, environment: env)
        try #require(first.signalled, "the job ended before Ctrl-C")
        #expect(first.outcome.status == 130, "\(first.outcome.stderr)")
        #expect(first.outcome.stdout.contains("stopped"), "\(first.outcome.stdout)")
        let store = try MaterialStore(dataDirectory: data)
        let done = try store.materials(status: .completed).count
        #expect(done < 14)
        let second = try CairnBinary.run(args + ["--json"], environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any]
        #expect(summary?["unchanged"] as? Int == done)
        #expect((summary?["added"] as? Int ?? 0) + done == 14)
        #expect(try store.materials().allSatisfy { $0.status == .completed })
    }

    @Test func manifestMetadataAndGlobsReachTheStore() throws {
        let env = ["CAIRN_MODEL_DIR": try ModelFiles.requireMiniLMDirectory()]
        let dir = try TemporaryDirectory(prefix: "cairn-cli-manifest")
        let files = dir.file("in")
        try FileManager.default.createDirectory(atPath: files + "/drafts", withIntermediateDirectories: true)
        try "Osmosis moves water across a membrane toward the higher solute concentration."
            .write(toFile: files + "/osmosis.txt", atomically: true, encoding: .utf8)
        try "Erosion wears rock away through wind, water and ice."
            .write(toFile: files + "/erosion.md", atomically: true, encoding: .utf8)
        try "A draft that the exclude glob keeps out."
            .write(toFile: files + "/drafts/draft.txt", atomically: true, encoding: .utf8)
        let manifest = dir.file("manifest.jsonl")
        try """
            {"path": "in/osmosis.txt", "owner": "tenant-a", "topic": "biology", "tags": ["cells", "water"], "license_type": "CC0-1.0", "source_uri": "https://example.org/osmosis", "acquisition_method": "manual_upload"}
            {"path": "in/missing.txt", "owner": "tenant-a"}
            """.write(toFile: manifest, atomically: true, encoding: .utf8)
        let data = dir.file("data")
        let viaManifest = try CairnBinary.run(["index", "--manifest", manifest, "--data-dir", data, "--json"],
                                              environment: env)
        #expect(viaManifest.status == 1, "the missing file fails: \(viaManifest.stdout) \(viaManifest.stderr)")
        let walked = try CairnBinary.run(["index", files, "--exclude", "drafts/**", "--owner", "tenant-b",
                                          "--data-dir", data, "--json"], environment: env)
        #expect(walked.status == 0, "\(walked.stderr)")
        let store = try MaterialStore(dataDirectory: data)
        let materials = try store.materials()
        #expect(!materials.contains { $0.filename == "draft.txt" })
        let osmosis = try #require(materials.first { $0.owner == "tenant-a" && $0.filename == "osmosis.txt" })
        #expect(osmosis.topic == "biology" && osmosis.tags == ["cells", "water"])
        let license = try store.database.queryValue("SELECT license_type FROM provenance WHERE material_id = ?",
                                                    [.integer(osmosis.id.rawValue)], as: String.self)
        #expect(license == "CC0-1.0")
        // Same content for tenant-b is a different owner's material; erosion.md is tenant-b's only.
        #expect(materials.filter { $0.owner == "tenant-b" }.compactMap(\.filename).sorted() == ["erosion.md", "osmosis.txt"])
        let search = try CairnBinary.run(["search", "water crossing a membrane", "--data-dir", data, "--owner",
                                          "tenant-a", "--tags", "cells", "--json"], environment: env)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [String: Any])
        let results = try #require(body["results"] as? [[String: Any]])
        #expect(results.count == 1 && results.first?["owner"] as? String == "tenant-a")

        let info = try CairnBinary.run(["info", "--json", "--data-dir", data], environment: env)
        let facts = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: String])
        let chunks = try store.allChunkIDs().count
        #expect(facts["chunks"] == "\(chunks)" && facts["chunk_vectors"] == "\(chunks)", "\(facts)")
        // The missing file is in the job's error log, not a material (there is nothing to describe).
        #expect(facts["materials"] == "0 pending, 0 processing, 3 completed, 0 failed", "\(facts)")
    }

    @Test func indexThenSearchFromTheCommandLine() throws {
        let model = try ModelFiles.requireMiniLMDirectory()
        let env = ["CAIRN_MODEL_DIR": model]
        let dir = try TemporaryDirectory(prefix: "cairn-cli-search")
        let files = dir.file("in")
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        try "Photosynthesis turns light, water and carbon dioxide into glucose and oxygen in chloroplasts."
            .write(toFile: files + "/bio.txt", atomically: true, encoding: .utf8)
        try "The Treaty of Versailles ended the First World War in 1919."
            .write(toFile: files + "/history.md", atomically: true, encoding: .utf8)
        try Data([0x00, 0xFF, 0x10, 0x80]).write(to: URL(fileURLWithPath: files + "/blob.txt"))
        let data = dir.file("data")
        let run = try CairnBinary.run(["index", files, "--data-dir", data, "--owner", "class-7b", "--json"],
                                      environment: env)
        #expect(run.status == 1, "one bad file gives status 1: \(run.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(summary?["added"] as? Int == 2)
        #expect(summary?["failed"] as? Int == 1)

        let search = try CairnBinary.run(["search", "how do plants make glucose", "--data-dir", data, "--owner",
                                          "class-7b", "--top-k", "1", "--json"], environment: env)
        #expect(search.status == 0, "\(search.stderr)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [String: Any])
        let results = try #require(body["results"] as? [[String: Any]])
        #expect(results.count == 1)
        #expect((results.first?["content"] as? String)?.hasPrefix("Photosynthesis") == true)
        for key in ["chunk_id", "material_id", "external_id", "title", "content", "page_number", "char_start",
                    "char_end", "similarity"] {
            #expect(results.first?.keys.contains(key) == true, "\(key)")
        }
        #expect(body["timings"] != nil)
        #expect(body["mode"] as? String == "hybrid")
        // An exact term by keyword: the year and the treaty's name rank the history note first, with its ranks.
        let keyword = try CairnBinary.run(["search", "Versailles 1919", "--data-dir", data, "--mode", "keyword",
                                           "--json"], environment: env)
        let keywordBody = try #require(try JSONSerialization.jsonObject(with: Data(keyword.stdout.utf8)) as? [String: Any])
        let keywordResults = try #require(keywordBody["results"] as? [[String: Any]])
        #expect(keywordResults.count == 1 && keywordResults.first?["keyword_rank"] as? Int == 1, "\(keyword.stdout)")
        #expect((keywordResults.first?["content"] as? String)?.contains("Versailles") == true)
        let grounding = try #require(keywordBody["grounding"] as? [String: Any])
        #expect(grounding["not_in_materials"] as? Bool == false && grounding["materials_covered"] as? Int == 1)
        // What a person reads: ranks per hit and the grounding line.
        let human = try CairnBinary.run(["search", "volcanoes of Iceland", "--data-dir", data], environment: env)
        #expect(human.status == 0 && human.stdout.contains("grounding: best similarity"), "\(human.stdout)")
        #expect(human.stdout.contains("the materials do not seem to cover this question"), "\(human.stdout)")
        #expect(human.stdout.contains("[vector #1"), "\(human.stdout)")
        let bad = try CairnBinary.run(["search", "x", "--data-dir", data, "--mode", "semantic"], environment: env)
        #expect(bad.status != 0 && bad.stderr.contains("semantic"), "\(bad.stderr)")
    }
}
