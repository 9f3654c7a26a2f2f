import CairnEmbedding
import CairnIngest
import CairnMirror
import CairnPostgres
import Foundation
import TestSupport

/// A data directory with a library (8-dimensional vectors from a fake embedder), its outbox turned on, and
/// an applier pointed at a fresh database.
struct MirrorFixture {
    struct FakeEmbedder: Embedder {
        var model: EmbeddingModelInfo { EmbeddingModelInfo(id: "fake-8", dimension: 8, maxTokens: 256, provider: .builtin) }
        func countTokens(_ text: String) -> Int { text.split(separator: " ").count }
        func embed(_ texts: [String]) async throws(EmbeddingError) -> EmbeddingOutput {
            EmbeddingOutput(vectors: texts.map(MirrorFixture.vector), tokenCounts: texts.map { _ in 1 }, usage: TokenUsage())
        }
    }

    let directory: TemporaryDirectory
    let library: MaterialLibrary
    let outbox: MirrorOutbox
    let applier: MirrorApplier
    let databaseURL: String

    init(databaseURL: String? = nil, dimension: Int = 8) throws {
        directory = try TemporaryDirectory()
        library = try MaterialLibrary.open(dataDirectory: directory.path, embedder: FakeEmbedder())
        outbox = try MirrorOutbox(storePath: library.store.path)
        try outbox.enable()
        self.databaseURL = try databaseURL ?? TestPostgres.shared().createDatabase("mirror")
        applier = MirrorApplier(target: .init(url: PostgresURL(self.databaseURL), dimension: dimension, model: "fake-8"),
                                outbox: outbox)
    }

    /// A deterministic unit-ish vector for a text.
    static func vector(_ text: String) -> [Float] {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return (0..<8).map { _ in
            h = h &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(h >> 40) / Float(1 << 24) - 0.5
        }
    }

    /// Material `i` of `owner` with `chunks` chunks whose texts carry `version`.
    static func material(_ i: Int, owner: String = "t1", chunks: Int = 3, version: Int = 0, title: String? = nil,
                         licence: String = "CC-BY-4.0", existing: MaterialID? = nil) -> FinishedMaterial {
        let draft = MaterialDraft(owner: owner, sourceKey: "src/\(i)", externalID: i % 3 == 0 ? "ext-\(i)" : nil,
                                  title: title ?? "Material \(i)", filename: "m\(i).md", fileType: "markdown",
                                  fileSize: 100 + i, topic: i % 2 == 0 ? "algebra" : nil, tags: ["t\(i % 4)", "all"],
                                  language: "en", contentSHA256: "sha-\(i)-v\(version)",
                                  provenance: ProvenanceInput(sourceURI: "https://example.org/\(i)", contentType: .material,
                                                              acquisitionMethod: .manualUpload,
                                                              licenseType: LicenseType(rawValue: licence),
                                                              retentionYears: i % 5, acquiredAt: "2024-05-0\(1 + i % 9)"),
                                  extraJSON: #"{"n": \#(i), "a": [1, 2]}"#)
        let text = (0..<chunks).map { "Chunk \($0) of material \(i), version \(version)." }.joined(separator: "\n\n")
        var offset = 0
        let rows = (0..<chunks).map { c -> ChunkRow in
            let content = "Chunk \(c) of material \(i), version \(version)."
            defer { offset += content.count + 2 }
            return ChunkRow(Chunk(index: c, charStart: offset, charEnd: offset + content.count, content: content,
                                  headingPath: ["Part \(c)"], tokenCount: 8, contentHash: "h-\(i)-\(c)-\(version)"),
                            language: "en", embedding: vector(content))
        }
        return FinishedMaterial(draft: draft, existing: existing, extractedText: text, rows: rows)
    }

    /// Drains until the outbox is empty; returns the drains' reports.
    @discardableResult
    func sync() throws -> [MirrorApplier.Report] {
        var reports: [MirrorApplier.Report] = []
        repeat { reports.append(try applier.drain()) } while try outbox.backlog().changes > 0
        return reports
    }

    func verify() throws -> MirrorVerifier.Report {
        try MirrorVerifier.verify(store: outbox.database, mirror: applier.connect())
    }

    func postgres() throws -> PostgresConnection { try PostgresConnection(url: PostgresURL(databaseURL)) }
}
