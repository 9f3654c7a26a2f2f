public import Foundation

/// A material's id in the store.
public struct MaterialID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static func < (a: MaterialID, b: MaterialID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// A chunk's id in the store; it is also the chunk's label in the vector index.
public struct ChunkID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    /// The vector index label of this chunk.
    public var label: UInt64 { UInt64(rawValue) }
    public init(label: UInt64) { rawValue = Int64(label) }
    public static func < (a: ChunkID, b: ChunkID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// Where a material is in its processing.
public enum MaterialStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, processing, completed, failed
}

/// A material as the store records it (without its text and chunks).
public struct StoredMaterial: Sendable, Hashable {
    public var id: MaterialID
    public var owner: String
    /// What identifies "the same material" across uploads: the file's path (or manifest entry), or
    /// `<file>#<external id>` for records.
    public var sourceKey: String
    public var externalID: String?
    public var title: String
    public var filename: String?
    public var fileType: String
    public var fileSize: Int
    public var topic: String?
    public var tags: [String]
    public var language: String?
    public var contentSHA256: String
    public var status: MaterialStatus
    public var errorMessage: String?
    public var chunkCount: Int
    public var createdAt: String
    public var updatedAt: String
}

/// What the pipeline hands the store to create or update a material.
public struct MaterialDraft: Sendable, Hashable {
    public var owner: String
    public var sourceKey: String
    public var externalID: String?
    public var title: String
    public var filename: String?
    public var fileType: String
    public var fileSize: Int
    public var topic: String?
    public var tags: [String]
    public var language: String?
    public var contentSHA256: String
    public var provenance: ProvenanceInput
    public var extraJSON: String?

    public init(
        owner: String, sourceKey: String, externalID: String? = nil, title: String, filename: String? = nil,
        fileType: String, fileSize: Int, topic: String? = nil, tags: [String] = [], language: String? = nil,
        contentSHA256: String, provenance: ProvenanceInput = ProvenanceInput(), extraJSON: String? = nil
    ) {
        self.owner = owner
        self.sourceKey = sourceKey
        self.externalID = externalID
        self.title = title
        self.filename = filename
        self.fileType = fileType
        self.fileSize = fileSize
        self.topic = topic
        self.tags = tags
        self.language = language
        self.contentSHA256 = contentSHA256
        self.provenance = provenance
        self.extraJSON = extraJSON
    }
}

/// One chunk row to write: the chunker's output, the material's language and the chunk's embedding.
public struct ChunkRow: Sendable, Hashable {
    public var chunk: Chunk
    public var language: String?
    public var embedding: [Float]

    public init(_ chunk: Chunk, language: String? = nil, embedding: [Float] = []) {
        self.chunk = chunk
        self.language = language
        self.embedding = embedding
    }
}

/// A chunk with the fields a citation needs, as search returns it.
public struct CitedChunk: Sendable, Hashable, Codable {
    public var chunkID: ChunkID
    public var materialID: MaterialID
    public var externalID: String?
    public var owner: String
    public var title: String
    public var filename: String?
    public var content: String
    public var chunkIndex: Int
    public var pageNumber: Int?
    public var pageEnd: Int?
    public var charStart: Int
    public var charEnd: Int
    public var headingPath: [String]
    public var language: String?
    public var topic: String?
    public var tags: [String]
    public var sourceURI: String?
    public var licenseType: String
    public var acquisitionMethod: String?
    public var contentType: String?
}

/// A material's provenance as stored.
public struct StoredProvenance: Sendable, Hashable, Codable {
    public var sourceURI: String?
    public var contentType: String
    public var acquisitionMethod: String
    public var licenseType: String
    public var retentionYears: Int?
    public var externalShareConsent: Bool
    public var permissionFlag: Bool
    public var acquiredBy: String?
    public var acquiredAt: String?
}

/// A chunk as stored (without its embedding).
public struct StoredChunk: Sendable, Hashable {
    public var id: ChunkID
    public var materialID: MaterialID
    public var chunkIndex: Int
    public var content: String
    public var charStart: Int
    public var charEnd: Int
    public var pageNumber: Int?
    public var pageEnd: Int?
    public var headingPath: [String]
    public var language: String?
    public var tokenCount: Int
    public var contentSHA256: String
    public var embeddingModel: String
    public var createdAt: String
}

/// The current time as ISO 8601 UTC text with milliseconds, the store's timestamp format (every table of
/// `cairn.sqlite3`, the service's included, writes its times this way).
public func storeTimestamp(_ date: Date = Date()) -> String {
    Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
}
