import CairnEmbedding
import CairnIndex
import CairnIngest
import CairnSQL
import CairnStorage
import Foundation
import Synchronization
import Testing
import TestSupport

/// The real built-in embedder, counting the texts that reach it.
final class CountingEmbedder: Embedder {
    let inner: any Embedder
    private let texts = Mutex<[String]>([])

    init(_ inner: any Embedder) { self.inner = inner }

    var model: EmbeddingModelInfo { inner.model }
    func countTokens(_ text: String) -> Int { inner.countTokens(text) }
    func embed(_ batch: [String]) async throws(EmbeddingError) -> EmbeddingOutput {
        texts.withLock { $0 += batch }
        return try await inner.embed(batch)
    }

    var embedded: [String] { texts.withLock { $0 } }
    func reset() { texts.withLock { $0 = [] } }
}

enum IngestFixtures {
    static let physics = """
        Newton's laws of motion describe how forces change the motion of objects. The first law says that an object \
        stays at rest or keeps moving in a straight line unless a net force acts on it.

        The second law relates force, mass and acceleration: the net force equals mass times acceleration. Doubling \
        the force on a cart doubles its acceleration, while doubling its mass halves it.

        The third law states that forces come in pairs. When you push on a wall, the wall pushes back on you with a \
        force of equal size in the opposite direction.
        """

    static let markdown = """
        # Cell biology

        ## Mitochondria

        Mitochondria release energy from glucose in cellular respiration and store it as ATP. They have their own DNA.

        ## Chloroplasts

        Chloroplasts capture light energy in photosynthesis, turning carbon dioxide and water into glucose and oxygen.
        """

    static let html = """
        <html><head><title>The French Revolution</title><style>p{}</style></head><body>
        <h1>Causes</h1><p>By 1789 France was nearly bankrupt after costly wars, and bread prices had soared.</p>
        <h2>The Estates-General</h2><p>The king called the Estates-General for the first time since 1614 &amp; the \
        Third Estate declared itself a National Assembly.</p><script>ignored()</script></body></html>
        """

    static let bank = [
        #"{"id_str": "MATH-ALG-001", "bank_id": "SAT_MATH", "lang": "en", "stem_rich": {"html": "<p>Solve 2x + 3 = 7 for x.</p>"}, "options_rich": [{"key": "A", "text": "x = 1"}, {"key": "B", "text": "x = 2"}], "answer_key": {"correct": ["B"]}, "topic_tags": ["algebra", "linear-equations"]}"#,
        #"{"id_str": "KO-SCI-002", "bank_id": "KO_SCI", "lang": "ko", "stem_rich": {"html": "<p>광합성은 어디에서 일어나는가?</p>"}, "options_rich": [{"key": "A", "text": "엽록체"}, {"key": "B", "text": "미토콘드리아"}], "answer_key": {"correct": ["A"]}, "topic_tags": ["biology"]}"#,
        #"{"id_str": "ZH-HANS-003", "lang": "zh-Hans", "stem_rich": {"html": "<p>水的化学式是什么？</p>"}, "options_rich": [{"key": "A", "text": "H2O"}, {"key": "B", "text": "CO2"}], "answer_key": {"correct": ["A"]}, "topic_tags": ["chemistry"]}"#,
        #"{"id_str": "ZH-HANT-004", "lang": "zh-Hant", "stem_rich": {"html": "<p>地球繞著什麼轉動？</p>"}, "options_rich": [{"key": "A", "text": "太陽"}, {"key": "B", "text": "月亮"}], "answer_key": {"correct": ["A"]}, "topic_tags": ["astronomy"]}"#,
        #"{"id_str": "BROKEN-005", "stem_rich": "#,
    ].joined(separator: "\n")

    static let csv = """
        external_id,title,text,tags
        GEO-1,Rivers,"The Nile flows north through eleven countries into the Mediterranean Sea.",geography;africa
        GEO-2,Mountains,"Mount Everest, on the border of Nepal and China, is the highest mountain above sea level.",geography;asia
        """

    /// Writes the fixture files into `dir` and returns their paths (sorted).
    static func write(into dir: TemporaryDirectory) throws -> [String] {
        let files: [(String, String)] = [
            ("physics.txt", physics), ("biology.md", markdown), ("revolution.html", html), ("bank.jsonl", bank),
            ("facts.csv", csv), ("empty.txt", "  \n\n "),
        ]
        for (name, text) in files { try text.write(toFile: dir.file(name), atomically: true, encoding: .utf8) }
        try PDFWriter.write(pages: [
            ["Chapter 3: Waves", "Sound travels as a longitudinal wave through air."],
            ["Light behaves as a transverse electromagnetic wave.", "It needs no medium and crosses empty space."],
        ], to: dir.file("waves.pdf"))
        return (files.map(\.0) + ["waves.pdf"]).map { dir.file($0) }.sorted()
    }
}

@Suite(.serialized) struct BulkIngestTests {
    static func open(_ dir: String, _ counting: CountingEmbedder) throws -> MaterialLibrary {
        try MaterialLibrary.open(dataDirectory: dir, embedder: counting)
    }

