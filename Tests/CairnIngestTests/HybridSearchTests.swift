import CairnEmbedding
import CairnIndex
import CairnIngest
import CairnKeyword
import CairnSQL
import Foundation
import Testing
import TestSupport

/// The keyword index follows the store through commits, updates, deletes and restarts; filters restrict every
/// ranking; fusion, diversification and the grounding signals do what their definitions say.
@Suite(.serialized) struct HybridSearchTests {
    typealias HashEmbedder = ChunkCatalogTests.HashEmbedder

    static let vocabulary = ["socket", "thread", "mutex", "signal", "process", "memory", "directory", "file", "link",
                             "x86_64", "C++", "H2O", "東京都", "학교에서", "café", "compile", "network", "timer"]

    static func text(_ random: inout SplitMix, words: Int) -> String {
        (0..<words).map { _ in vocabulary[Int(random.next() % UInt64(vocabulary.count))] }.joined(separator: " ")
    }

    static func material(_ i: Int, owner: String, chunks: [String], existing: MaterialID? = nil,
                         embedding: ((Int) -> [Float])? = nil) -> FinishedMaterial {
        let draft = MaterialDraft(owner: owner, sourceKey: "m\(i)", externalID: nil, title: "M\(i)", fileType: "text",
                                  fileSize: 10, topic: nil, tags: [], language: "en", contentSHA256: "sha\(i)-\(chunks.hashValue)",
                                  provenance: ProvenanceInput())
        let rows = chunks.enumerated().map { c, text in
            ChunkRow(Chunk(index: c, charStart: c * 100, charEnd: c * 100 + text.count, content: text, tokenCount: 5,
                           contentHash: "h-\(text.hashValue)"),
                     language: "en", embedding: embedding?(c) ?? (0..<8).map { Float(($0 * 7 + i * 3 + c) % 11) - 5 })
        }
        return FinishedMaterial(draft: draft, existing: existing, extractedText: chunks.joined(separator: "\n"), rows: rows)
    }

    /// The keyword index's answers equal those of an index built afresh from the store's chunk texts.
    static func checkAgainstStore(_ library: MaterialLibrary, queries: [String]) throws {
        let rows = try library.store.reader.query("SELECT id, content FROM material_chunks")
        let texts = try rows.map { (UInt64(try $0.get(0) as Int64), try $0.get(1) as String) }
        #expect(Set(library.keywords.allLabels()) == Set(texts.map(\.0)))
        let fresh = KeywordIndex()
        fresh.add(texts.map { (label: $0.0, text: $0.1) })
        for q in queries {
            let a = library.keywords.search(q, k: 50), b = fresh.search(q, k: 50)
            #expect(a.hits.map(\.label) == b.hits.map(\.label), "\(q)")
            for (x, y) in zip(a.hits, b.hits) { #expect(abs(x.bm25 - y.bm25) <= 1e-4 * max(1, y.bm25)) }
        }
    }

    @Test func keywordIndexFollowsCommitsUpdatesDeletesAndRestarts() async throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix(seed: 5)
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        try library.commit((0..<40).map { i in
            Self.material(i, owner: ["a", "b"][i % 2], chunks: (0..<(1 + i % 3)).map { _ in Self.text(&random, words: 12) })
        }, bulkJob: nil)
        // Built from the store on first use.
        #expect(library.keywordBuildReport == nil)
        let queries = ["socket thread", "x86_64 compile", "c++", "東京", "cafe network", "h2o timer signal"]
        let first = try await library.search(ChunkQuery(text: "socket thread", topK: 5, mode: .keyword))
        #expect(!first.hits.isEmpty && library.keywordBuildReport?.chunks == library.keywords.count)
        try Self.checkAgainstStore(library, queries: queries)
        // Updates (new chunk texts under the same material), deletes and new materials apply as they commit.
        let ids = try library.store.reader.query("SELECT id FROM materials ORDER BY id").map { MaterialID(rawValue: try $0.get(0)) }
        try library.commit((0..<10).map { k in
            Self.material(k, owner: ["a", "b"][k % 2], chunks: [Self.text(&random, words: 9), "mutex only here zebrafish"],
                          existing: ids[k])
        }, bulkJob: nil)
        for id in ids[10..<16] { try library.delete(id) }
        try library.commit([Self.material(99, owner: "c", chunks: ["unique zebrafish x86_64 words"])], bulkJob: nil)
        try Self.checkAgainstStore(library, queries: queries + ["zebrafish", "mutex"])
        #expect(library.keywords.search("zebrafish", k: 50).hits.count == 11)
        // A restart builds the same index from the store.
        let reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        let report = try reopened.prepareKeywordIndex()
        #expect(report.chunks == library.keywords.count)
        try Self.checkAgainstStore(reopened, queries: queries + ["zebrafish"])
    }

