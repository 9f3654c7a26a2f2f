import CairnIngest
public import CairnSQL
public import Foundation

/// The dialogue log (`ai_dialogue_log` in the store): records answers with their citations resolved, reads
/// and lists them, takes feedback.
///
/// It has a connection of its own to the store file (synchronous FULL: a recorded dialogue that was
/// acknowledged survives `kill -9` and power loss). Recording resolves every cited chunk in one query, checks
/// each quote, measures the citation rate, prices the tokens and writes one row in one transaction.
public final class DialogueStore: Sendable {
    public let database: SQLiteDatabase

    /// Opens a connection to the store at `databasePath` (whose migrations have run).
    public init(databasePath: String) throws(DialogueError) {
        do {
            database = try SQLiteDatabase(path: databasePath)
        } catch {
            throw .storage("opening the dialogue log", error)
        }
    }

    /// What the store knows of a cited chunk.
    struct ChunkFacts {
        var materialID: Int64
        var owner: String
        var title: String
        var externalID: String?
        var content: String
        var pageNumber: Int?
        var pageEnd: Int?
        var charStart: Int
        var charEnd: Int
        var headingPath: [String]
        var provenance: ResolvedCitation.Provenance
    }

    /// The chunks (with their materials and provenance) of `ids` that exist.
    func chunkFacts(_ ids: [Int64]) throws(DialogueError) -> [Int64: ChunkFacts] {
        guard !ids.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        do {
            var out: [Int64: ChunkFacts] = [:]
            for row in try database.query("""
                SELECT c.id, c.material_id, m.owner, m.title, m.external_id, c.content, c.page_number, c.page_end,
                    c.char_start, c.char_end, c.heading_path, p.source_uri, p.license_type, p.acquisition_method,
                    p.content_type, p.acquired_at
                FROM material_chunks c JOIN materials m ON m.id = c.material_id
                LEFT JOIN provenance p ON p.material_id = c.material_id
                WHERE c.id IN (\(placeholders))
                """, ids.map(SQLValue.integer)) {
                out[try row.get(0)] = ChunkFacts(
                    materialID: try row.get(1), owner: try row.get(2), title: try row.get(3), externalID: try row.get(4),
                    content: try row.get(5), pageNumber: (try row.get(6) as Int64?).map(Int.init),
                    pageEnd: (try row.get(7) as Int64?).map(Int.init), charStart: Int(try row.get(8) as Int64),
                    charEnd: Int(try row.get(9) as Int64), headingPath: MaterialStore.stringArray(try? row.get(10)),
                    provenance: .init(sourceURI: try row.get(11), licenseType: (try row.get(12) as String?) ?? "unknown",
                                      acquisitionMethod: (try row.get(13) as String?) ?? "manual_upload",
                                      contentType: (try row.get(14) as String?) ?? "material", acquiredAt: try row.get(15)))
            }
            return out
        } catch {
            throw .storage("resolving cited chunks", error)
        }
    }

    /// The most citations one answer may carry.
    public static let maxCitations = 100

    /// Completes and stores one answer (see the type's description); returns the stored record.
    ///
    /// - Parameters:
    ///   - retrieval: the retrieval the answer came from (checked to be the tenant's by the caller).
    ///   - prices: the price table for `token_cost_jpy`.
    /// - Throws: `.unprocessable` naming `citations[i].chunk_id` for a chunk that does not exist or is not the
    ///   tenant's; `.storage`.
    @discardableResult
    public func record(_ input: DialogueInput, retrieval: JoinedRetrieval?, prices: PriceTable)
        throws(DialogueError) -> StoredDialogue {
        try record([(input, retrieval)], prices: prices)[0]
    }

