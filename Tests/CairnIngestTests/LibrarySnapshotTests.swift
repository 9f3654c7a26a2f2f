import CairnIndex
@testable import CairnIngest
import CairnKeyword
import CairnSQL
import CairnStorage
import Foundation
import Testing
import TestSupport

/// The chunk catalog and the keyword index saved at a clean shutdown are adopted at the next open only when
/// the store's content is what they were saved from, and then answer exactly as if derived from the store.
@Suite(.serialized) struct LibrarySnapshotTests {
    typealias HashEmbedder = ChunkCatalogTests.HashEmbedder

    static let queries = ["socket thread", "x86_64 compile", "c++", "東京", "cafe network", "h2o timer signal",
                          "material chunk", "zebrafish"]

    /// A library with the catalog tests' 60 materials, 30 more of varied text, one update and one delete (so
    /// the keyword index has removed slots), its keyword index built.
    static func populated(_ dir: TemporaryDirectory, keyword: KeywordOptions = .standard) throws -> MaterialLibrary {
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder(), keywordOptions: keyword)
        try ChunkCatalogTests.populate(library)
        var random = SplitMix(seed: 23)
        try library.commit((100..<130).map { i in
            HybridSearchTests.material(i, owner: ["a", "d"][i % 2],
                                       chunks: (0..<(1 + i % 3)).map { _ in HybridSearchTests.text(&random, words: 10) })
        }, bulkJob: nil)
        try library.prepareKeywordIndex()
        try library.commit([HybridSearchTests.material(5, owner: "c", chunks: ["zebrafish socket"],
                                                       existing: MaterialID(rawValue: 6))], bulkJob: nil)
        try library.delete(MaterialID(rawValue: 7))
        return library
    }

    /// The catalog selects what the store's SQL selects, and the keyword index ranks as a fresh build does.
    static func checkAgainstStore(_ library: MaterialLibrary) throws {
        for filter in ChunkCatalogTests.filters() {
            #expect(library.catalog.labels(matching: filter) == Set(try library.store.chunkIDs(filter: filter).map(\.label)),
                    "\(filter)")
        }
        try library.prepareKeywordIndex()
        try HybridSearchTests.checkAgainstStore(library, queries: queries)
        let completed = try library.store.reader.queryValue(
            "SELECT count(*) FROM materials WHERE status = 'completed'", as: Int.self)
        #expect(library.catalog.materialCount == completed)
    }

    @Test func savedSnapshotsAreAdoptedAndAnswerAsTheStoreDoes() throws {
        let dir = try TemporaryDirectory()
        let library = try Self.populated(dir)
        let saved = try library.saveSnapshots()
        #expect(saved.catalog && saved.keywords && saved.keywordsSkipped == nil && saved.bytes > 0)

        let reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(reopened.reconcileReport.catalogFromSnapshot)
        #expect(reopened.reconcileReport.vectorsAdded == 0 && reopened.reconcileReport.vectorsRemoved == 0)
        #expect(reopened.reconcileReport.chunks == library.vectors.index.count)
        let build = try reopened.prepareKeywordIndex()
        #expect(build.fromSnapshot && build.chunks == library.keywords.count && build.terms == library.keywords.termCount)
        #expect(reopened.keywords.image() == library.keywords.image())
        try Self.checkAgainstStore(reopened)
        // Nothing written since: nothing to write at the next shutdown, and the files stay adoptable.
        let unchanged = try reopened.saveSnapshots()
        #expect(unchanged.catalog && unchanged.keywords && unchanged.bytes == 0)
        let third = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(try third.reconcileReport.catalogFromSnapshot && third.prepareKeywordIndex().fromSnapshot)
        // A library that never needed its keyword index keeps the file saved for these chunks.
        let idle = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        let idleSave = try idle.saveSnapshots()
        #expect(idleSave.keywords && idleSave.bytes == 0 && idle.keywordBuildReport == nil)
        #expect(FileManager.default.fileExists(atPath: idle.keywordSnapshot.path))
        // Kept in step afterwards, as a built index is.
        try reopened.commit([HybridSearchTests.material(200, owner: "e", chunks: ["zebrafish compile network"])],
                            bulkJob: nil)
        try Self.checkAgainstStore(reopened)
        let after = try reopened.saveSnapshots()
        #expect(after.catalog && after.keywords && after.bytes > 0)
        let fourth = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(try fourth.reconcileReport.catalogFromSnapshot && fourth.prepareKeywordIndex().fromSnapshot)
        try Self.checkAgainstStore(fourth)
    }

    @Test func anyChangeToTheStoreAfterSavingMeansDerivingAgain() throws {
        let dir = try TemporaryDirectory()
        let library = try Self.populated(dir)
        try library.saveSnapshots()
        // A write through the library: both are stale, and removed as such.
        try library.commit([HybridSearchTests.material(300, owner: "a", chunks: ["zebrafish thread"])], bulkJob: nil)
        var reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(!reopened.reconcileReport.catalogFromSnapshot)
        #expect(!FileManager.default.fileExists(atPath: library.catalogSnapshot.path))
        #expect(!FileManager.default.fileExists(atPath: library.keywordSnapshot.path))
        #expect(try !reopened.prepareKeywordIndex().fromSnapshot)
        try Self.checkAgainstStore(reopened)

        // Metadata alone (no chunk changed): the catalog is derived again, the keyword index still adopted.
        try reopened.saveSnapshots()
        try reopened.store.database.execute("UPDATE materials SET topic = 'biology' WHERE id = 3")
        reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(!reopened.reconcileReport.catalogFromSnapshot)
        #expect(try reopened.prepareKeywordIndex().fromSnapshot)
        try Self.checkAgainstStore(reopened)

        // Hand-written SQL on a chunk's text and a material's topic.
        try reopened.saveSnapshots()
        try reopened.store.database.execute("UPDATE material_chunks SET content = 'zebrafish mutex' WHERE id = 1")
        try reopened.store.database.execute("UPDATE materials SET topic = 'algebra' WHERE id = 2")
        reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(!reopened.reconcileReport.catalogFromSnapshot)
        #expect(try !reopened.prepareKeywordIndex().fromSnapshot)
        #expect(reopened.keywords.search("zebrafish mutex", k: 1).hits.first?.label == 1)
        try Self.checkAgainstStore(reopened)

        // Another store (its random id differs) with the same counter.
        try reopened.saveSnapshots()
        try reopened.store.database.execute("UPDATE mirror_config SET store_id = 'another store'")
        reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(!reopened.reconcileReport.catalogFromSnapshot)
        #expect(try !reopened.prepareKeywordIndex().fromSnapshot)

        // A commit between adopting the catalog and building the keyword index.
        try reopened.saveSnapshots()
        reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(reopened.reconcileReport.catalogFromSnapshot)
        try reopened.commit([HybridSearchTests.material(301, owner: "b", chunks: ["zebrafish only now"])], bulkJob: nil)
        #expect(try !reopened.prepareKeywordIndex().fromSnapshot)
        try Self.checkAgainstStore(reopened)
    }

    @Test func aDamagedSnapshotIsNamedAndDerivedAgain() throws {
        let dir = try TemporaryDirectory()
        let library = try Self.populated(dir)
        try library.saveSnapshots()
        let catalogPath = library.catalogSnapshot.path, keywordPath = library.keywordSnapshot.path
        // One flipped byte in the keyword index's body; the catalog's file cut short.
        var keywordBytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: keywordPath)))
        keywordBytes[keywordBytes.count - 100] ^= 0x5A
        try Data(keywordBytes).write(to: URL(fileURLWithPath: keywordPath))
        let catalogBytes = try Data(contentsOf: URL(fileURLWithPath: catalogPath))
        try catalogBytes.prefix(catalogBytes.count - 9).write(to: URL(fileURLWithPath: catalogPath))
        #expect {
            try library.keywordSnapshot.read()
        } throws: { error in
            "\(error)".contains(keywordPath) && "\(error)".contains("body checksum mismatch")
        }
        #expect {
            try library.catalogSnapshot.read()
        } throws: { error in
            "\(error)".contains(catalogPath) && "\(error)".contains("damaged")
        }

        let reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(!reopened.reconcileReport.catalogFromSnapshot)
        #expect(try !reopened.prepareKeywordIndex().fromSnapshot)
        #expect(!FileManager.default.fileExists(atPath: catalogPath) && !FileManager.default.fileExists(atPath: keywordPath))
        try Self.checkAgainstStore(reopened)
    }

    @Test func anotherTokenizerDoesNotAdoptTheKeywordIndex() throws {
        let dir = try TemporaryDirectory()
        let library = try Self.populated(dir)
        try library.saveSnapshots()
        let other = KeywordOptions(tokenizer: TokenizerOptions(englishStopWords: false))
        let reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder(), keywordOptions: other)
        #expect(reopened.reconcileReport.catalogFromSnapshot)
        #expect(reopened.keywords.imageFingerprint != library.keywords.imageFingerprint)
        #expect(try !reopened.prepareKeywordIndex().fromSnapshot)
        #expect(reopened.keywords.count == library.keywords.count)
    }

    /// Hand-written SQL on a running library: the catalog is saved as the store has it; the keyword index,
    /// which did not see the change, is not saved.
    @Test func changesOutsideTheLibraryAreNotSavedAsIfSeen() throws {
        let dir = try TemporaryDirectory()
        let library = try Self.populated(dir)
        try library.store.database.execute("UPDATE materials SET topic = 'algebra', tags = '[\"x\"]' WHERE id = 9")
        var saved = try library.saveSnapshots()
        #expect(saved.catalog && saved.keywords)
        var reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(reopened.reconcileReport.catalogFromSnapshot)
        try Self.checkAgainstStore(reopened)

        // A chunk row no index knows of, and a chunk's text changed in place.
        try reopened.store.database.execute("""
            INSERT INTO material_chunks (material_id, chunk_index, content, char_start, char_end, heading_path,
                                         language, token_count, content_sha256, embedding, embedding_model, created_at)
            SELECT material_id, 99, 'zebrafish orphan', 0, 5, heading_path, language, 2, 'h-orphan', embedding,
                   embedding_model, created_at
            FROM material_chunks WHERE id = 1
            """)
        try reopened.store.database.execute("UPDATE material_chunks SET content = 'mutex quagga' WHERE id = 2")
        saved = try reopened.saveSnapshots()
        #expect(saved.catalog && !saved.keywords && saved.keywordsSkipped?.contains("did not follow") == true)
        #expect(!FileManager.default.fileExists(atPath: library.keywordSnapshot.path))
        reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(reopened.reconcileReport.catalogFromSnapshot && reopened.reconcileReport.vectorsAdded == 1)
        #expect(try !reopened.prepareKeywordIndex().fromSnapshot)
        #expect(reopened.keywords.search("quagga", k: 1).hits.first?.label == 2)
        try Self.checkAgainstStore(reopened)
    }

    /// A commit the indexes could not apply after the store took it leaves the keyword index unsaved.
    @Test func aCommitTheIndexesMissedKeepsTheKeywordIndexOutOfTheSnapshot() throws {
        let dir = try TemporaryDirectory()
        let library = try Self.populated(dir)
        // 4-d embeddings: the store keeps the rows, the 8-d vector index refuses them.
        let wrong = HybridSearchTests.material(400, owner: "a", chunks: ["zebrafish wrong"], embedding: { _ in [1, 0, 0, 0] })
        #expect(throws: IngestError.self) { try library.commit([wrong], bulkJob: nil) }
        let saved = try library.saveSnapshots()
        #expect(saved.catalog && !saved.keywords && saved.keywordsSkipped?.contains("did not follow") == true)
    }
}
