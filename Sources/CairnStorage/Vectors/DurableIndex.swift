public import CairnIndex
import CairnVectorMath
import Foundation
public import Logging
import Synchronization

/// The vector index made durable: every acknowledged write is in the write-ahead log and survives `kill -9`.
///
/// Directory layout (`<data-dir>/vectors/`): `index.json` (``IndexManifest``), `wal.log`
/// (``WriteAheadLog``) and the newest `checkpoint-<lsn>.cairn` (``CheckpointFile``).
///
/// Order of a write: validate → append to the WAL and wait for its group's fsync → apply to the in-memory
/// graph → return. Writers of the same label are ordered by a striped lock held across both steps, so the
/// graph always reflects the WAL's order; writers of different labels run in parallel and share fsyncs.
///
/// Recovery: map the newest checkpoint (no per-vector parsing), then replay WAL records with a higher LSN.
/// A torn WAL tail is cut off with a warning; a checkpoint whose checksum fails is refused with an error
/// naming the file.
///
/// ```swift
/// let store = try DurableIndex.open(directory: "index-data/vectors",
///                                   configuration: IndexConfiguration(dimension: 384, metric: .cosine))
/// try store.upsert(label: 7, vector: embedding)      // durable when it returns
/// let hits = try store.search(query, options: SearchOptions(k: 5)).hits
/// ```
public final class DurableIndex: @unchecked Sendable {
    public let directory: String
    let io: any FileIO
    let logger: Logger
    let wal: WriteAheadLog
    let stripes = StripedLock()
    /// The live graph; swapped by compaction. Read under a lock held for a pointer copy only.
    private let current: Mutex<HNSWIndex>
    /// Operations applied while a compaction builds its new graph, replayed onto it before the swap.
    let captured = Mutex<[VectorOperation]?>(nil)
    /// A checkpoint is written automatically once the WAL holds this many bytes.
    public var checkpointThresholdBytes: Int64 = 256 << 20
    /// A checkpoint is also written once the WAL holds this many records and at least an eighth as many as
    /// the index holds vectors (or ``checkpointCeilingRecords``, whichever is fewer): replay costs a graph insert per record, so the record count (not the bytes)
    /// bounds how long an open after a crash takes (at 100,000 vectors, at most 12,500 records: about 5 s on
    /// two cores), while the eighth keeps the total checkpoint writes of a growing index proportional to its
    /// size (about nine times the final checkpoint).
    public var checkpointThresholdRecords = defaultCheckpointThresholdRecords
    /// The default of ``checkpointThresholdRecords``.
    public static let defaultCheckpointThresholdRecords = 10_000
    /// Past this many records a checkpoint is due whatever the eighth says, so the replay after a crash stays
    /// bounded on large indexes: at 1,000,000 vectors the eighth (125,000 records) took 40 s to replay on two
    /// cores (about 3,100 inserts/s into a graph that size), 25,000 about 10.5 s. The price is more frequent
    /// checkpoints of a large index (one of 1,000,000 × 384 writes 1.7 GB in about 4 s, writers waiting).
    public var checkpointCeilingRecords = defaultCheckpointCeilingRecords
    /// The default of ``checkpointCeilingRecords``.
    public static let defaultCheckpointCeilingRecords = 25_000
    /// WAL records written since the last checkpoint (replayed ones included).
    let recordsSinceCheckpoint: Atomic<Int>
    /// What recovery found, for logs and tests.
    public let recovery: RecoveryReport
    /// Keeps other processes out of the directory while this index is open.
    private let lock: DirectoryLock

    /// Facts about the last open.
    public struct RecoveryReport: Sendable {
        public var checkpointPath: String?
        public var checkpointLSN: UInt64
        public var replayedRecords: Int
        public var walBytesTruncated: Int
        public var loadSeconds: Double
    }

    private init(directory: String, io: any FileIO, logger: Logger, wal: WriteAheadLog, index: HNSWIndex,
                 recovery: RecoveryReport, lock: DirectoryLock) {
        self.lock = lock
        self.recordsSinceCheckpoint = Atomic(recovery.replayedRecords)
        self.directory = directory
        self.io = io
        self.logger = logger
        self.wal = wal
        self.current = Mutex(index)
        self.recovery = recovery
    }

