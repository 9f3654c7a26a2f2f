import CairnEmbedding
import Foundation
import Synchronization

/// A flag Ctrl-C sets; the pipeline stops taking new files and finishes what it holds.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func stop() { flag.store(true, ordering: .relaxed) }
    public var isStopped: Bool { flag.load(ordering: .relaxed) }
}

/// One file of a bulk job with its own metadata (from a manifest line, else the command's flags).
public struct IngestInput: Sendable, Hashable, Codable {
    public var path: String
    public var metadata: MaterialMetadata
    /// What makes a later input "the same material" (an update, not a new one); nil: the standardised path.
    /// Uploads use `upload/<file name>` (or the uploader's own key), as their bytes sit in a spool directory.
    public var sourceKey: String?
    /// The file's name as its owner knows it (titles, `filename`, messages); nil: the path's last component.
    public var displayName: String?

    public init(path: String, metadata: MaterialMetadata = MaterialMetadata(), sourceKey: String? = nil,
                displayName: String? = nil) {
        self.path = path
        self.metadata = metadata
        self.sourceKey = sourceKey
        self.displayName = displayName
    }
}

/// Settings of a bulk job.
public struct BulkIngestOptions: Sendable {
    /// Metadata for fields a file, manifest line or record does not set.
    public var defaults: MaterialMetadata
    public var chunking: ChunkingOptions
    /// Chunks per embedder call.
    public var batchSize: Int
    /// Parsed materials waiting for the embedder at most (the parsing stage's lead).
    public var queueDepth: Int
    /// A job that completes checkpoints the chunk index when its write-ahead log holds at least this many
    /// records, so the next open maps a checkpoint instead of replaying the job. 1 (the default): whenever the
    /// job changed the index; a server raises it so that each small upload does not rewrite a large index.
    public var checkpointAfterRecords: Int
    /// When set, a file is read only if its real path (links and `..` resolved when it is opened) lies under
    /// one of these directories; others fail as outside the allowed roots.
    public var allowedRoots: [String]?

    public init(defaults: MaterialMetadata = MaterialMetadata(), chunking: ChunkingOptions = ChunkingOptions(),
                batchSize: Int = 64, queueDepth: Int = 64, checkpointAfterRecords: Int = 1) {
        self.defaults = defaults
        self.chunking = chunking
        self.batchSize = batchSize
        self.queueDepth = queueDepth
        self.checkpointAfterRecords = checkpointAfterRecords
    }
}

/// Runs a bulk job: files in, materials and chunks out, in a bounded pipeline.
///
/// A parsing thread reads, hashes, extracts and chunks files ahead of the embedder (at most
/// ``BulkIngestOptions/queueDepth`` materials ahead); the caller's task embeds chunks in batches across
/// materials and commits each batch's finished materials in one store transaction, then to the index.
/// A material's rows are written only once all its chunks are embedded, so a job killed at any point
/// leaves whole materials or none; a re-run skips what is stored (same owner and SHA-256) and the
/// embedding cache answers for chunks embedded before the kill, so no chunk is embedded twice.
public final class BulkIngestor: Sendable {
    public let library: MaterialLibrary
    public let options: BulkIngestOptions
    let preparer: MaterialPreparer

    public init(library: MaterialLibrary, options: BulkIngestOptions) throws(IngestError) {
        self.library = library
        var checked = try BulkIngestOptions(
            defaults: options.defaults,
            chunking: options.chunking.validated(modelMaxTokens: library.embedder.model.maxTokens),
            batchSize: max(1, options.batchSize), queueDepth: max(1, options.queueDepth),
            checkpointAfterRecords: max(1, options.checkpointAfterRecords))
        checked.allowedRoots = options.allowedRoots
        self.options = checked
        self.preparer = MaterialPreparer(store: library.store, embedder: library.embedder, options: self.options)
    }

    /// Indexes `inputs`; `progress` is called after every batch (from the caller's task).
    /// - Parameter ingestJob: the service's ingest job this run belongs to, recorded with the run.
    public func run(
        _ inputs: [IngestInput], arguments: String, ingestJob: Int64? = nil, stop: StopFlag = StopFlag(),
        progress: @Sendable (BulkProgress) -> Void = { _ in }
    ) async throws(IngestError) -> BulkSummary {
        let store = library.store
        let job = try store.startBulkJob(arguments: arguments, ingestJob: ingestJob)
        let started = Date()
        let queue = BoundedQueue<PipelineItem>(capacity: options.queueDepth)
        let preparer = self.preparer
        let producer = Thread {
            for input in inputs {
                if stop.isStopped { break }
                preparer.prepare(input) { queue.push($0) }
                queue.push(.fileDone(path: input.path))
            }
            queue.finish()
        }
        producer.stackSize = 8 << 20
        producer.start()

        var state = ConsumerState(progress: BulkProgress(job: job, filesTotal: inputs.count))
        state.progress.counts.filesTotal = inputs.count
        var failure: IngestError? = nil
        do throws(IngestError) {
            try await consume(queue: queue, job: job, stop: stop, state: &state, started: started, progress: progress)
        } catch {
            failure = error
        }
        // Let the producer finish (it stops at the next file once stopped) so its thread ends.
        if failure != nil { stop.stop() }
        while await queue.next() != nil {}
        let completed = failure == nil && !stop.isStopped
        try store.updateBulkJob(job, status: failure != nil ? "failed" : completed ? "completed" : "interrupted",
                                counts: state.progress.counts)
        if let failure { throw failure }
        if completed { try library.checkpoint(ifRecordsAtLeast: options.checkpointAfterRecords) }
        return BulkSummary(job: job, counts: state.progress.counts, errors: try store.bulkErrors(job: job),
                           completed: completed, elapsedSeconds: Date().timeIntervalSince(started),
                           embedSeconds: state.embedSeconds)
    }
}

/// The embedding stage's working set.
struct ConsumerState {
    /// Materials whose chunks are being embedded, in arrival order, with the vectors so far.
    var inFlight: [(material: PreparedMaterial, vectors: [[Float]?], missing: Int)] = []
    /// When the bulk job's counts were last saved.
    var savedAt = Date()
    var progress: BulkProgress
    var embedSeconds = 0.0
    /// Materials that failed before embedding and await the next commit.
    var failures: [(draft: MaterialDraft, existing: MaterialID?, error: String)] = []
}