    /// Records many answers in one transaction (imports, benchmarks): each completed as ``record(_:retrieval:prices:)``
    /// completes one; one that fails stops the batch before anything is written.
    @discardableResult
    public func record(_ batch: [(input: DialogueInput, retrieval: JoinedRetrieval?)], prices: PriceTable)
        throws(DialogueError) -> [StoredDialogue] {
        var records: [StoredDialogue] = []
        records.reserveCapacity(batch.count)
        for (input, retrieval) in batch { records.append(try prepare(input, retrieval: retrieval, prices: prices)) }
        do {
            try database.transaction(.immediate) { () throws in
                try database.withStatement("""
                    INSERT INTO ai_dialogue_log (tenant, user_id, session_id, api_key_id, retrieval_id, query, response,
                        model_used, citations, retrieved_chunks, citation_count, sentence_count, cited_sentences,
                        citation_rate, latency_retrieval_ms, latency_generation_ms, latency_total_ms, prompt_tokens,
                        completion_tokens, total_tokens, token_cost_jpy, temperature, context_window_size,
                        relevance_score, origin, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """) { statement in
                    for index in records.indices {
                        _ = try statement.execute(Self.bindings(records[index]))
                        records[index].id = database.lastInsertRowID
                    }
                }
                try database.withStatement("""
                    INSERT INTO ai_dialogue_citations (dialogue_id, position, chunk_id, material_id, material_title,
                        license_type, tenant, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """) { statement in
                    for record in records {
                        for (position, c) in record.citations.enumerated() {
                            _ = try statement.execute([
                                .integer(record.id), .int(position), .integer(c.chunkID), .integer(c.materialID),
                                .text(c.materialTitle), .text(c.provenance.licenseType), .text(record.tenant),
                                .text(record.createdAt),
                            ])
                        }
                    }
                }
            }
        } catch {
            throw .storage("recording \(records.count == 1 ? "a dialogue" : "\(records.count) dialogues")", error)
        }
        return records
    }

    /// One answer completed: citations resolved, rate measured, tokens priced (not yet stored: `id` is 0).
    func prepare(_ input: DialogueInput, retrieval: JoinedRetrieval?, prices: PriceTable) throws(DialogueError)
        -> StoredDialogue {
        let resolved = try resolve(input, retrieval: retrieval)
        let rate = CitationRate(input.response)
        let cost = try prices.cost(model: input.modelUsed, promptTokens: input.promptTokens,
                                   completionTokens: input.completionTokens)
        let cited = Set(resolved.map(\.chunkID))
        let retrieved = (retrieval?.hits ?? []).map {
            RetrievedChunkRecord(rank: $0.rank, chunkID: $0.chunkID, materialID: $0.materialID, similarity: $0.similarity,
                                 cited: cited.contains($0.chunkID))
        }
        return StoredDialogue(
            id: 0, tenant: input.tenant, userID: input.userID, sessionID: input.sessionID, apiKeyID: input.apiKeyID,
            retrievalID: input.retrievalID, query: input.query, response: input.response, modelUsed: input.modelUsed,
            citations: resolved, retrievedChunks: retrieved, citationCount: resolved.count, sentenceCount: rate.sentences,
            citedSentences: rate.citedSentences, citationRate: rate.rate,
            latencyRetrievalMilliseconds: input.latencyRetrievalMilliseconds,
            latencyGenerationMilliseconds: input.latencyGenerationMilliseconds,
            latencyTotalMilliseconds: input.latencyTotalMilliseconds, promptTokens: input.promptTokens,
            completionTokens: input.completionTokens, totalTokens: input.promptTokens + input.completionTokens,
            tokenCostJPY: cost, temperature: input.temperature, contextWindowSize: input.contextWindowSize,
            relevanceScore: input.relevanceScore, userFeedback: nil, feedbackAt: nil, origin: input.origin.rawValue,
            createdAt: storeTimestamp(input.createdAt ?? Date()))
    }

