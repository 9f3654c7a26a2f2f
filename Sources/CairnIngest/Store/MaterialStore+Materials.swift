import CairnSQL

extension MaterialStore {
    static let materialColumns = """
        id, owner, source_key, external_id, title, filename, file_type, file_size, topic, tags, language,
        content_sha256, status, error_message, chunk_count, created_at, updated_at
        """

    static func material(from row: SQLiteRow) throws -> StoredMaterial {
        StoredMaterial(
            id: MaterialID(rawValue: try row.get(0)), owner: try row.get(1), sourceKey: try row.get(2),
            externalID: try row.get(3), title: try row.get(4), filename: try row.get(5), fileType: try row.get(6),
            fileSize: try row.get(7), topic: try row.get(8), tags: stringArray(try row.get(9)),
            language: try row.get(10), contentSHA256: try row.get(11),
            status: MaterialStatus(rawValue: try row.get(12)) ?? .failed, errorMessage: try row.get(13),
            chunkCount: try row.get(14), createdAt: try row.get(15), updatedAt: try row.get(16))
    }

    /// The material `id`, or nil.
    public func material(id: MaterialID) throws(IngestError) -> StoredMaterial? {
        try read("reading material \(id)") {
            try database.queryFirst("SELECT \(Self.materialColumns) FROM materials WHERE id = ?", [.integer(id.rawValue)])
                .map(Self.material(from:))
        }
    }

    /// The owner's material that came from `sourceKey` (any status), or nil.
    public func material(owner: String, sourceKey: String) throws(IngestError) -> StoredMaterial? {
        try read("looking up \(sourceKey)") {
            try database.queryFirst("SELECT \(Self.materialColumns) FROM materials WHERE owner = ? AND source_key = ?",
                                    [.text(owner), .text(sourceKey)]).map(Self.material(from:))
        }
    }

    /// A completed material of `owner` whose content has this SHA-256, or nil.
    public func completedMaterial(owner: String, sha256: String) throws(IngestError) -> StoredMaterial? {
        try read("looking up content \(sha256)") {
            try database.queryFirst(
                """
                SELECT \(Self.materialColumns) FROM materials
                WHERE owner = ? AND content_sha256 = ? AND status = 'completed' ORDER BY id LIMIT 1
                """, [.text(owner), .text(sha256)]).map(Self.material(from:))
        }
    }

    /// The oldest material of `owner` with this content that a queued or running job will fill in (status
    /// `pending` or `processing`), if any.
    public func unfinishedMaterial(owner: String, sha256: String) throws(IngestError) -> StoredMaterial? {
        try read("looking up queued content \(sha256)") {
            try database.queryFirst(
                """
                SELECT \(Self.materialColumns) FROM materials
                WHERE owner = ? AND content_sha256 = ? AND status IN ('pending', 'processing') ORDER BY id LIMIT 1
                """, [.text(owner), .text(sha256)]).map(Self.material(from:))
        }
    }

    /// Materials in id order, optionally of one owner or status, after the id `after` (a page cursor).
    /// Reads through ``reader``, so a listing never waits for ingestion's transactions.
    public func materials(owner: String? = nil, status: MaterialStatus? = nil, after: MaterialID? = nil,
                          limit: Int = 1_000_000) throws(IngestError) -> [StoredMaterial]
    {
        try read("listing materials") {
            try reader.query(
                """
                SELECT \(Self.materialColumns) FROM materials
                WHERE (?1 IS NULL OR owner = ?1) AND (?2 IS NULL OR status = ?2) AND id > ?3 ORDER BY id LIMIT ?4
                """,
                [owner.map(SQLValue.text) ?? .null, status.map { .text($0.rawValue) } ?? .null,
                 .integer(after?.rawValue ?? 0), .int(limit)]
            ).map(Self.material(from:))
        }
    }

    /// Creates the material of `draft` (or, with `existing`, rewrites that one's description) in state
    /// `processing`, with its provenance and its parse/embed jobs reset to pending. Its chunks are untouched
    /// until ``commitChunks(material:rows:reusing:extractedText:model:)``.
    @discardableResult
    public func beginMaterial(_ draft: MaterialDraft, existing: MaterialID? = nil, bulkJob: Int64? = nil)
        throws(IngestError) -> MaterialID
    {
        let now = storeTimestamp()
        return try write("recording material \(draft.sourceKey)") { () throws -> MaterialID in
            let fields: [SQLValue] = [
                .text(draft.owner), .text(draft.sourceKey), draft.externalID.map(SQLValue.text) ?? .null,
                .text(draft.title), draft.filename.map(SQLValue.text) ?? .null, .text(draft.fileType),
                .int(draft.fileSize), draft.topic.map(SQLValue.text) ?? .null, .text(Self.jsonArray(draft.tags)),
                draft.language.map(SQLValue.text) ?? .null, .text(draft.contentSHA256),
                draft.extraJSON.map(SQLValue.text) ?? .null, .text(now),
            ]
            var id: MaterialID? = nil
            if let existing {
                let changed = try database.execute(
                    """
                    UPDATE materials SET owner = ?1, source_key = ?2, external_id = ?3, title = ?4, filename = ?5,
                        file_type = ?6, file_size = ?7, topic = ?8, tags = ?9, language = ?10, content_sha256 = ?11,
                        extra = ?12, updated_at = ?13, status = 'processing', error_message = NULL
                    WHERE id = ?14
                    """, fields + [.integer(existing.rawValue)])
                // The material was deleted since it was looked up: it becomes a new one.
                if changed > 0 { id = existing }
            }
            if id == nil {
                try database.execute(
                    """
                    INSERT INTO materials (owner, source_key, external_id, title, filename, file_type, file_size,
                        topic, tags, language, content_sha256, extra, created_at, updated_at, status)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, 'processing')
                    """, fields)
                id = MaterialID(rawValue: database.lastInsertRowID)
            }
            let material = id!
            try writeProvenance(draft.provenance, material: material)
            for stage in ["parse", "embed"] {
                try database.execute(
                    """
                    INSERT INTO material_processing_jobs (material_id, bulk_job_id, stage, status, created_at)
                    VALUES (?1, ?2, ?3, 'pending', ?4)
                    ON CONFLICT (material_id, stage) DO UPDATE SET status = 'pending', bulk_job_id = ?2,
                        progress_done = 0, progress_total = 0, error_message = NULL, created_at = ?4,
                        started_at = NULL, finished_at = NULL
                    """, [.integer(material.rawValue), bulkJob.map(SQLValue.integer) ?? .null, .text(stage), .text(now)])
            }
            return material
        }
    }