    static func builtin() throws -> any Embedder {
        try BuiltinEmbedder(modelDirectory: try ModelFiles.requireMiniLMDirectory(), threads: 2)
    }

    /// Every stored chunk is exactly its material's text at its offsets; the index holds exactly the chunks.
    static func checkInvariants(_ library: MaterialLibrary) throws {
        let store = library.store
        for material in try store.materials(status: .completed) {
            let text = Array(try #require(try store.extractedText(material: material.id)).unicodeScalars)
            let rows = try store.database.query(
                "SELECT content, char_start, char_end, chunk_index FROM material_chunks WHERE material_id = ? ORDER BY chunk_index",
                [.integer(material.id.rawValue)])
            #expect(rows.count == material.chunkCount && !rows.isEmpty, "\(material.sourceKey)")
            for (i, row) in rows.enumerated() {
                let content: String = try row.get(0), start: Int = try row.get(1), end: Int = try row.get(2)
                #expect(try row.get(3) as Int == i)
                var view = String.UnicodeScalarView()
                view.append(contentsOf: text[start..<end])
                #expect(String(view) == content, "\(material.sourceKey) chunk \(i)")
            }
        }
        let labels = Set(library.vectors.index.allLabels().map(ChunkID.init(label:)))
        #expect(labels == (try store.allChunkIDs()))
    }

    @Test func aMixedDirectoryIsIndexedAndBadInputIsReportedNotFatal() async throws {
        let files = try TemporaryDirectory(), data = try TemporaryDirectory()
        let paths = try IngestFixtures.write(into: files)
        let counting = CountingEmbedder(try Self.builtin())
        let library = try Self.open(data.path, counting)
        let ingestor = try BulkIngestor(library: library, options: BulkIngestOptions(
            defaults: MaterialMetadata(owner: "school-1"), chunking: ChunkingOptions(maxTokens: 48, overlapTokens: 8)))
        let summary = try await ingestor.run(paths.map { IngestInput(path: $0) }, arguments: "test")
        // 4 documents + 4 items + 2 CSV rows; the broken JSONL line and the empty file fail.
        #expect(summary.counts.added == 10, "\(summary.counts) \(summary.errors)")
        #expect(summary.counts.failed == 2, "\(summary.errors)")
        #expect(summary.completed)
        #expect(summary.errors.contains { $0.path.hasSuffix("bank.jsonl:5") })
        #expect(summary.errors.contains { $0.path.hasSuffix("empty.txt") })
        let empty = try #require(try library.store.material(owner: "school-1", sourceKey: files.file("empty.txt")))
        #expect(empty.status == .failed && empty.chunkCount == 0)
        try Self.checkInvariants(library)
        #expect(counting.embedded.count == summary.counts.chunks)

        let korean = try #require(try library.store.materials(owner: "school-1").first { $0.externalID == "KO-SCI-002" })
        #expect(korean.language == "ko" && korean.tags.contains("biology"))

        let hit = try await library.search(ChunkQuery(text: "What does the second law say about force and mass?", topK: 3))
        #expect(hit.hits.first?.chunk.filename == "physics.txt")
        let item = try await library.search(ChunkQuery(text: "solve the linear equation for x", topK: 1,
                                                       filter: ChunkFilter(owner: "school-1", tags: ["algebra"])))
        #expect(item.hits.first?.chunk.externalID == "MATH-ALG-001")
        #expect(item.exact)
        let none = try await library.search(ChunkQuery(text: "anything", filter: ChunkFilter(owner: "someone-else")))
        #expect(none.hits.isEmpty)
        let light = try await library.search(ChunkQuery(text: "light is an electromagnetic wave that needs no medium",
                                                        topK: 1, filter: ChunkFilter(owner: "school-1")))
        let pdfHit = try #require(light.hits.first?.chunk)
        #expect(pdfHit.filename == "waves.pdf")
        #expect(pdfHit.pageNumber == 2 || (pdfHit.pageNumber == 1 && pdfHit.pageEnd == 2), "\(pdfHit)")
        let md = try await library.search(ChunkQuery(text: "chloroplasts capture light energy", topK: 1))
        #expect(md.hits.first?.chunk.headingPath == ["Cell biology", "Chloroplasts"])
    }

    @Test func reindexingSkipsUnchangedContentAndReembedsOnlyNewChunks() async throws {
        let files = try TemporaryDirectory(), data = try TemporaryDirectory()
        let paths = try IngestFixtures.write(into: files).filter { !$0.hasSuffix("empty.txt") }
        let counting = CountingEmbedder(CachedEmbedder(try Self.builtin(), cache: try EmbeddingCache(dataDirectory: data.path)))
        let options = BulkIngestOptions(chunking: ChunkingOptions(maxTokens: 40, overlapTokens: 0))
        let library = try Self.open(data.path, counting)
        let first = try await BulkIngestor(library: library, options: options).run(paths.map { IngestInput(path: $0) },
                                                                                    arguments: "first")
        #expect(first.counts.added == 10 && first.counts.failed == 1)

        counting.reset()
        let again = try await BulkIngestor(library: library, options: options).run(paths.map { IngestInput(path: $0) },
                                                                                    arguments: "again")
        #expect(again.counts.unchanged == 10 && again.counts.added == 0 && again.counts.updated == 0)
        #expect(counting.embedded.isEmpty)

        let physics = files.file("physics.txt")
        let before = try #require(try library.store.material(owner: "default", sourceKey: physics))
        let oldIDs = try library.store.chunkFingerprints(material: before.id).map(\.id)
        let added = "\n\nFriction is a force that opposes motion between surfaces in contact."
        try (IngestFixtures.physics + added).write(toFile: physics, atomically: true, encoding: .utf8)
        counting.reset()
        let changed = try await BulkIngestor(library: library, options: options).run([IngestInput(path: physics)],
                                                                                      arguments: "changed")
        #expect(changed.counts.updated == 1)
        let after = try library.store.chunkFingerprints(material: before.id).map(\.id)
        // Earlier paragraphs chunk the same way: their chunks keep their ids and are not embedded again.
        #expect(Set(oldIDs).intersection(after).count >= oldIDs.count - 1)
        #expect(counting.embedded.count <= 2 && counting.embedded.count >= 1, "\(counting.embedded)")
        #expect(counting.embedded.contains { $0.contains("Friction") })
        try Self.checkInvariants(library)

        // The same content under another name is a no-op for the same owner.
        let copy = files.file("copy-of-physics.txt")
        try (IngestFixtures.physics + added).write(toFile: copy, atomically: true, encoding: .utf8)
        let dup = try await BulkIngestor(library: library, options: options).run([IngestInput(path: copy)], arguments: "dup")
        #expect(dup.counts.unchanged == 1 && dup.counts.added == 0)
    }

    @Test func aStoppedJobLeavesItsProgressRecordedAndARerunFinishes() async throws {
        let files = try TemporaryDirectory(), data = try TemporaryDirectory()
        let path = files.file("long.txt")
        try Array(repeating: IngestFixtures.physics, count: 3).joined(separator: "\n\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let library = try Self.open(data.path, CountingEmbedder(try Self.builtin()))
        let options = BulkIngestOptions(chunking: ChunkingOptions(maxTokens: 24, overlapTokens: 0), batchSize: 4)
        let stop = StopFlag()
        let stopped = try await BulkIngestor(library: library, options: options)
            .run([IngestInput(path: path)], arguments: "stopped", stop: stop) { _ in stop.stop() }
        #expect(!stopped.completed && stopped.counts.added == 0)
        let material = try #require(try library.store.materials().first)
        #expect(material.status == .processing)
        let jobs = try library.store.database.query(
            "SELECT stage, status, progress_done, progress_total FROM material_processing_jobs WHERE material_id = ? ORDER BY stage",
            [.integer(material.id.rawValue)])
        #expect(try jobs.map { try $0.get(0) as String } == ["embed", "parse"])
        #expect(try jobs[0].get(1) as String == "running" && jobs[1].get(1) as String == "completed")
        let done: Int = try jobs[0].get(2), total: Int = try jobs[0].get(3)
        #expect(done == 4 && total > 8, "embed progress \(done)/\(total)")
        #expect(try library.store.allChunkIDs().isEmpty)

        let finished = try await BulkIngestor(library: library, options: options).run([IngestInput(path: path)],
                                                                                       arguments: "again")
        #expect(finished.completed && finished.counts.added == 1)
        let row = try #require(try library.store.database.queryFirst(
            "SELECT status, progress_done, progress_total FROM material_processing_jobs WHERE material_id = ? AND stage = 'embed'",
            [.integer(material.id.rawValue)]))
        #expect(try row.get(0) as String == "completed" && row.get(1) as Int == total && row.get(2) as Int == total)
        #expect(try library.store.material(id: material.id)?.status == .completed)
        try Self.checkInvariants(library)
    }

