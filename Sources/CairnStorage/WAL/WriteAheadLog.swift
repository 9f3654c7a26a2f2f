import Foundation
import Glibc
public import Logging

/// A durable, append-only log of typed records with group commit: `wal.log` in one directory.
///
/// ## Format
/// All integers are little-endian. The file starts with a 32-byte header:
///
/// | offset | size | field                                              |
/// |-------:|-----:|----------------------------------------------------|
/// |      0 |    8 | magic `"CAIRNWAL"`                                 |
/// |      8 |    4 | format version (`1`)                               |
/// |     12 |    4 | flags (`0`, none defined)                          |
/// |     16 |    8 | first LSN: the LSN the first record carries        |
/// |     24 |    4 | reserved (`0`)                                     |
/// |     28 |    4 | CRC32C of bytes 0..<28                             |
///
/// Records follow back to back, each a 17-byte record header and the payload:
///
/// | offset | size | field                                              |
/// |-------:|-----:|----------------------------------------------------|
/// |      0 |    4 | payload length `n` (at most 64 MiB)                |
/// |      4 |    4 | CRC32C of bytes 8..<(17 + n): lsn, type, payload   |
/// |      8 |    8 | LSN (consecutive from the header's first LSN)      |
/// |     16 |    1 | record type (caller-defined)                       |
/// |     17 |    n | payload                                            |
///
/// ## Recovery
/// Opening validates the header (a bad one is ``StorageError/Kind/corruption``: the log is never silently
/// reset) and every record. The first record that is short, has an impossible length or a wrong checksum
/// starts a torn tail — the remains of a write that was never acknowledged — and the file is cut there,
/// with a warning naming the file, offset and bytes dropped; ``recoveryReport`` says what happened. A
/// well-formed record with an unexpected LSN is corruption.
///
/// ## Durability and group commit
/// ``append(type:payload:)`` returns only after its record is written and `fdatasync`ed. Concurrent
/// appenders share that cost: the first to arrive becomes the leader, takes every queued record, writes
/// them with one `pwrite` and one `fdatasync`, then wakes the others; records queued meanwhile form the
/// next group. If the write fails, every appender of the group (and every one queued behind it) gets the
/// error, the file is cut back to its last durable length and the log carries on. If a sync fails the
/// kernel may already have dropped the dirty pages, so the log is poisoned: later appends throw a
/// ``StorageError/Kind/serviceError`` until the log is reopened, which recovers from what is on disk.
/// Either way no appender is told a record is durable unless it is.
///
/// ```swift
/// let wal = try WriteAheadLog(directory: "/var/lib/cairn/tenant-1")
/// try wal.replay(after: checkpointLSN) { record in try apply(record) }
/// let lsn = try wal.append(type: 1, payload: encodedInsert)   // durable once this returns
/// // after a checkpoint covering every record:
/// try wal.reset(startingLSN: wal.nextLSN)
/// ```
public final class WriteAheadLog: @unchecked Sendable {
    /// Mutable state; read and written only while holding ``condition``.
    struct State {
        var file: OpenFile
        var firstLSN: UInt64
        var nextLSN: UInt64
        var durableLSN: UInt64
        /// Length of the file's durable prefix: where the next group is written.
        var durableSize: Int64
        /// Encoded records waiting for a leader, with the appenders waiting on them.
        var pending: [UInt8] = []
        var pendingTickets: [Ticket] = []
        /// A drained buffer kept to be reused as the next `pending`.
        var spare: [UInt8] = []
        var leaderActive = false
        /// Set after a failed sync (or a failed cleanup): appends are refused from then on.
        var poisoned: StorageError?
        var statistics = WALStatistics()
    }

    /// One waiting `append` call: its outcome, set by the leader that wrote (or failed to write) it.
    final class Ticket {
        let records: Int
        var result: Result<Void, StorageError>?
        init(records: Int) { self.records = records }
    }

    /// The largest payload one record may carry, in bytes (64 MiB).
    public static let maxPayloadLength = WALFormat.maxPayloadLength

    /// The directory holding the log.
    public let directory: String
    /// The path of `wal.log`.
    public let path: String
    /// What opening the log found.
    public let recoveryReport: WALRecoveryReport

    let io: any FileIO
    let logger: Logger
    let condition = NSCondition()
    var state: State

    /// Opens `wal.log` in `directory`, creating it if missing, and recovers it.
    ///
    /// - Parameters:
    ///   - directory: An existing directory; the log is `directory/wal.log`.
    ///   - io: The file layer; tests pass a fault-injecting one.
    ///   - logger: Receives a warning when a torn tail is cut off.
    ///   - initialLSN: The LSN of the first record when a new log is created (ignored for existing logs).
    /// - Throws: ``StorageError``: corruption for a damaged header or out-of-sequence record, a service
    ///   error when a system call fails.
    public init(
        directory: String, io: any FileIO = SystemFileIO(),
        logger: Logger = Logger(label: "cairn.storage.wal"), initialLSN: UInt64 = 1
    ) throws {
        self.directory = directory
        self.path = joinPath(directory, WALFormat.fileName)
        self.io = io
        self.logger = logger
        try io.removeIfPresent(joinPath(directory, WALFormat.temporaryName))

        let (file, created) = try Self.openOrCreate(path: path, directory: directory, initialLSN: initialLSN, io: io)
        let (recovered, report) = try Self.recover(file: file, logger: logger)
        self.state = recovered
        self.recoveryReport = WALRecoveryReport(
            recordsKept: report.recordsKept, bytesTruncated: report.bytesTruncated,
            truncatedAt: report.truncatedAt, reason: report.reason, created: created)
    }

    /// The LSN the next appended record will carry.
    public var nextLSN: UInt64 { withState { $0.nextLSN } }

    /// The highest LSN known to be on stable storage (the first LSN minus one when the log is empty).
    public var durableLSN: UInt64 { withState { $0.durableLSN } }

    /// The LSN of the first record the current file holds (set by creation or ``reset(startingLSN:)``).
    public var firstLSN: UInt64 { withState { $0.firstLSN } }

    /// Counters since the log was opened.
    public var statistics: WALStatistics { withState { $0.statistics } }

    /// Whether a failed sync has made the log refuse appends until it is reopened.
    public var isPoisoned: Bool { withState { $0.poisoned != nil } }

    /// Calls `body` with every durable record whose LSN is greater than `lsn`, in LSN order.
    ///
    /// Records are re-validated as they are read. Replay reads a snapshot of the durable log and may run
    /// while appends continue; records appended after it starts are not visited.
    /// - Throws: What `body` throws, or a ``StorageError``.
    public func replay(after lsn: UInt64 = 0, _ body: (WALRecord) throws -> Void) throws {
        let (file, size, first) = withState { ($0.file, $0.durableSize, $0.firstLSN) }
        var scanner = WALScanner(file: file, limit: size, firstLSN: first)
        while true {
            switch try scanner.next() {
            case .end:
                return
            case .record(let record):
                if record.lsn > lsn { try body(record) }
            case .torn(let reason):
                throw StorageError.corruption(
                    "write-ahead log \(file.path): record at offset \(scanner.offset) changed on disk: \(reason)")
            }
        }
    }

    /// Runs `body` while holding the state lock.
    func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body(&state)
    }
}

/// `directory/name`, without doubling a trailing slash.
func joinPath(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
