/// A material parsed and chunked, waiting for its embeddings.
struct PreparedMaterial: Sendable {
    var draft: MaterialDraft
    /// The stored material this one replaces (same owner and source, changed content).
    var existing: MaterialID?
    /// Whether `existing` was a completed material (an update) rather than one a stopped job left unfinished.
    var isUpdate: Bool
    /// Whether its row is already recorded as `processing` (then `existing` is that row).
    var begun = false
    var extracted: ExtractedText
    /// Chunk rows without embeddings yet.
    var chunks: [ChunkRow]
    /// The file the material came from, for progress and error messages.
    var path: String
}

/// What the parsing stage hands the embedding stage.
enum PipelineItem: Sendable {
    case material(PreparedMaterial)
    /// The owner already has this content (same SHA-256): nothing to do.
    case unchanged(path: String)
    /// A file, record or material failed before embedding; `draft` is set when a material row should
    /// record the failure.
    case failure(path: String, error: IngestError, draft: MaterialDraft?, existing: MaterialID?)
    /// Every material of one input file has been handed over.
    case fileDone(path: String)
}

/// Where a bulk job stands, for progress displays.
public struct BulkProgress: Sendable, Hashable {
    /// The bulk job's id in the store (its error log is kept under it).
    public var job: Int64 = 0
    public var filesDone = 0
    public var filesTotal = 0
    public var chunksDone = 0
    /// Chunks of the materials parsed so far (grows as parsing proceeds).
    public var chunksKnown = 0
    public var counts = BulkCounts()
    public var elapsedSeconds = 0.0

    public init(job: Int64 = 0, filesTotal: Int = 0) {
        self.job = job
        self.filesTotal = filesTotal
    }

    /// Chunks per second so far.
    public var chunksPerSecond: Double { elapsedSeconds > 0 ? Double(chunksDone) / elapsedSeconds : 0 }
}

/// How a bulk job ended.
public struct BulkSummary: Sendable, Hashable {
    public var job: Int64
    public var counts: BulkCounts
    public var errors: [BulkJobError]
    /// False when Ctrl-C stopped the job (a re-run continues where it stopped).
    public var completed: Bool
    public var elapsedSeconds: Double
    /// Seconds spent inside the embedder.
    public var embedSeconds: Double
}