    @Test func filtersRestrictEveryRanking() async throws {
        let dir = try TemporaryDirectory()
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        try ChunkCatalogTests.populate(library)
        for filter in ChunkCatalogTests.filters() {
            let allowed = Set(try library.store.chunkIDs(filter: filter).map(\.label))
            for mode in RetrievalMode.allCases {
                let result = try await library.search(ChunkQuery(text: "material chunk", topK: 1_000, filter: filter,
                                                                 mode: mode))
                let got = Set(result.hits.map(\.chunk.chunkID.label))
                // Every chunk's text holds both words: each ranking returns exactly the allowed chunks.
                #expect(got == allowed, "\(mode) \(filter)")
            }
        }
    }

    @Test func hybridReportsRanksAndFusesThem() async throws {
        let dir = try TemporaryDirectory()
        var random = SplitMix(seed: 9)
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        try library.commit((0..<60).map { i in
            Self.material(i, owner: "a", chunks: (0..<2).map { _ in Self.text(&random, words: 10) })
        }, bulkJob: nil)
        let query = "socket x86_64 timer"
        let hybrid = try await library.search(ChunkQuery(text: query, topK: 20, mode: .hybrid))
        #expect(hybrid.hits.count == 20 && hybrid.mode == .hybrid)
        for hit in hybrid.hits {
            var expected = 0.0
            if let r = hit.vectorRank { expected += 1 / (60 + Double(r)) }
            if let r = hit.keywordRank { expected += 1 / (60 + Double(r)) }
            #expect(abs((hit.fusedScore ?? -1) - expected) < 1e-12)
            #expect(hit.vectorRank != nil || hit.keywordRank != nil)
        }
        #expect(zip(hybrid.hits, hybrid.hits.dropFirst()).allSatisfy { $0.fusedScore! >= $1.fusedScore! })
        // The rankings alone, and fusion with one weight at zero, agree.
        let vector = try await library.search(ChunkQuery(text: query, topK: 20, mode: .vector))
        let keyword = try await library.search(ChunkQuery(text: query, topK: 20, mode: .keyword))
        let onlyKeyword = try await library.search(ChunkQuery(text: query, topK: 20, mode: .hybrid,
                                                              weights: FusionWeights(vector: 0, keyword: 1)))
        #expect(onlyKeyword.hits.prefix(10).map(\.chunk.chunkID) == keyword.hits.prefix(10).map(\.chunk.chunkID))
        #expect(vector.hits.map(\.vectorRank) == (1...20).map { Optional($0) })
        #expect(keyword.hits.map(\.keywordRank) == (1...keyword.hits.count).map { Optional($0) })
        // A keyword hit's similarity is the cosine of its stored vector, as the vector ranking computes it.
        for hit in keyword.hits.prefix(5) {
            if let same = vector.hits.first(where: { $0.chunk.chunkID == hit.chunk.chunkID }) {
                #expect(abs(same.similarity - hit.similarity) < 1e-4)
            }
            #expect(hit.similarity >= -1.0001 && hit.similarity <= 1.0001)
        }
        // Keyword scores are normalised and ordered.
        #expect(keyword.hits.allSatisfy { ($0.keywordScore ?? -1) > 0 && $0.keywordScore! < 1 })
        #expect(zip(keyword.hits, keyword.hits.dropFirst()).allSatisfy { $0.keywordScore! >= $1.keywordScore! })
    }

