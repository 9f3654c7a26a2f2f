public import CairnIngest
import CairnSQL
import Foundation

/// Ingest jobs and their files in the store's `ingest_jobs` and `ingest_job_files` tables.
///
/// A job and its files are written in one transaction with the `pending` rows of the materials its files
/// will become, before the upload is acknowledged; the job's bulk runs (`bulk_jobs.ingest_job_id`) carry its
/// tallies and per-file errors.
public struct JobStore: Sendable {
    let store: MaterialStore
    var db: SQLiteDatabase { store.database }

    public init(store: MaterialStore) {
        self.store = store
    }

    func run<T>(_ what: String, _ body: () throws -> T) throws(ServiceError) -> T {
        do {
            return try body()
        } catch let error as ServiceError {
            throw error
        } catch let error as IngestError {
            throw ServiceError(error)
        } catch {
            throw .failure("\(what): \(error)")
        }
    }

    /// Records a queued job with its files in one transaction; `prepare` runs inside it (to create the
    /// files' pending materials) and may fill in each file's ``IngestJobFile/materialID``.
    public func insert(kind: IngestJobKind, owner: TenantID?, keyID: APIKeyID?, spoolDirectory: String?,
                       files: [IngestJobFile], prepare: ([IngestJobFile]) throws -> [IngestJobFile])
        throws(ServiceError) -> (IngestJob, [IngestJobFile])
    {
        let now = storeTimestamp()
        return try run("recording an ingest job") {
            try db.transaction(.immediate) { () throws -> (IngestJob, [IngestJobFile]) in
                let files = try prepare(files)
                try db.execute(
                    """
                    INSERT INTO ingest_jobs (kind, status, owner, api_key_id, spool_directory, files_total, created_at)
                    VALUES (?, 'queued', ?, ?, ?, ?, ?)
                    """,
                    [.text(kind.rawValue), owner.map { .text($0.rawValue) } ?? .null,
                     keyID.map { .integer($0.rawValue) } ?? .null, spoolDirectory.map(SQLValue.text) ?? .null,
                     .int(files.count), .text(now)])
                let id = IngestJobID(rawValue: db.lastInsertRowID)
                for file in files {
                    let metadata = String(decoding: try JSONEncoder().encode(file.metadata), as: UTF8.self)
                    try db.execute(
                        """
                        INSERT INTO ingest_job_files (job_id, position, path, display_name, source_key, metadata,
                            file_size, content_sha256, material_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                        [.integer(id.rawValue), .int(file.position), .text(file.path), .text(file.displayName),
                         file.sourceKey.map(SQLValue.text) ?? .null, .text(metadata),
                         file.fileSize.map(SQLValue.int) ?? .null, file.contentSHA256.map(SQLValue.text) ?? .null,
                         file.materialID.map { .integer($0.rawValue) } ?? .null])
                }
                guard let job = try db.queryFirst("SELECT \(Self.columns) FROM ingest_jobs WHERE id = ?",
                                                  [.integer(id.rawValue)]).map(Self.job)
                else { throw ServiceError.failure("job \(id) was not recorded") }
                return (job, files)
            }
        }
    }

    static let columns = """
        id, kind, status, owner, api_key_id, spool_directory, files_total, error_message, created_at, started_at,
        finished_at
        """

    static func job(_ row: SQLiteRow) throws -> IngestJob {
        IngestJob(
            id: IngestJobID(rawValue: try row.get(0)), kind: IngestJobKind(rawValue: try row.get(1)) ?? .upload,
            status: IngestJobStatus(rawValue: try row.get(2)) ?? .failed,
            owner: (try row.get(3) as String?).map(TenantID.init(rawValue:)),
            keyID: (try row.get(4) as Int64?).map(APIKeyID.init(rawValue:)), spoolDirectory: try row.get(5),
            filesTotal: try row.get(6), errorMessage: try row.get(7), createdAt: try row.get(8),
            startedAt: try row.get(9), finishedAt: try row.get(10))
    }

    /// The job, or nil.
    public func job(_ id: IngestJobID) throws(ServiceError) -> IngestJob? {
        try run("reading job \(id)") {
            try store.reader.queryFirst("SELECT \(Self.columns) FROM ingest_jobs WHERE id = ?", [.integer(id.rawValue)])
                .map(Self.job)
        }
    }

    /// The oldest queued job, or nil.
    public func nextQueued() throws(ServiceError) -> IngestJob? {
        try run("reading the queue") {
            try db.queryFirst("SELECT \(Self.columns) FROM ingest_jobs WHERE status = 'queued' ORDER BY id LIMIT 1")
                .map(Self.job)
        }
    }

    /// Jobs waiting and running.
    public func openCount() throws(ServiceError) -> (queued: Int, running: Int) {
        try run("counting jobs") {
            var out = (queued: 0, running: 0)
            for row in try store.reader.query(
                "SELECT status, count(*) FROM ingest_jobs WHERE status IN ('queued', 'running') GROUP BY status")
            {
                if try row.get(0) as String == "queued" { out.queued = try row.get(1) } else { out.running = try row.get(1) }
            }
            return out
        }
    }

    /// Job counts by status (for metrics).
    public func countsByStatus() throws(ServiceError) -> [IngestJobStatus: Int] {
        try run("counting jobs") {
            var out: [IngestJobStatus: Int] = [:]
            for row in try store.reader.query("SELECT status, count(*) FROM ingest_jobs GROUP BY status") {
                if let status = IngestJobStatus(rawValue: try row.get(0)) { out[status] = try row.get(1) }
            }
            return out
        }
    }

    /// The job's files in order.
    public func files(of id: IngestJobID) throws(ServiceError) -> [IngestJobFile] {
        try run("reading the files of job \(id)") {
            try db.query(
                """
                SELECT position, path, display_name, source_key, metadata, file_size, content_sha256, material_id
                FROM ingest_job_files WHERE job_id = ? ORDER BY position
                """, [.integer(id.rawValue)]
            ).map { row in
                let metadata = try JSONDecoder().decode(MaterialMetadata.self, from: Data((try row.get(4) as String).utf8))
                return IngestJobFile(
                    position: try row.get(0), path: try row.get(1), displayName: try row.get(2),
                    sourceKey: try row.get(3), metadata: metadata, fileSize: try row.get(5),
                    contentSHA256: try row.get(6), materialID: (try row.get(7) as Int64?).map(MaterialID.init(rawValue:)))
            }
        }
    }

    /// Marks a queued job running; false when it is not queued any more (cancelled meanwhile).
    public func start(_ id: IngestJobID) throws(ServiceError) -> Bool {
        let now = storeTimestamp()
        return try run("starting job \(id)") {
            try db.execute(
                "UPDATE ingest_jobs SET status = 'running', started_at = coalesce(started_at, ?) WHERE id = ? AND status = 'queued'",
                [.text(now), .integer(id.rawValue)]) > 0
        }
    }

    /// The job's files' paths, names and known materials, without decoding their metadata (for reports).
    public func fileNames(of id: IngestJobID) throws(ServiceError)
        -> [(path: String, displayName: String, materialID: MaterialID?)]
    {
        try run("reading the files of job \(id)") {
            try store.reader.query(
                "SELECT path, display_name, material_id FROM ingest_job_files WHERE job_id = ? ORDER BY position",
                [.integer(id.rawValue)]
            ).map { row in
                (try row.get(0), try row.get(1), (try row.get(2) as Int64?).map(MaterialID.init(rawValue:)))
            }
        }
    }

    /// Sets a job's status (and its start or end time with it).
    public func setStatus(_ id: IngestJobID, _ status: IngestJobStatus, error: String? = nil) throws(ServiceError) {
        let now = storeTimestamp()
        _ = try run("recording job \(id)") {
            try db.execute(
                """
                UPDATE ingest_jobs SET status = ?1, error_message = coalesce(?2, error_message),
                    started_at = CASE WHEN ?1 = 'running' THEN coalesce(started_at, ?3) ELSE started_at END,
                    finished_at = CASE WHEN ?1 IN ('completed', 'failed', 'cancelled') THEN ?3 ELSE NULL END
                WHERE id = ?4
                """, [.text(status.rawValue), error.map(SQLValue.text) ?? .null, .text(now), .integer(id.rawValue)])
        }
    }

    /// Cancels a job that is still queued; false when it is not queued (any more).
    public func cancelIfQueued(_ id: IngestJobID) throws(ServiceError) -> Bool {
        let now = storeTimestamp()
        return try run("cancelling job \(id)") {
            try db.execute("UPDATE ingest_jobs SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'queued'",
                           [.text(now), .integer(id.rawValue)]) > 0
        }
    }

    /// Puts jobs a stopped or crashed server left running back in the queue; returns how many.
    public func requeueRunning() throws(ServiceError) -> Int {
        try run("requeueing jobs") {
            try db.execute("UPDATE ingest_jobs SET status = 'queued' WHERE status = 'running'")
        }
    }

    /// The bulk runs of a job, oldest first, with their status and tallies.
    public func runs(of id: IngestJobID) throws(ServiceError) -> [(bulkJob: Int64, status: String, counts: BulkCounts)] {
        try run("reading the runs of job \(id)") {
            try store.reader.query(
                """
                SELECT id, status, files_total, added, updated, unchanged, failed, chunks_done
                FROM bulk_jobs WHERE ingest_job_id = ? ORDER BY id
                """, [.integer(id.rawValue)]
            ).map { row in
                var counts = BulkCounts()
                counts.filesTotal = try row.get(2)
                counts.added = try row.get(3)
                counts.updated = try row.get(4)
                counts.unchanged = try row.get(5)
                counts.failed = try row.get(6)
                counts.chunks = try row.get(7)
                return (try row.get(0), try row.get(1), counts)
            }
        }
    }

    /// Spool directories of jobs that have not finished (the rest may be removed).
    public func liveSpoolDirectories() throws(ServiceError) -> Set<String> {
        try run("listing spool directories") {
            Set(try db.query(
                "SELECT spool_directory FROM ingest_jobs WHERE spool_directory IS NOT NULL AND status IN ('queued', 'running')"
            ).map { try $0.get(0) as String })
        }
    }

    /// Settles what an ended job left unfinished: the `pending` materials it created for its files, and the
    /// materials its runs had begun (`processing`) but not committed.
    ///
    /// A cancelled job's new materials are removed; otherwise a file whose content the owner already had left
    /// its pending row behind (removed), and any other unfinished material is marked failed with `reason`.
    /// An unfinished *update* of a material that still has its previous chunks goes back to `completed`
    /// (its previous version stays searchable, as after a failed re-upload).
    /// - Parameter materials: the materials the job's files were given up front.
    public func settleUnfinished(_ materials: [MaterialID], runs: [Int64], cancelled: Bool, reason: String)
        throws(ServiceError)
    {
        let now = storeTimestamp()
        _ = try run("settling unfinished materials") {
            try db.transaction(.immediate) {
                var ids = Set(materials)
                if !runs.isEmpty {
                    for row in try db.query(
                        """
                        SELECT DISTINCT material_id FROM material_processing_jobs
                        WHERE bulk_job_id IN (\(runs.map { _ in "?" }.joined(separator: ",")))
                        """, runs.map { .integer($0) })
                    {
                        ids.insert(MaterialID(rawValue: try row.get(0)))
                    }
                }
                for id in ids.sorted() {
                    guard let row = try db.queryFirst(
                        """
                        SELECT owner, content_sha256, (SELECT count(*) FROM material_chunks WHERE material_id = m.id)
                        FROM materials m WHERE id = ? AND status IN ('pending', 'processing')
                        """, [.integer(id.rawValue)]) else { continue }
                    if try row.get(2) as Int > 0 {
                        try db.execute(
                            """
                            UPDATE materials SET status = 'completed', error_message = ?, updated_at = ? WHERE id = ?
                            """, [.text("the update did not finish (\(reason)); the previous version is kept"), .text(now),
                                  .integer(id.rawValue)])
                        continue
                    }
                    let duplicate = try db.queryFirst(
                        "SELECT id FROM materials WHERE owner = ? AND content_sha256 = ? AND status = 'completed' LIMIT 1",
                        [.text(try row.get(0)), .text(try row.get(1))])
                    if cancelled || duplicate != nil {
                        try db.execute("DELETE FROM materials WHERE id = ?", [.integer(id.rawValue)])
                    } else {
                        try db.execute(
                            "UPDATE materials SET status = 'failed', error_message = ?, updated_at = ? WHERE id = ?",
                            [.text(reason), .text(now), .integer(id.rawValue)])
                    }
                }
            }
        }
    }
}

