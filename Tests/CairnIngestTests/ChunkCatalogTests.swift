import CairnEmbedding
import CairnIndex
import CairnIngest
import CairnSQL
import CairnStorage
import Foundation
import Testing
import TestSupport

/// The in-memory catalog turns filters into exactly the chunks the SQL reference selects, and follows
/// commits and deletes.
@Suite(.serialized) struct ChunkCatalogTests {
    /// A small fake embedder: deterministic vectors from the text's hash (the catalog never looks at them).
    struct HashEmbedder: Embedder {
        var model: EmbeddingModelInfo { EmbeddingModelInfo(id: "hash-8", dimension: 8, maxTokens: 256, provider: .builtin) }
        func countTokens(_ text: String) -> Int { text.split(separator: " ").count }
        func embed(_ texts: [String]) async throws(EmbeddingError) -> EmbeddingOutput {
            let vectors = texts.map { text -> [Float] in
                var h = UInt64(truncatingIfNeeded: text.hashValue)
                return (0..<8).map { _ in
                    h = h &* 6364136223846793005 &+ 1442695040888963407
                    return Float(h >> 40) / Float(1 << 24) - 0.5
                }
            }
            return EmbeddingOutput(vectors: vectors, tokenCounts: texts.map { _ in 1 }, usage: TokenUsage())
        }
    }

    static func populate(_ library: MaterialLibrary) throws {
        var random = SplitMix(seed: 11)
        let owners = ["a", "b", "c"], topics = ["algebra", "biology", nil], langs = ["en", "ko", "zh-Hans"]
        let licenses: [LicenseType] = [LicenseType(rawValue: "CC-BY-4.0")!, .unknown, LicenseType(rawValue: "MIT")!]
        let tagPool = ["x", "y", "z", "w"]
        var finished: [FinishedMaterial] = []
        for i in 0..<60 {
            let tags = tagPool.filter { _ in random.next() % 2 == 0 }
            let provenance = ProvenanceInput(contentType: i % 4 == 0 ? .noteArticle : .material,
                                             licenseType: licenses[Int(random.next() % 3)])
            let draft = MaterialDraft(owner: owners[i % 3], sourceKey: "m\(i)", externalID: i % 5 == 0 ? "ext-\(i)" : nil,
                                      title: "M\(i)", fileType: "text", fileSize: 10, topic: topics[i % 3], tags: tags,
                                      language: langs[Int(random.next() % 3)], contentSHA256: "sha\(i)",
                                      provenance: provenance)
            let chunks = (0..<(1 + i % 4)).map { c in
                ChunkRow(Chunk(index: c, charStart: c * 30, charEnd: c * 30 + 20, content: "material \(i) chunk \(c)",
                               tokenCount: 5, contentHash: "h\(i)-\(c)"), language: draft.language,
                         embedding: (0..<8).map { Float($0 + i + c) })
            }
            finished.append(FinishedMaterial(draft: draft, existing: nil, extractedText: "text", rows: chunks))
        }
        try library.commit(finished, bulkJob: nil)
    }

    static func filters() -> [ChunkFilter] {
        [
            ChunkFilter(owner: "a"), ChunkFilter(owner: "b", topic: "algebra"), ChunkFilter(topic: "biology"),
            ChunkFilter(tags: ["x"]), ChunkFilter(tags: ["x", "y"]), ChunkFilter(tagsAny: ["z", "w"]),
            ChunkFilter(owner: "c", tagsAny: ["x"], language: "ko"), ChunkFilter(language: "zh-Hans"),
            ChunkFilter(contentType: "note_article"), ChunkFilter(licenseType: "MIT"),
            ChunkFilter(owner: "a", licenseType: "CC-BY-4.0"), ChunkFilter(materialIDs: [MaterialID(rawValue: 3),
                                                                                    MaterialID(rawValue: 4)]),
            ChunkFilter(owner: "a", materialIDs: [MaterialID(rawValue: 2), MaterialID(rawValue: 4)]),
            ChunkFilter(externalIDs: ["ext-0", "ext-5", "ext-10", "nope"]), ChunkFilter(externalIDs: ["ext-5"], tags: ["y"]),
            ChunkFilter(owner: "nobody"), ChunkFilter(tagsAny: []),
        ]
    }

    @Test func filtersSelectExactlyWhatTheSQLReferenceSelects() throws {
        let dir = try TemporaryDirectory()
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        try Self.populate(library)
        func check(_ library: MaterialLibrary) throws {
            var selective = 0
            for filter in Self.filters() {
                let fromSQL = Set(try library.store.chunkIDs(filter: filter).map(\.label))
                #expect(library.catalog.labels(matching: filter) == fromSQL, "\(filter)")
                if !fromSQL.isEmpty && fromSQL.count < library.catalog.chunkCount { selective += 1 }
            }
            #expect(selective >= 12, "the filters should select proper, non-empty subsets")
        }
        try check(library)
        #expect(library.catalog.materialCount == 60)
        // Loaded from the store on open, the same.
        let reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        try check(reopened)
        // Deletes leave the store, the index and the catalog together.
        let victim = MaterialID(rawValue: 4)
        let chunks = try reopened.store.chunkFingerprints(material: victim).map(\.id.label)
        #expect(try reopened.delete(victim) == chunks.count)
        #expect(try reopened.delete(victim) == nil)
        #expect(chunks.allSatisfy { !reopened.vectors.index.contains($0) })
        try check(reopened)
        #expect(reopened.catalog.materialCount == 59)
    }