    /// The graph currently serving searches.
    public var index: HNSWIndex { current.withLock { $0 } }

    /// Installs a new graph (compaction).
    func swapIndex(_ fresh: HNSWIndex) { current.withLock { $0 = fresh } }

    /// Bytes in the WAL file now.
    var walBytes: Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: wal.path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// The index settings.
    public var configuration: IndexConfiguration { index.configuration }

    /// Opens (or creates) the index in `directory` and recovers it.
    ///
    /// - Parameter configuration: required to create a new index; for an existing one it may be nil, and when
    ///   given its dimension and metric must match the stored ones (`efSearch` may differ: it is a query default).
    /// - Throws: ``StorageError`` — a user error for a missing or conflicting configuration, corruption for a
    ///   damaged checkpoint or manifest, a service error when the file system fails.
    public static func open(
        directory: String, configuration: IndexConfiguration? = nil, io: any FileIO = SystemFileIO(),
        logger: Logger = Logger(label: "cairn.vectors")
    ) throws -> DurableIndex {
        let started = Date()
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw StorageError.serviceError("cannot create the index directory \(directory): \(error)")
        }
        let lock = try DirectoryLock(directory: directory)
        let config = try resolveConfiguration(directory: directory, requested: configuration, io: io)
        var index: HNSWIndex
        var checkpointLSN: UInt64 = 0
        var checkpointPath: String?
        if let checkpoint = try CheckpointFile.latest(in: directory, io: io) {
            do {
                index = try HNSWIndex.restore(metadata: checkpoint.metadata, owner: checkpoint) { kind, i in
                    checkpoint.section(kind: kind, index: i)
                }
            } catch {
                throw StorageError.corruption("checkpoint \(checkpoint.path): \(error)")
            }
            guard index.configuration.dimension == config.dimension, index.configuration.metric == config.metric
            else {
                throw StorageError.corruption(
                    "checkpoint \(checkpoint.path) holds \(index.configuration.dimension)-d \(index.configuration.metric) "
                        + "vectors but \(IndexManifest.fileName) says \(config.dimension)-d \(config.metric)")
            }
            checkpointLSN = checkpoint.lsn
            checkpointPath = checkpoint.path
        } else {
            index = try HNSWIndex(configuration: config)
        }
        let wal = try WriteAheadLog(directory: directory, io: io, logger: logger, initialLSN: checkpointLSN + 1)
        var replay = ReplayBatch(index: index)
        try wal.replay(after: checkpointLSN) { record in
            try replay.add(try VectorOperation.decode(type: record.type, payload: record.payload, lsn: record.lsn),
                           lsn: record.lsn)
        }
        try replay.flush()
        let replayed = replay.applied
        let report = RecoveryReport(
            checkpointPath: checkpointPath, checkpointLSN: checkpointLSN, replayedRecords: replayed,
            walBytesTruncated: Int(wal.recoveryReport.bytesTruncated),
            loadSeconds: Date().timeIntervalSince(started))
        return DurableIndex(directory: directory, io: io, logger: logger, wal: wal, index: index, recovery: report,
                            lock: lock)
    }

    private static func resolveConfiguration(
        directory: String, requested: IndexConfiguration?, io: any FileIO
    ) throws -> IndexConfiguration {
        if let stored = try IndexManifest.load(directory: directory, io: io) {
            var config = stored.configuration
            if let requested {
                guard requested.dimension == stored.dimension else {
                    throw StorageError.userError(
                        "dimension = \(requested.dimension) conflicts with the index in \(directory), "
                            + "which holds \(stored.dimension)-dimensional vectors")
                }
                guard requested.metric == stored.metric else {
                    throw StorageError.userError(
                        "metric = \(requested.metric) conflicts with the index in \(directory), which uses \(stored.metric)")
                }
                config.efSearch = requested.efSearch
                config.fullScanThreshold = requested.fullScanThreshold
            }
            return config
        }
        guard let requested else {
            throw StorageError.userError(
                "no index in \(directory): give its dimension and metric to create one")
        }
        let config: IndexConfiguration
        do { config = try requested.validated() } catch { throw StorageError.userError(error.description) }
        try IndexManifest(config).save(directory: directory, io: io)
        return config
    }
}
