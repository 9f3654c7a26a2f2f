import ArgumentParser
import CairnIngest
import Foundation

/// `cairn search`: the best chunks for a question, with everything a citation needs.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find the chunks that best answer a question.",
        discussion: """
            Embeds the question with the embedder the materials were indexed with and prints the best chunks with
            their material (and external id), page, character range and similarity. --json prints
            {"results": [{"chunk_id", "material_id", "external_id", "title", "content", "page_number", "page_end",
            "char_start", "char_end", "heading_path", "similarity", …}], "exact", "timings": {…}}.
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

    @Option(help: "HNSW ef for this query (default: the index's).")
    var ef: Int?

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
        let result: ChunkSearchResult
        do {
            result = try await library.search(ChunkQuery(text: question, topK: topK, filter: filter,
                                                         minSimilarity: minSimilarity, efSearch: ef))
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
                         c.materialID.rawValue, c.chunkID.rawValue, place))
            if !c.headingPath.isEmpty { print("   § " + c.headingPath.joined(separator: " › ")) }
            let text = c.content.replacingOccurrences(of: "\n", with: " ")
            print("   " + (text.count > 300 ? String(text.prefix(300)) + "…" : text))
        }
        print(String(format: "%.1f ms (embed %.1f, filter %.1f, search %.1f, fetch %.1f)", result.totalMilliseconds,
                     result.embedMilliseconds, result.filterMilliseconds, result.searchMilliseconds,
                     result.fetchMilliseconds))
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
                "similarity": Double(hit.similarity),
            ]
        }
        return [
            "results": results, "exact": result.exact,
            "timings": [
                "embed_ms": result.embedMilliseconds, "filter_ms": result.filterMilliseconds,
                "search_ms": result.searchMilliseconds, "fetch_ms": result.fetchMilliseconds,
                "total_ms": result.totalMilliseconds,
            ],
        ]
    }
}