    @Test func aLibraryCreatedWithInt8KeepsItAndSearchesTheSame() async throws {
        let dir = try TemporaryDirectory()
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder(), quantization: .int8)
        #expect(library.vectors.configuration.quantization == .int8)
        try Self.populate(library)
        let question = ChunkQuery(text: "algebra notes", topK: 5, mode: .vector)
        let before = try await library.search(question).hits.map(\.chunk.chunkID)
        #expect(!before.isEmpty)
        // Reopened with the default request: the index keeps the quantization it was created with.
        let reopened = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        #expect(reopened.vectors.configuration.quantization == .int8)
        let after = try await reopened.search(question).hits.map(\.chunk.chunkID)
        #expect(after == before)
    }

    /// A random predicate over the attributes `populate` varies, nested up to `depth` levels.
    static func randomPredicate(_ random: inout SplitMix, depth: Int) -> MaterialPredicate {
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        if depth > 0 && random.next() % 3 == 0 {
            let parts = (0..<Int(1 + random.next() % 3)).map { _ in randomPredicate(&random, depth: depth - 1) }
            return random.next() % 2 == 0 ? .and(parts) : .or(parts)
        }
        let key = pick(MaterialAttribute.allCases)
        let pool: [String] = switch key {
        case .externalID: ["ext-0", "ext-5", "ext-10", "none"]
        case .owner: ["a", "b", "c", "d"]
        case .topic: ["algebra", "biology", "chemistry"]
        case .tags: ["x", "y", "z", "w", "v"]
        case .language: ["en", "ko", "zh-Hans"]
        case .contentType: ["material", "note_article"]
        case .licenseType: ["CC-BY-4.0", "MIT", "unknown"]
        case .materialID: []
        }
        let ops: [MaterialPredicate.Comparison] = key.isNumeric ? MaterialPredicate.Comparison.allCases
            : MaterialPredicate.Comparison.allCases.filter { !$0.isOrdering }
        let op = pick(ops)
        let value: MaterialPredicate.PredicateValue
        if key.isNumeric {
            var numbers: [Double] = []
            for _ in 0..<(op.takesList ? Int(random.next() % 4) : 1) { numbers.append(Double(random.next() % 64)) }
            value = op.takesList ? .numbers(numbers) : .number(numbers[0])
        } else {
            var texts: [String] = []
            for _ in 0..<(op.takesList ? Int(random.next() % 3) : 1) { texts.append(pick(pool)) }
            value = op.takesList ? .texts(texts) : .text(texts[0])
        }
        return .compare(key, op, value)
    }

    @Test func attributePredicatesSelectExactlyWhatTheSQLReferenceSelects() throws {
        let dir = try TemporaryDirectory()
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        try Self.populate(library)
        var random = SplitMix(seed: 7)
        var sizes = Set<Int>()
        for round in 0..<400 {
            let predicate = Self.randomPredicate(&random, depth: 3)
            let filter = ChunkFilter(owner: round % 4 == 0 ? "a" : nil, attributes: predicate)
            let fromSQL = Set(try library.store.chunkIDs(filter: filter).map(\.label))
            #expect(library.catalog.labels(matching: filter) == fromSQL, "\(predicate)")
            sizes.insert(fromSQL.count)
        }
        #expect(sizes.count > 20, "the predicates should select many different subsets")
        #expect(library.catalog.hasOwner("a") && !library.catalog.hasOwner("d"))
    }

    @Test func searchesRestrictTheIndexToTheFiltersChunks() async throws {
        let dir = try TemporaryDirectory()
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        try Self.populate(library)
        let filter = ChunkFilter(owner: "b", tags: ["x"])
        let allowed = library.catalog.labels(matching: filter)
        let result = try await library.search(ChunkQuery(text: "anything", topK: 1_000, filter: filter))
        #expect(Set(result.hits.map(\.chunk.chunkID.label)) == allowed)
        #expect(result.exact && result.allowedChunks == allowed.count)
        let none = try await library.search(ChunkQuery(text: "anything", filter: ChunkFilter(owner: "nobody")))
        #expect(none.hits.isEmpty && none.exact)
        let byVector = try await library.search(ChunkQuery(text: "", vector: (0..<8).map { Float($0) }, topK: 3))
        #expect(byVector.hits.count == 3)
        await #expect(throws: IngestError.self) {
            _ = try await library.search(ChunkQuery(text: "", vector: [1, 2, 3]))
        }
    }
}