    @Test func openingReconcilesTheIndexWithTheStore() async throws {
        let data = try TemporaryDirectory()
        let embedder = CountingEmbedder(try Self.builtin())
        do {
            let library = try Self.open(data.path, embedder)
            // Rows committed, vectors never applied: what a kill between the two writes leaves.
            _ = try library.store.commitMaterials(
                [FinishedMaterial(draft: MaterialDraft(owner: "o", sourceKey: "k", title: "t", fileType: "text",
                                                       fileSize: 1, contentSHA256: "s"),
                                  existing: nil, extractedText: "alpha beta",
                                  rows: [ChunkRow(Chunk(index: 0, charStart: 0, charEnd: 10, content: "alpha beta", tokenCount: 2,
                                                        contentHash: "h"), embedding: [Float](repeating: 0.05, count: 384))])],
                failures: [], bulkJob: nil, model: embedder.model.id)
            try library.vectors.upsert(label: 987_654, vector: [Float](repeating: 0.05, count: 384))
        }
        let reopened = try Self.open(data.path, embedder)
        #expect(reopened.reconcileReport.vectorsAdded == 1)
        #expect(reopened.reconcileReport.vectorsRemoved == 1)
        #expect(reopened.vectors.index.allLabels().count == 1)
        try Self.checkInvariants(reopened)
    }
}
