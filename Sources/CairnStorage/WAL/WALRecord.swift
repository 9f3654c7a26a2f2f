/// One record of the write-ahead log, as replayed.
public struct WALRecord: Sendable, Hashable {
    /// The log sequence number: consecutive, starting at the log's first LSN.
    public let lsn: UInt64
    /// The caller-defined record type.
    public let type: UInt8
    /// The caller's bytes.
    public let payload: [UInt8]

    /// Creates a record value.
    public init(lsn: UInt64, type: UInt8, payload: [UInt8]) {
        self.lsn = lsn
        self.type = type
        self.payload = payload
    }
}

/// What opening a log found: how many records were kept and what a torn tail cost.
public struct WALRecoveryReport: Sendable, Hashable {
    /// Records that passed validation and are available to replay.
    public var recordsKept: Int
    /// Bytes cut from the end of the file because they did not form valid records (0 for a clean log).
    public var bytesTruncated: Int64
    /// The offset the file was cut at, when it was cut.
    public var truncatedAt: Int64?
    /// Why the tail was considered torn, when it was.
    public var reason: String?
    /// Whether the log file did not exist and was created empty.
    public var created: Bool

    /// Creates a report.
    public init(
        recordsKept: Int = 0, bytesTruncated: Int64 = 0, truncatedAt: Int64? = nil, reason: String? = nil,
        created: Bool = false
    ) {
        self.recordsKept = recordsKept
        self.bytesTruncated = bytesTruncated
        self.truncatedAt = truncatedAt
        self.reason = reason
        self.created = created
    }
}

/// Counters of a log's work since it was opened, so tests and metrics can see how well commits group.
public struct WALStatistics: Sendable, Hashable {
    /// Calls to `append` (single or batch) that were acknowledged.
    public var appendCalls: Int = 0
    /// Records made durable.
    public var recordsAppended: Int = 0
    /// Group writes issued (one `pwrite` batch per group).
    public var writes: Int = 0
    /// Syncs issued for groups (one `fdatasync` per group).
    public var syncs: Int = 0
    /// Bytes written by groups.
    public var bytesWritten: Int64 = 0
    /// The most records made durable by one group.
    public var largestGroup: Int = 0

    /// Creates zeroed counters.
    public init() {}
}
