public import CairnIngest

/// An ingest job's id.
public struct IngestJobID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static func < (a: IngestJobID, b: IngestJobID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// Where an ingest job is.
public enum IngestJobStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case queued, running, completed, failed, cancelled

    /// Whether the job has ended (it will not change again).
    public var isFinished: Bool { self == .completed || self == .failed || self == .cancelled }
}

/// How an ingest job's files came in.
public enum IngestJobKind: String, Sendable, Hashable, Codable {
    /// Uploaded over HTTP; the bytes are spooled under the data directory until the job ends.
    case upload
    /// Server-side paths under a configured bulk root, read in place.
    case bulk
}

/// One file of an ingest job.
public struct IngestJobFile: Sendable, Hashable {
    public var position: Int
    /// Where the bytes are: the spooled copy of an upload, or the server-side file of a bulk job.
    public var path: String
    /// The name the owner knows the file by.
    public var displayName: String
    /// What identifies the same material across uploads (nil: the path).
    public var sourceKey: String?
    public var metadata: MaterialMetadata
    public var fileSize: Int?
    public var contentSHA256: String?
    /// The material the file will become, when known before processing (documents; not record files, which
    /// become one material per record).
    public var materialID: MaterialID?

    public init(position: Int, path: String, displayName: String, sourceKey: String?, metadata: MaterialMetadata,
                fileSize: Int? = nil, contentSHA256: String? = nil, materialID: MaterialID? = nil) {
        self.position = position
        self.path = path
        self.displayName = displayName
        self.sourceKey = sourceKey
        self.metadata = metadata
        self.fileSize = fileSize
        self.contentSHA256 = contentSHA256
        self.materialID = materialID
    }

    /// The file as the pipeline takes it.
    public var input: IngestInput {
        IngestInput(path: path, metadata: metadata, sourceKey: sourceKey, displayName: displayName)
    }
}

/// An ingest job as stored.
public struct IngestJob: Sendable, Hashable {
    public var id: IngestJobID
    public var kind: IngestJobKind
    public var status: IngestJobStatus
    /// The tenant whose materials the job writes, when it writes only one tenant's (else nil: admins only).
    public var owner: TenantID?
    public var keyID: APIKeyID?
    public var spoolDirectory: String?
    public var filesTotal: Int
    public var errorMessage: String?
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
}

/// An ingest job with its progress, tallies, errors and materials: what `GET /v1/jobs/{id}` shows.
public struct IngestJobReport: Sendable, Hashable {
    public var job: IngestJob
    public var filesDone: Int
    public var chunksDone: Int
    /// Chunks of the files parsed so far (grows while the job runs).
    public var chunksKnown: Int
    public var counts: BulkCounts
    public var errors: [BulkJobError]
    public var materialIDs: [MaterialID]
}
