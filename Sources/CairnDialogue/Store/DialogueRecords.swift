public import Foundation

/// What a caller reports about one answer (`POST /v1/dialogues`, or `/v1/answer` itself).
public struct DialogueInput: Sendable, Hashable {
    /// One citation as the caller gives it.
    public struct Citation: Sendable, Hashable {
        public var chunkID: Int64
        /// The marker as used in the response (`[2]`).
        public var marker: String?
        /// Text the answer quotes from the chunk.
        public var quote: String?

        public init(chunkID: Int64, marker: String? = nil, quote: String? = nil) {
            self.chunkID = chunkID
            self.marker = marker
            self.quote = quote
        }
    }

    /// Where an answer was made: recorded by a backend, or answered by Cairn itself.
    public enum Origin: String, Sendable, Hashable {
        case recorded
        case answered
    }

    public var tenant: String
    public var userID: String
    public var sessionID: String
    public var apiKeyID: Int64?
    public var retrievalID: String?
    public var query: String
    public var response: String
    public var modelUsed: String
    public var citations: [Citation]
    public var latencyRetrievalMilliseconds: Double?
    public var latencyGenerationMilliseconds: Double?
    public var latencyTotalMilliseconds: Double
    public var promptTokens: Int
    public var completionTokens: Int
    public var temperature: Double?
    public var contextWindowSize: Int?
    public var relevanceScore: Double?
    public var origin: Origin
    /// When the answer was given (now when nil; admins may import past answers).
    public var createdAt: Date?

    public init(tenant: String, userID: String, sessionID: String, query: String, response: String, modelUsed: String,
                citations: [Citation] = [], latencyTotalMilliseconds: Double, promptTokens: Int, completionTokens: Int) {
        self.tenant = tenant
        self.userID = userID
        self.sessionID = sessionID
        self.query = query
        self.response = response
        self.modelUsed = modelUsed
        self.citations = citations
        self.latencyTotalMilliseconds = latencyTotalMilliseconds
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.origin = .recorded
    }
}

/// The retrieval an answer came from, as the retrieval log holds it.
public struct JoinedRetrieval: Sendable, Hashable {
    public struct Hit: Sendable, Hashable {
        public var rank: Int
        public var chunkID: Int64
        public var materialID: Int64
        public var similarity: Double

        public init(rank: Int, chunkID: Int64, materialID: Int64, similarity: Double) {
            self.rank = rank
            self.chunkID = chunkID
            self.materialID = materialID
            self.similarity = similarity
        }
    }

    public var id: String
    /// The tenant the retrieval was restricted to (a coach's, or the owner filter an admin gave).
    public var tenant: String?
    public var hits: [Hit]
    /// The retrieval's own total time, in milliseconds.
    public var totalMilliseconds: Double?

    public init(id: String, tenant: String?, hits: [Hit], totalMilliseconds: Double?) {
        self.id = id
        self.tenant = tenant
        self.hits = hits
        self.totalMilliseconds = totalMilliseconds
    }
}

/// A citation as Cairn completed it: resolved against the store at the time of the answer, with a snapshot of
/// the cited material's provenance, so the record stays true after the material changes or is deleted.
public struct ResolvedCitation: Sendable, Hashable, Codable {
    /// The provenance of the cited material when the answer was recorded.
    public struct Provenance: Sendable, Hashable, Codable {
        public var sourceURI: String?
        public var licenseType: String
        public var acquisitionMethod: String
        public var contentType: String
        public var acquiredAt: String?

        enum CodingKeys: String, CodingKey {
            case sourceURI = "source_uri", licenseType = "license_type", acquisitionMethod = "acquisition_method"
            case contentType = "content_type", acquiredAt = "acquired_at"
        }
    }

    public var chunkID: Int64
    public var marker: String?
    /// Whether the marker occurs in the response (nil when no marker was given).
    public var markerInResponse: Bool?
    public var materialID: Int64
    public var materialTitle: String
    public var externalID: String?
    public var owner: String
    public var pageNumber: Int?
    public var pageEnd: Int?
    /// The chunk's range in the material's text, in Unicode scalars.
    public var charStart: Int
    public var charEnd: Int
    public var headingPath: [String]
    /// Whether the chunk was among the joined retrieval's results, with its rank and similarity there.
    public var inRetrieval: Bool?
    public var rank: Int?
    public var similarity: Double?
    public var quote: String?
    /// Whether the quote is in the chunk's text (nil when no quote was given).
    public var quoteFound: Bool?
    /// `exact` or `normalized` (case, whitespace, typographic quotes and dashes folded).
    public var quoteMatch: String?
    /// The quote's range in the material's text, in Unicode scalars, when found.
    public var quoteCharStart: Int?
    public var quoteCharEnd: Int?
    public var provenance: Provenance

    enum CodingKeys: String, CodingKey {
        case chunkID = "chunk_id", marker, markerInResponse = "marker_in_response", materialID = "material_id"
        case materialTitle = "material_title", externalID = "external_id", owner, pageNumber = "page_number"
        case pageEnd = "page_end", charStart = "char_start", charEnd = "char_end", headingPath = "heading_path"
        case inRetrieval = "in_retrieval", rank, similarity, quote, quoteFound = "quote_found", quoteMatch = "quote_match"
        case quoteCharStart = "quote_char_start", quoteCharEnd = "quote_char_end", provenance
    }
}

/// One of the joined retrieval's results, and whether the answer cited it.
public struct RetrievedChunkRecord: Sendable, Hashable, Codable {
    public var rank: Int
    public var chunkID: Int64
    public var materialID: Int64
    public var similarity: Double
    public var cited: Bool

    enum CodingKeys: String, CodingKey {
        case rank, chunkID = "chunk_id", materialID = "material_id", similarity, cited
    }
}

/// A dialogue record as stored.
public struct StoredDialogue: Sendable, Hashable {
    public var id: Int64
    public var tenant: String
    public var userID: String
    public var sessionID: String
    public var apiKeyID: Int64?
    public var retrievalID: String?
    public var query: String
    public var response: String
    public var modelUsed: String
    public var citations: [ResolvedCitation]
    public var retrievedChunks: [RetrievedChunkRecord]
    public var citationCount: Int
    public var sentenceCount: Int
    public var citedSentences: Int
    public var citationRate: Double
    public var latencyRetrievalMilliseconds: Double?
    public var latencyGenerationMilliseconds: Double?
    public var latencyTotalMilliseconds: Double
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// Nil when the model has no price.
    public var tokenCostJPY: Yen?
    public var temperature: Double?
    public var contextWindowSize: Int?
    public var relevanceScore: Double?
    public var userFeedback: Int?
    public var feedbackAt: String?
    public var origin: String
    public var createdAt: String
}

/// Which dialogues to list.
public struct DialogueQuery: Sendable, Hashable {
    /// Only this tenant's (a coach's own, always).
    public var tenant: String?
    public var userID: String?
    public var sessionID: String?
    /// `created_at >= from` and `< to`.
    public var from: Date?
    public var to: Date?
    /// The page after this id (pages go newest first).
    public var before: Int64?
    public var limit: Int

    public init(tenant: String? = nil, userID: String? = nil, sessionID: String? = nil, from: Date? = nil,
                to: Date? = nil, before: Int64? = nil, limit: Int = 50) {
        self.tenant = tenant
        self.userID = userID
        self.sessionID = sessionID
        self.from = from
        self.to = to
        self.before = before
        self.limit = limit
    }
}