    func writeProvenance(_ p: ProvenanceInput, material: MaterialID) throws {
        try database.execute(
            """
            INSERT INTO provenance (material_id, source_uri, content_type, acquisition_method, license_type,
                retention_years, external_share_consent, permission_flag, acquired_by, acquired_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (material_id) DO UPDATE SET source_uri = excluded.source_uri,
                content_type = excluded.content_type, acquisition_method = excluded.acquisition_method,
                license_type = excluded.license_type, retention_years = excluded.retention_years,
                external_share_consent = excluded.external_share_consent,
                permission_flag = excluded.permission_flag, acquired_by = excluded.acquired_by,
                acquired_at = excluded.acquired_at
            """,
            [
                .integer(material.rawValue), p.sourceURI.map(SQLValue.text) ?? .null,
                .text((p.contentType ?? .material).rawValue),
                .text((p.acquisitionMethod ?? .manualUpload).rawValue), .text((p.licenseType ?? .unknown).rawValue),
                p.retentionYears.map(SQLValue.int) ?? .null, .init(p.externalShareConsent ?? false),
                .init(p.permissionFlag ?? false), p.acquiredBy.map(SQLValue.text) ?? .null,
                p.acquiredAt.map(SQLValue.text) ?? .null,
            ])
    }

    /// Marks a material failed with `error` (its earlier chunks, if any, stay searchable).
    public func failMaterial(_ id: MaterialID, error: String) throws(IngestError) {
        let now = storeTimestamp()
        _ = try write("recording the failure of material \(id)") {
            try database.execute("UPDATE materials SET status = 'failed', error_message = ?, updated_at = ? WHERE id = ?",
                                 [.text(error), .text(now), .integer(id.rawValue)])
            try database.execute(
                """
                UPDATE material_processing_jobs SET status = 'failed', error_message = ?, finished_at = ?
                WHERE material_id = ? AND status != 'completed'
                """, [.text(error), .text(now), .integer(id.rawValue)])
        }
    }
}

extension MaterialStore {
    /// Records materials about to be embedded, in one transaction: each row in state `processing` (a new
    /// row, or the changed material's own), its parse job completed and its embed job running over
    /// `chunks` chunks. A job killed from here on leaves these rows `processing`; a re-run picks them up.
    public func beginMaterials(_ materials: [(draft: MaterialDraft, existing: MaterialID?, chunks: Int)],
                               bulkJob: Int64?) throws(IngestError) -> [MaterialID] {
        guard !materials.isEmpty else { return [] }
        let now = storeTimestamp()
        return try write("recording \(materials.count) materials") { () throws -> [MaterialID] in
            try materials.map { m in
                let id = try beginMaterial(m.draft, existing: m.existing, bulkJob: bulkJob)
                try database.execute(
                    """
                    UPDATE material_processing_jobs SET
                        status = CASE stage WHEN 'parse' THEN 'completed' ELSE 'running' END,
                        progress_done = CASE stage WHEN 'parse' THEN 1 ELSE 0 END,
                        progress_total = CASE stage WHEN 'parse' THEN 1 ELSE ?1 END,
                        started_at = ?2, finished_at = CASE stage WHEN 'parse' THEN ?2 ELSE NULL END
                    WHERE material_id = ?3
                    """, [.int(m.chunks), .text(now), .integer(id.rawValue)])
                return id
            }
        }
    }
}

extension MaterialStore {
    /// Saves the embed jobs' progress of materials being embedded, in one transaction.
    public func updateEmbedProgress(_ progress: [(material: MaterialID, done: Int, total: Int)]) throws(IngestError) {
        guard !progress.isEmpty else { return }
        _ = try write("recording embedding progress") {
            for p in progress {
                try database.execute(
                    """
                    UPDATE material_processing_jobs SET progress_done = ?, progress_total = ?
                    WHERE material_id = ? AND stage = 'embed' AND status = 'running'
                    """, [.int(p.done), .int(p.total), .integer(p.material.rawValue)])
            }
        }
    }
}
