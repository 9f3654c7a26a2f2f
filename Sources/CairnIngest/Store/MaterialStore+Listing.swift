import CairnSQL

extension MaterialStore {
    /// The materials with these ids that exist, by id (through ``reader``).
    public func materials(ids: [MaterialID]) throws(IngestError) -> [MaterialID: StoredMaterial] {
        try read("reading materials") {
            var out: [MaterialID: StoredMaterial] = [:]
            for id in ids where out[id] == nil {
                if let row = try reader.queryFirst("SELECT \(Self.materialColumns) FROM materials WHERE id = ?",
                                                   [.integer(id.rawValue)]) {
                    out[id] = try Self.material(from: row)
                }
            }
            return out
        }
    }

    /// The provenance of each material in `ids` that has one.
    public func provenance(of ids: [MaterialID]) throws(IngestError) -> [MaterialID: StoredProvenance] {
        try read("reading provenance") {
            var out: [MaterialID: StoredProvenance] = [:]
            for id in ids where out[id] == nil {
                guard let row = try reader.queryFirst(
                    """
                    SELECT source_uri, content_type, acquisition_method, license_type, retention_years,
                        external_share_consent, permission_flag, acquired_by, acquired_at
                    FROM provenance WHERE material_id = ?
                    """, [.integer(id.rawValue)])
                else { continue }
                out[id] = StoredProvenance(
                    sourceURI: try row.get(0), contentType: try row.get(1), acquisitionMethod: try row.get(2),
                    licenseType: try row.get(3), retentionYears: try row.get(4), externalShareConsent: try row.get(5),
                    permissionFlag: try row.get(6), acquiredBy: try row.get(7), acquiredAt: try row.get(8))
            }
            return out
        }
    }

    /// One page of a material's chunks in chunk order, starting at chunk index `from`.
    public func chunks(material: MaterialID, from: Int, limit: Int) throws(IngestError) -> [StoredChunk] {
        try read("reading the chunks of material \(material)") {
            try reader.query(
                """
                SELECT id, material_id, chunk_index, content, char_start, char_end, page_number, page_end,
                    heading_path, language, token_count, content_sha256, embedding_model, created_at
                FROM material_chunks WHERE material_id = ? AND chunk_index >= ? ORDER BY chunk_index LIMIT ?
                """, [.integer(material.rawValue), .int(from), .int(limit)]
            ).map { row in
                StoredChunk(
                    id: ChunkID(rawValue: try row.get(0)), materialID: MaterialID(rawValue: try row.get(1)),
                    chunkIndex: try row.get(2), content: try row.get(3), charStart: try row.get(4),
                    charEnd: try row.get(5), pageNumber: try row.get(6), pageEnd: try row.get(7),
                    headingPath: Self.stringArray(try row.get(8)), language: try row.get(9),
                    tokenCount: try row.get(10), contentSHA256: try row.get(11), embeddingModel: try row.get(12),
                    createdAt: try row.get(13))
            }
        }
    }

    /// Deletes a material with its chunks, provenance and jobs (one transaction), unless its status is one of
    /// `refusing`.
    /// - Returns: the ids of the chunks it had (for the index), or nil when there was no such material.
    /// - Throws: ``IngestError/Kind/busy`` (with the status) when its status is one of `refusing`.
    func deleteMaterial(_ id: MaterialID, refusing: Set<MaterialStatus>) throws(IngestError) -> [ChunkID]? {
        try writeChunks("deleting material \(id)") { () throws -> [ChunkID]? in
            guard let raw = try database.queryValue("SELECT status FROM materials WHERE id = ?", [.integer(id.rawValue)],
                                                    as: String.self)
            else { return nil }
            if let status = MaterialStatus(rawValue: raw), refusing.contains(status) {
                throw IngestError(.busy, "material \(id) is being processed (\(raw)); cancel its job or wait for it")
            }
            let chunks = try database.query("SELECT id FROM material_chunks WHERE material_id = ?", [.integer(id.rawValue)])
                .map { ChunkID(rawValue: try $0.get(0)) }
            try database.execute("DELETE FROM materials WHERE id = ?", [.integer(id.rawValue)])
            return chunks
        }
    }

    /// Records a material that is queued for processing (status `pending`), so its id can be given out before
    /// the pipeline reaches it; the pipeline then finds it by owner and source key and fills it in.
    public func createPendingMaterial(_ draft: MaterialDraft) throws(IngestError) -> MaterialID {
        let now = storeTimestamp()
        return try write("recording material \(draft.sourceKey)") { () throws -> MaterialID in
            try database.execute(
                """
                INSERT INTO materials (owner, source_key, external_id, title, filename, file_type, file_size, topic,
                    tags, language, content_sha256, created_at, updated_at, status)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, 'pending')
                """,
                [.text(draft.owner), .text(draft.sourceKey), draft.externalID.map(SQLValue.text) ?? .null,
                 .text(draft.title), draft.filename.map(SQLValue.text) ?? .null, .text(draft.fileType),
                 .int(draft.fileSize), draft.topic.map(SQLValue.text) ?? .null, .text(Self.jsonArray(draft.tags)),
                 draft.language.map(SQLValue.text) ?? .null, .text(draft.contentSHA256), .text(now)])
            let id = MaterialID(rawValue: database.lastInsertRowID)
            try writeProvenance(draft.provenance, material: id)
            return id
        }
    }

    /// Materials a bulk job (any of `bulkJobs`) processed, in id order.
    public func materials(processedBy bulkJobs: [Int64]) throws(IngestError) -> [MaterialID] {
        guard !bulkJobs.isEmpty else { return [] }
        return try read("listing a job's materials") {
            try reader.query(
                """
                SELECT DISTINCT material_id FROM material_processing_jobs
                WHERE bulk_job_id IN (\(bulkJobs.map { _ in "?" }.joined(separator: ","))) ORDER BY material_id
                """, bulkJobs.map { .integer($0) }
            ).map { MaterialID(rawValue: try $0.get(0)) }
        }
    }
}
