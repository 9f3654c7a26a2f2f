import CairnSQL
import CairnVectorMath

/// What ``MaterialStore/commitChunks(material:rows:reusing:extractedText:model:)`` changed, for the index.
public struct ChunkCommit: Sendable {
    /// Chunks whose vectors the index must add.
    public var added: [(id: ChunkID, embedding: [Float])]
    /// Chunks that no longer exist; the index must drop them.
    public var removed: [ChunkID]
    /// Chunks kept under their id (same text as before), already in the index.
    public var kept: Int
    /// The text of each chunk in `added`, in the same order, for the keyword index (empty when the
    /// commit was built without them: a reconciliation of vectors only).
    public var addedContent: [String] = []
}

extension MaterialStore {
    /// The ids and content hashes of a material's current chunks, by chunk index.
    public func chunkFingerprints(material: MaterialID) throws(IngestError) -> [(id: ChunkID, sha256: String)] {
        try read("reading the chunks of material \(material)") {
            try database.query("SELECT id, content_sha256 FROM material_chunks WHERE material_id = ? ORDER BY chunk_index",
                               [.integer(material.rawValue)]).map { row in
                (ChunkID(rawValue: try row.get(0)), try row.get(1) as String)
            }
        }
    }

    /// The stored embeddings of chunks with these content hashes (any material, same model), for chunks
    /// whose text did not change.
    public func embeddings(material: MaterialID, model: String) throws(IngestError) -> [String: [Float]] {
        try read("reading embeddings of material \(material)") {
            var out: [String: [Float]] = [:]
            for row in try database.query(
                "SELECT content_sha256, embedding FROM material_chunks WHERE material_id = ? AND embedding_model = ?",
                [.integer(material.rawValue), .text(model)])
            {
                out[try row.get(0)] = Float32Blob.decode(try row.get(1))
            }
            return out
        }
    }