    static func bindings(_ r: StoredDialogue) -> [SQLValue] {
        func real(_ v: Double?) -> SQLValue { v.map(SQLValue.real) ?? .null }
        return [
            .text(r.tenant), .text(r.userID), .text(r.sessionID), r.apiKeyID.map(SQLValue.integer) ?? .null,
            r.retrievalID.map(SQLValue.text) ?? .null, .text(r.query), .text(r.response), .text(r.modelUsed),
            .text(DialogueJSON.encode(r.citations)), .text(DialogueJSON.encode(r.retrievedChunks)),
            .int(r.citationCount), .int(r.sentenceCount), .int(r.citedSentences), .real(r.citationRate),
            real(r.latencyRetrievalMilliseconds), real(r.latencyGenerationMilliseconds), .real(r.latencyTotalMilliseconds),
            .int(r.promptTokens), .int(r.completionTokens), .int(r.totalTokens),
            r.tokenCostJPY.map { SQLValue.text($0.description) } ?? .null, real(r.temperature),
            r.contextWindowSize.map(SQLValue.int) ?? .null, real(r.relevanceScore), .text(r.origin), .text(r.createdAt),
        ]
    }

    /// The citations resolved against the store and the retrieval.
    func resolve(_ input: DialogueInput, retrieval: JoinedRetrieval?) throws(DialogueError) -> [ResolvedCitation] {
        guard input.citations.count <= Self.maxCitations else {
            throw DialogueError(.invalid, "\"citations\" has \(input.citations.count) items; allowed: at most "
                + "\(Self.maxCitations)", field: "citations")
        }
        let facts = try chunkFacts(Array(Set(input.citations.map(\.chunkID))))
        let hits = Dictionary((retrieval?.hits ?? []).map { ($0.chunkID, $0) }, uniquingKeysWith: { a, _ in a })
        let used = Set(CitationMarkers.numbers(in: input.response))
        var out: [ResolvedCitation] = []
        for (index, citation) in input.citations.enumerated() {
            guard let chunk = facts[citation.chunkID], chunk.owner == input.tenant else {
                throw DialogueError(.unprocessable, "\"citations[\(index)].chunk_id\" is \(citation.chunkID), which is not a "
                    + "chunk of tenant \"\(input.tenant)\"", field: "citations[\(index)].chunk_id")
            }
            var markerInResponse: Bool? = nil
            if let marker = citation.marker {
                let numbers = CitationMarkers.find(in: marker).flatMap(\.numbers)
                markerInResponse = !numbers.isEmpty && numbers.allSatisfy(used.contains)
                    || input.response.contains(marker)
            }
            var resolved = ResolvedCitation(
                chunkID: citation.chunkID, marker: citation.marker, markerInResponse: markerInResponse,
                materialID: chunk.materialID, materialTitle: chunk.title, externalID: chunk.externalID, owner: chunk.owner,
                pageNumber: chunk.pageNumber, pageEnd: chunk.pageEnd, charStart: chunk.charStart, charEnd: chunk.charEnd,
                headingPath: chunk.headingPath, inRetrieval: retrieval.map { _ in hits[citation.chunkID] != nil },
                rank: hits[citation.chunkID]?.rank, similarity: hits[citation.chunkID]?.similarity, quote: citation.quote,
                quoteFound: nil, quoteMatch: nil, quoteCharStart: nil, quoteCharEnd: nil, provenance: chunk.provenance)
            if let quote = citation.quote {
                if let (range, match) = QuoteLocator.locate(quote, in: chunk.content) {
                    resolved.quoteFound = true
                    resolved.quoteMatch = match.rawValue
                    resolved.quoteCharStart = chunk.charStart + range.lowerBound
                    resolved.quoteCharEnd = chunk.charStart + range.upperBound
                } else {
                    resolved.quoteFound = false
                }
            }
            out.append(resolved)
        }
        return out
    }
}

/// Dialogue JSON columns: sorted keys, no escaped slashes.
enum DialogueJSON {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

extension DialogueStore {
    /// The owners (tenants) of the materials of the chunks `ids` that exist.
    public func owners(ofChunks ids: [Int64]) throws(DialogueError) -> Set<String> {
        Set(try chunkFacts(Array(Set(ids))).values.map(\.owner))
    }
}