    @Test func diversifySpreadsResultsAcrossMaterials() async throws {
        let dir = try TemporaryDirectory()
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        // One long material matches best in every chunk; four others match once. Each material's chunks point
        // their own way (orthogonal embeddings), so only the material makes chunks redundant.
        let own = { (i: Int) in { (_: Int) in (0..<8).map { Float($0 == i ? 1 : 0) } } }
        var materials = [Self.material(0, owner: "a", chunks: (0..<12).map { "socket socket socket part \($0)" },
                                       embedding: own(0))]
        for i in 1...4 {
            materials.append(Self.material(i, owner: "a", chunks: ["socket once, then other words \(i)"], embedding: own(i)))
        }
        try library.commit(materials, bulkJob: nil)
        let plain = try await library.search(ChunkQuery(text: "socket", topK: 5, mode: .keyword))
        #expect(Set(plain.hits.map(\.chunk.materialID)).count == 1)
        #expect(plain.grounding.materialsCovered == 1)
        let spread = try await library.search(ChunkQuery(text: "socket", topK: 5, mode: .keyword, diversify: true))
        #expect(Set(spread.hits.map(\.chunk.materialID)).count == 5)
        #expect(spread.grounding.materialsCovered == 5)
        #expect(spread.hits.first?.chunk.chunkID == plain.hits.first?.chunk.chunkID)
        let relevanceOnly = try await library.search(ChunkQuery(text: "socket", topK: 5, mode: .keyword, diversify: true,
                                                                mmrLambda: 1))
        #expect(relevanceOnly.hits.map(\.chunk.chunkID) == plain.hits.map(\.chunk.chunkID))
    }

    @Test func groundingSignalsAndModeErrors() async throws {
        let dir = try TemporaryDirectory()
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        try library.commit([Self.material(0, owner: "a", chunks: ["mitochondria produce energy in the cell"])],
                           bulkJob: nil)
        let strict = GroundingThresholds(similarity: 1.5, keyword: 0.3)
        let covered = try await library.search(ChunkQuery(text: "mitochondria energy", mode: .hybrid, grounding: strict))
        #expect(covered.grounding.belowThreshold && !covered.grounding.notInMaterials)
        #expect((covered.grounding.maxKeywordScore ?? 0) >= 0.3)
        let unrelated = try await library.search(ChunkQuery(text: "volcanic eruptions in iceland", mode: .hybrid,
                                                            grounding: strict))
        #expect(unrelated.grounding.notInMaterials && unrelated.grounding.maxKeywordScore == nil)
        #expect(unrelated.hits.count == 1, "the vector ranking still answers")
        let lenient = GroundingThresholds(similarity: -2, keyword: 0.3)
        let anything = try await library.search(ChunkQuery(text: "volcanic eruptions", grounding: lenient))
        #expect(!anything.grounding.notInMaterials && !anything.grounding.belowThreshold)
        do {
            _ = try await library.search(ChunkQuery(text: "", vector: [Float](repeating: 1, count: 8), mode: .keyword))
            Issue.record("a keyword search without text should fail")
        } catch {
            #expect(error.field == "mode")
        }
        // Without a vector, a question of only whitespace is refused in every mode, the vector one too.
        for mode in [RetrievalMode.vector, .keyword, .hybrid] {
            for text in ["", " \t", "\u{3000}\u{FEFF}"] {
                do {
                    _ = try await library.search(ChunkQuery(text: text, mode: mode))
                    Issue.record("\(mode) search for \(text.debugDescription) should fail")
                } catch {
                    #expect(error.kind == .configuration && error.field == "query", "\(error)")
                }
            }
        }
        // A zero-width space is no whitespace to the service: it is searched, as the API's schema allows.
        let zeroWidth = try await library.search(ChunkQuery(text: "\u{200B}", mode: .hybrid))
        #expect(zeroWidth.hits.count == 1)
    }
}