    /// Replaces a material's chunks with `rows` in one transaction and marks it completed.
    ///
    /// A row whose content hash matches one of the material's current chunks keeps that chunk's id (its
    /// vector is already indexed); other rows get new ids; current chunks not kept are deleted. The caller
    /// then applies the returned ``ChunkCommit`` to the index (see ``MaterialLibrary``: the store commits
    /// first, and start-up reconciliation repairs the index if the process dies in between).
    public func commitChunks(
        material: MaterialID, rows: [ChunkRow], extractedText: String, model: String
    ) throws(IngestError) -> ChunkCommit {
        let now = storeTimestamp()
        return try write("storing the chunks of material \(material)") { () throws -> ChunkCommit in
            var available: [String: [ChunkID]] = [:]
            var old: [ChunkID] = []
            for row in try database.query(
                "SELECT id, content_sha256, embedding_model FROM material_chunks WHERE material_id = ? ORDER BY chunk_index",
                [.integer(material.rawValue)])
            {
                let id = ChunkID(rawValue: try row.get(0))
                old.append(id)
                if try row.get(2) as String == model { available[try row.get(1), default: []].append(id) }
            }
            try database.execute("DELETE FROM material_chunks WHERE material_id = ?", [.integer(material.rawValue)])
            var added: [(id: ChunkID, embedding: [Float])] = []
            var addedContent: [String] = []
            var keptIDs = Set<ChunkID>()
            for row in rows {
                var reuse: ChunkID? = nil
                let c = row.chunk
                if var ids = available[c.contentHash], !ids.isEmpty {
                    reuse = ids.removeFirst()
                    available[c.contentHash] = ids
                }
                try database.execute(
                    """
                    INSERT INTO material_chunks (id, material_id, chunk_index, content, char_start, char_end,
                        page_number, page_end, heading_path, language, token_count, content_sha256, embedding,
                        embedding_model, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        reuse.map { .integer($0.rawValue) } ?? .null, .integer(material.rawValue), .int(c.index),
                        .text(c.content), .int(c.charStart), .int(c.charEnd),
                        c.pageNumber.map(SQLValue.int) ?? .null, c.pageEnd.map(SQLValue.int) ?? .null,
                        .text(Self.jsonArray(c.headingPath)), row.language.map(SQLValue.text) ?? .null,
                        .int(c.tokenCount), .text(c.contentHash), .blob(Float32Blob.encode(row.embedding)), .text(model),
                        .text(now),
                    ])
                if let reuse {
                    keptIDs.insert(reuse)
                } else {
                    added.append((ChunkID(rawValue: database.lastInsertRowID), row.embedding))
                    addedContent.append(c.content)
                }
            }
            try database.execute(
                """
                UPDATE materials SET status = 'completed', error_message = NULL, chunk_count = ?, extracted_text = ?,
                    updated_at = ? WHERE id = ?
                """, [.int(rows.count), .text(extractedText), .text(now), .integer(material.rawValue)])
            try database.execute(
                """
                UPDATE material_processing_jobs SET status = 'completed', progress_done = ?1, progress_total = ?1,
                    started_at = coalesce(started_at, ?2), finished_at = ?2
                WHERE material_id = ?3
                """, [.int(rows.count), .text(now), .integer(material.rawValue)])
            return ChunkCommit(added: added, removed: old.filter { !keptIDs.contains($0) }, kept: keptIDs.count,
                               addedContent: addedContent)
        }
    }

    /// Every chunk id in the store.
    public func allChunkIDs() throws(IngestError) -> Set<ChunkID> {
        try read("listing chunk ids") {
            Set(try database.query("SELECT id FROM material_chunks").map { ChunkID(rawValue: try $0.get(0)) })
        }
    }

    /// The stored embedding of each chunk in `ids` that exists.
    public func embeddings(of ids: [ChunkID]) throws(IngestError) -> [(id: ChunkID, embedding: [Float])] {
        try read("reading embeddings") {
            try ids.compactMap { id in
                try database.queryFirst("SELECT embedding FROM material_chunks WHERE id = ?", [.integer(id.rawValue)])
                    .map { (id, Float32Blob.decode(try $0.get(0))) }
            }
        }
    }

    /// Ids of the chunks that pass a search filter (nil fields do not filter).
    public func chunkIDs(filter: ChunkFilter) throws(IngestError) -> [ChunkID] {
        try read("selecting chunks") {
            let (whereClause, bindings) = filter.sql()
            return try database.query(
                """
                SELECT c.id FROM material_chunks c JOIN materials m ON m.id = c.material_id
                LEFT JOIN provenance p ON p.material_id = m.id WHERE \(whereClause)
                """,
                bindings
            ).map { ChunkID(rawValue: try $0.get(0)) }
        }
    }

    /// The citation fields of each chunk in `ids` that still exists (missing ones are left out), read with one
    /// query through ``reader``.
    public func citedChunks(_ ids: [ChunkID]) throws(IngestError) -> [ChunkID: CitedChunk] {
        guard !ids.isEmpty else { return [:] }
        return try read("reading chunks") {
            var out: [ChunkID: CitedChunk] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let part = ids[start..<min(start + 500, ids.count)]
                for row in try reader.query(
                    """
                    SELECT c.id, c.material_id, m.external_id, m.owner, m.title, m.filename, c.content, c.chunk_index,
                        c.page_number, c.page_end, c.char_start, c.char_end, c.heading_path, c.language, m.topic,
                        m.tags, p.source_uri, coalesce(p.license_type, 'unknown'), p.acquisition_method, p.content_type
                    FROM material_chunks c JOIN materials m ON m.id = c.material_id
                    LEFT JOIN provenance p ON p.material_id = m.id
                    WHERE c.id IN (\(part.map { _ in "?" }.joined(separator: ",")))
                    """, part.map { .integer($0.rawValue) })
                {
                    let id = ChunkID(rawValue: try row.get(0))
                    out[id] = CitedChunk(
                        chunkID: id, materialID: MaterialID(rawValue: try row.get(1)), externalID: try row.get(2),
                        owner: try row.get(3), title: try row.get(4), filename: try row.get(5), content: try row.get(6),
                        chunkIndex: try row.get(7), pageNumber: try row.get(8), pageEnd: try row.get(9),
                        charStart: try row.get(10), charEnd: try row.get(11),
                        headingPath: Self.stringArray(try row.get(12)), language: try row.get(13),
                        topic: try row.get(14), tags: Self.stringArray(try row.get(15)), sourceURI: try row.get(16),
                        licenseType: try row.get(17), acquisitionMethod: try row.get(18), contentType: try row.get(19))
                }
            }
            return out
        }
    }

    /// A material's extracted text (what its chunks' offsets point into).
    public func extractedText(material: MaterialID) throws(IngestError) -> String? {
        try read("reading material \(material)") {
            // NULL until the material's text has been extracted.
            try reader.queryFirst("SELECT extracted_text FROM materials WHERE id = ?", [.integer(material.rawValue)])
                .flatMap { row -> String? in try row.get(0) }
        }
    }
}

/// Which chunks a search may return. Every field that is set must hold (nil and empty fields do not filter).
public struct ChunkFilter: Sendable, Hashable {
    /// Chunks of this owner (tenant) only.
    public var owner: String?
    public var materialIDs: [MaterialID]?
    public var externalIDs: [String]?
    public var topic: String?
    /// Chunks of materials carrying every one of these tags.
    public var tags: [String]
    /// Chunks of materials carrying at least one of these tags (nil: no such condition; empty: nothing passes).
    public var tagsAny: [String]?
    public var language: String?
    /// The provenance's `content_type` (`material`, `note_article`, …).
    public var contentType: String?
    /// The provenance's `license_type` (`CC-BY-4.0`, …).
    public var licenseType: String?
    /// A condition over the material's attributes on top of the fields above (OpenAI-style filters).
    public var attributes: MaterialPredicate?

    public init(
        owner: String? = nil, materialIDs: [MaterialID]? = nil, externalIDs: [String]? = nil, topic: String? = nil,
        tags: [String] = [], tagsAny: [String]? = nil, language: String? = nil, contentType: String? = nil,
        licenseType: String? = nil, attributes: MaterialPredicate? = nil
    ) {
        self.owner = owner
        self.materialIDs = materialIDs
        self.externalIDs = externalIDs
        self.topic = topic
        self.tags = tags
        self.tagsAny = tagsAny
        self.language = language
        self.contentType = contentType
        self.licenseType = licenseType
        self.attributes = attributes
    }

    /// Whether nothing is filtered.
    public var isEmpty: Bool {
        owner == nil && materialIDs == nil && externalIDs == nil && topic == nil && tags.isEmpty && tagsAny == nil
            && language == nil && contentType == nil && licenseType == nil && attributes == nil
    }

    /// The filter as SQL over `material_chunks c JOIN materials m LEFT JOIN provenance p` (the reference the
    /// in-memory ``ChunkCatalog`` is tested against).
    func sql() -> (String, [SQLValue]) {
        var clauses = ["m.status = 'completed'"]
        var bindings: [SQLValue] = []
        func list(_ column: String, _ values: [SQLValue]) {
            clauses.append(values.isEmpty ? "0" : "\(column) IN (\(values.map { _ in "?" }.joined(separator: ",")))")
            bindings += values
        }
        if let owner {
            clauses.append("m.owner = ?")
            bindings.append(.text(owner))
        }
        if let materialIDs { list("m.id", materialIDs.map { .integer($0.rawValue) }) }
        if let externalIDs { list("m.external_id", externalIDs.map { .text($0) }) }
        if let topic {
            clauses.append("m.topic = ?")
            bindings.append(.text(topic))
        }
        for tag in tags {
            clauses.append("EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value = ?)")
            bindings.append(.text(tag))
        }
        if let tagsAny {
            let marks = tagsAny.map { _ in "?" }.joined(separator: ",")
            clauses.append(tagsAny.isEmpty ? "0" : "EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value IN (\(marks)))")
            bindings += tagsAny.map { .text($0) }
        }
        if let language {
            clauses.append("(c.language = ? OR (c.language IS NULL AND m.language = ?))")
            bindings += [.text(language), .text(language)]
        }
        if let contentType {
            clauses.append("p.content_type = ?")
            bindings.append(.text(contentType))
        }
        if let licenseType {
            clauses.append("p.license_type = ?")
            bindings.append(.text(licenseType))
        }
        if let attributes { clauses.append(attributes.sql(into: &bindings)) }
        return (clauses.joined(separator: " AND "), bindings)
    }
}

/// One finished material for ``MaterialStore/commitMaterials(_:failures:bulkJob:model:)``.
public struct FinishedMaterial: Sendable {
    public var draft: MaterialDraft
    public var existing: MaterialID?
    public var extractedText: String
    public var rows: [ChunkRow]
    /// Whether ``MaterialStore/beginMaterials(_:bulkJob:)`` already recorded it (then `existing` is its row).
    public var begun: Bool

    public init(draft: MaterialDraft, existing: MaterialID?, extractedText: String, rows: [ChunkRow],
                begun: Bool = false) {
        self.draft = draft
        self.existing = existing
        self.extractedText = extractedText
        self.rows = rows
        self.begun = begun
    }
}

extension MaterialStore {
    /// Writes finished materials (row, provenance, jobs, chunks) and failed ones in ONE transaction, so a
    /// batch of small materials (item-bank questions) costs one commit, not several each.
    /// - Returns: each finished material's id and index change, in order.
    public func commitMaterials(
        _ finished: [FinishedMaterial], failures: [(draft: MaterialDraft, existing: MaterialID?, error: String)],
        bulkJob: Int64?, model: String
    ) throws(IngestError) -> [(MaterialID, ChunkCommit)] {
        try writeChunks("storing \(finished.count) materials") { () throws -> [(MaterialID, ChunkCommit)] in
            var out: [(MaterialID, ChunkCommit)] = []
            for m in finished {
                let id = try m.begun ? m.existing! : beginMaterial(m.draft, existing: m.existing, bulkJob: bulkJob)
                out.append((id, try commitChunks(material: id, rows: m.rows, extractedText: m.extractedText, model: model)))
            }
            for f in failures {
                let id = try beginMaterial(f.draft, existing: f.existing, bulkJob: bulkJob)
                try failMaterial(id, error: f.error)
            }
            return out
        }
    }
}
