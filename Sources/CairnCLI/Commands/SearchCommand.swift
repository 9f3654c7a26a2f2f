public import ArgumentParser
import CairnIngest
import Foundation

/// `cairn search`: the best chunks for a question, with everything a citation needs.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the chunks that best answer a question.",
        discussion: """
            Ranks the chunks by --mode: hybrid (default; reciprocal-rank fusion of the vector and keyword rankings),
            vector (embedding similarity, with the embedder the materials were indexed with) or keyword (BM25), and
            prints the best with their material (and external id), page, character range, similarity and ranks,
            then the grounding signals. --json prints {"results": [{"chunk_id", "material_id", "external_id",
            "title", "content", "page_number", "page_end", "char_start", "char_end", "heading_path", "similarity",
            "vector_rank", "keyword_rank", "keyword_score", "fused_score", …}], "mode", "exact", "grounding": {…},
            "timings": {…}}.
            """)

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var embedding: EmbedderOptions

    @Argument(help: "The question.")
    var question: String

    @Option(name: .customLong("top-k"), help: "How many chunks to return (1...1000).")
    var topK = 5

    @Option(help: "Only chunks of this owner (user or tenant).")
    var owner: String?

    @Option(help: "Only chunks of this material id (repeatable).")
    var material: [Int64] = []

    @Option(help: "Only chunks of materials with this external id (repeatable).")
    var externalID: [String] = []

    @Option(help: "Only chunks of this topic.")
    var topic: String?

    @Option(help: "Only chunks of materials carrying all these tags (comma-separated).")
    var tags: String?

    @Option(help: "Only chunks in this language (en, ko, zh-Hans, …).")
    var lang: String?

    @Option(help: "Drop hits below this cosine similarity.")
    var minSimilarity: Float?

    @Option(help: "HNSW ef for this query (default: the index's, or 4 × the vector candidates when more).")
    var ef: Int?

    @Option(help: "Ranking: hybrid, vector or keyword.")
    var mode: RetrievalMode = .hybrid

    @Flag(help: "Spread the results across materials (maximal marginal relevance).")
    var diversify = false

    @Option(name: .customLong("mmr-lambda"), help: "MMR's λ with --diversify (1: relevance only, 0: most spread).")
    var mmrLambda = 0.5

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try data.claim("search") { url in
            "ask it with POST \(url)/v1/retrieve ({\"query\": …} with a key in Authorization: Bearer …)"
        }
        let embedder = try embedding.make(dataDirectory: data.path, cached: false)
        let library: MaterialLibrary
        do {
            library = try MaterialLibrary.open(dataDirectory: data.path, embedder: embedder)
        } catch {
            throw CLIError(error.message)
        }
        let filter = ChunkFilter(
            owner: owner, materialIDs: material.isEmpty ? nil : material.map(MaterialID.init(rawValue:)),
            externalIDs: externalID.isEmpty ? nil : externalID, topic: topic,
            tags: tags.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? [],
            language: lang.map { MetadataFields.normalizeLanguage($0) ?? $0 })
        guard (0...1).contains(mmrLambda) else { throw CLIError("--mmr-lambda is \(mmrLambda); allowed: 0 to 1") }
        let result: ChunkSearchResult
        do {
            // Built before the clock starts: the timings are the search's, not the index's construction.
            try library.prepareKeywordIndex()
            result = try await library.search(ChunkQuery(text: question, topK: topK, filter: filter,
                                                         minSimilarity: minSimilarity, efSearch: ef, mode: mode,
                                                         diversify: diversify, mmrLambda: mmrLambda))
        } catch {
            throw CLIError(error.message)
        }
        if json {
            try printJSON(Self.jsonObject(result))
            return
        }
        if result.hits.isEmpty { print("no matching chunks") }
        for (rank, hit) in result.hits.enumerated() {
            let c = hit.chunk
            var place = "chars \(c.charStart)–\(c.charEnd)"
            if let page = c.pageNumber { place = "p. \(page)\(c.pageEnd.map { "–\($0)" } ?? ""), " + place }
            let ext = c.externalID.map { " [\($0)]" } ?? ""
            print(String(format: "%d. %.4f  %@%@ (material %lld, chunk %lld), %@", rank + 1, hit.similarity, c.title, ext,
                         c.materialID.rawValue, c.chunkID.rawValue, place) + Self.ranks(hit))
            if !c.headingPath.isEmpty { print("   § " + c.headingPath.joined(separator: " › ")) }
            let text = c.content.replacingOccurrences(of: "\n", with: " ")
            print("   " + (text.count > 300 ? String(text.prefix(300)) + "…" : text))
        }
        let g = result.grounding
        print(String(format: "grounding: best similarity %@ (threshold %.2f), best keyword score %@ (threshold %.2f), "
                        + "%d material(s)%@", g.maxSimilarity.map { String(format: "%.3f", $0) } ?? "none",
                     g.thresholds.similarity, g.maxKeywordScore.map { String(format: "%.3f", $0) } ?? "none",
                     g.thresholds.keyword, g.materialsCovered,
                     g.notInMaterials ? " — the materials do not seem to cover this question" : ""))
        print(String(format: "%@, %.1f ms (embed %.1f, filter %.1f, search %.1f incl. keyword %.1f, fetch %.1f)",
                     result.mode.rawValue, result.totalMilliseconds, result.embedMilliseconds, result.filterMilliseconds,
                     result.searchMilliseconds, result.keywordMilliseconds, result.fetchMilliseconds))
    }

    /// `  [vector #2, keyword #1]`: where a hit stood in each ranking.
    static func ranks(_ hit: ChunkHit) -> String {
        var parts: [String] = []
        if let r = hit.vectorRank { parts.append("vector #\(r)") }
        if let r = hit.keywordRank { parts.append("keyword #\(r)") }
        return parts.isEmpty ? "" : "  [" + parts.joined(separator: ", ") + "]"
    }

    static func jsonObject(_ result: ChunkSearchResult) -> [String: Any] {
        let results: [[String: Any]] = result.hits.map { hit in
            let c = hit.chunk
            return [
                "chunk_id": c.chunkID.rawValue, "material_id": c.materialID.rawValue,
                "external_id": c.externalID ?? NSNull(), "title": c.title, "filename": c.filename ?? NSNull(),
                "owner": c.owner, "content": c.content, "chunk_index": c.chunkIndex,
                "page_number": c.pageNumber ?? NSNull(), "page_end": c.pageEnd ?? NSNull(),
                "char_start": c.charStart, "char_end": c.charEnd, "heading_path": c.headingPath,
                "language": c.language ?? NSNull(), "topic": c.topic ?? NSNull(), "tags": c.tags,
                "source_uri": c.sourceURI ?? NSNull(), "license_type": c.licenseType,
                "similarity": Double(hit.similarity), "vector_rank": hit.vectorRank ?? NSNull(),
                "keyword_rank": hit.keywordRank ?? NSNull(), "keyword_score": hit.keywordScore.map { Double($0) } ?? NSNull(),
                "fused_score": hit.fusedScore ?? NSNull(),
            ]
        }
        let g = result.grounding
        return [
            "results": results, "mode": result.mode.rawValue, "exact": result.exact,
            "grounding": [
                "max_similarity": g.maxSimilarity.map { Double($0) } ?? NSNull(),
                "max_keyword_score": g.maxKeywordScore.map { Double($0) } ?? NSNull(),
                "below_threshold": g.belowThreshold, "materials_covered": g.materialsCovered,
                "not_in_materials": g.notInMaterials, "similarity_threshold": Double(g.thresholds.similarity),
                "keyword_threshold": Double(g.thresholds.keyword),
            ] as [String: Any],
            "timings": [
                "embed_ms": result.embedMilliseconds, "filter_ms": result.filterMilliseconds,
                "search_ms": result.searchMilliseconds, "keyword_ms": result.keywordMilliseconds,
                "fetch_ms": result.fetchMilliseconds,
                "total_ms": result.totalMilliseconds,
            ],
        ]
    }
}

extension RetrievalMode: ExpressibleByArgument {}
