import CairnSQL

/// The tally of a bulk job.
public struct BulkCounts: Sendable, Hashable, Codable {
    public var filesTotal = 0
    /// Materials created.
    public var added = 0
    /// Materials whose content changed and were re-indexed.
    public var updated = 0
    /// Materials skipped because the same owner already has the same content.
    public var unchanged = 0
    /// Files, records or materials that failed (each with a reason in the job's error log).
    public var failed = 0
    /// Chunks written (embedded or reused).
    public var chunks = 0

    public init() {}
}

/// A bulk job's recorded failure.
public struct BulkJobError: Sendable, Hashable, Codable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

extension MaterialStore {
    /// Records the start of a bulk job; jobs left `running` by a process that died are marked `interrupted`.
    /// - Parameter ingestJob: the service's ingest job this run works for (a job resumed after a restart has
    ///   several runs).
    public func startBulkJob(arguments: String, ingestJob: Int64? = nil) throws(IngestError) -> Int64 {
        let now = storeTimestamp()
        return try write("recording a bulk job") { () throws -> Int64 in
            try database.execute("UPDATE bulk_jobs SET status = 'interrupted' WHERE status = 'running'")
            try database.execute(
                "INSERT INTO bulk_jobs (arguments, status, started_at, ingest_job_id) VALUES (?, 'running', ?, ?)",
                [.text(arguments), .text(now), ingestJob.map(SQLValue.integer) ?? .null])
            return database.lastInsertRowID
        }
    }

    /// Adds a failure to a bulk job's error log.
    public func recordBulkError(job: Int64, path: String, reason: String) throws(IngestError) {
        let now = storeTimestamp()
        _ = try write("recording a bulk job error") {
            try database.execute("INSERT INTO bulk_job_errors (bulk_job_id, path, reason, created_at) VALUES (?, ?, ?, ?)",
                                 [.integer(job), .text(path), .text(reason), .text(now)])
        }
    }

    /// Saves a bulk job's counts, and its end when `status` is not `running`.
    public func updateBulkJob(_ job: Int64, status: String, counts: BulkCounts) throws(IngestError) {
        let now = storeTimestamp()
        _ = try write("recording bulk job \(job)") {
            try database.execute(
                """
                UPDATE bulk_jobs SET status = ?1, files_total = ?2, added = ?3, updated = ?4, unchanged = ?5,
                    failed = ?6, chunks_done = ?7, finished_at = CASE WHEN ?1 = 'running' THEN NULL ELSE ?8 END
                WHERE id = ?9
                """,
                [.text(status), .int(counts.filesTotal), .int(counts.added), .int(counts.updated),
                 .int(counts.unchanged), .int(counts.failed), .int(counts.chunks), .text(now), .integer(job)])
        }
    }

    /// A bulk job's error log, oldest first.
    public func bulkErrors(job: Int64) throws(IngestError) -> [BulkJobError] {
        try read("reading bulk job errors") {
            try database.query("SELECT path, reason FROM bulk_job_errors WHERE bulk_job_id = ? ORDER BY id", [.integer(job)])
                .map { BulkJobError(path: try $0.get(0), reason: try $0.get(1)) }
        }
    }
}

/// What the store holds, for `cairn info`.
public struct StoreStatistics: Sendable, Hashable {
    public var materialsByStatus: [MaterialStatus: Int]
    public var chunks: Int
    public var owners: Int
    public var bulkJobs: Int
}

extension MaterialStore {
    /// Counts of materials (by status), chunks, owners and bulk jobs.
    public func statistics() throws(IngestError) -> StoreStatistics {
        try read("counting materials") {
            var byStatus: [MaterialStatus: Int] = [:]
            for row in try database.query("SELECT status, count(*) FROM materials GROUP BY status") {
                if let status = MaterialStatus(rawValue: try row.get(0)) { byStatus[status] = try row.get(1) }
            }
            return StoreStatistics(
                materialsByStatus: byStatus,
                chunks: try database.queryValue("SELECT count(*) FROM material_chunks", as: Int.self) ?? 0,
                owners: try database.queryValue("SELECT count(DISTINCT owner) FROM materials", as: Int.self) ?? 0,
                bulkJobs: try database.queryValue("SELECT count(*) FROM bulk_jobs", as: Int.self) ?? 0)
        }
    }
}
