import CairnIngest
import CairnService

/// How the service's values look on the wire. Field names are the API's (snake case, `owner_id`, `lang`);
/// absent values are `null`, never missing.
enum Wire {
    static func provenance(_ p: StoredProvenance?) -> JSONValue {
        guard let p else { return .null }
        return [
            "source_uri": .string(p.sourceURI), "content_type": .string(p.contentType),
            "acquisition_method": .string(p.acquisitionMethod), "license_type": .string(p.licenseType),
            "retention_years": .int(p.retentionYears), "external_share_consent": .bool(p.externalShareConsent),
            "permission_flag": .bool(p.permissionFlag), "acquired_by": .string(p.acquiredBy),
            "acquired_at": .string(p.acquiredAt),
        ]
    }

    static func material(_ view: MaterialView) -> JSONValue {
        let m = view.material
        return [
            "object": "material", "id": .int(m.id.rawValue), "owner_id": .string(m.owner), "source_key": .string(m.sourceKey),
            "external_id": .string(m.externalID), "title": .string(m.title), "filename": .string(m.filename),
            "file_type": .string(m.fileType), "file_size": .int(m.fileSize), "topic": .string(m.topic),
            "tags": .strings(m.tags), "lang": .string(m.language), "content_sha256": .string(m.contentSHA256),
            "status": .string(m.status.rawValue), "error": .string(m.errorMessage), "chunk_count": .int(m.chunkCount),
            "created_at": .string(m.createdAt), "updated_at": .string(m.updatedAt),
            "provenance": provenance(view.provenance),
        ]
    }

    static func chunk(_ c: StoredChunk) -> JSONValue {
        [
            "object": "chunk", "id": .int(c.id.rawValue), "material_id": .int(c.materialID.rawValue),
            "chunk_index": .int(c.chunkIndex), "content": .string(c.content), "char_start": .int(c.charStart),
            "char_end": .int(c.charEnd), "page_number": .int(c.pageNumber), "page_end": .int(c.pageEnd),
            "heading_path": .strings(c.headingPath), "lang": .string(c.language), "token_count": .int(c.tokenCount),
            "content_sha256": .string(c.contentSHA256), "embedding_model": .string(c.embeddingModel),
            "created_at": .string(c.createdAt),
        ]
    }

    static func list(_ items: [JSONValue], nextCursor: Int64?) -> JSONValue {
        ["object": "list", "data": .array(items), "has_more": .bool(nextCursor != nil),
         "next_cursor": .string(nextCursor.map { String($0) })]
    }

    static func retrieval(_ r: RetrievalResult) -> JSONValue {
        let results: [JSONValue] = r.chunks.map { hit in
            let c = hit.chunk
            return [
                "rank": .int(hit.rank), "similarity": .float(hit.similarity), "chunk_id": .int(c.chunkID.rawValue),
                "material_id": .int(c.materialID.rawValue), "external_id": .string(c.externalID),
                "owner_id": .string(c.owner), "title": .string(c.title), "filename": .string(c.filename),
                "content": .string(c.content), "chunk_index": .int(c.chunkIndex), "page_number": .int(c.pageNumber),
                "page_end": .int(c.pageEnd), "char_start": .int(c.charStart), "char_end": .int(c.charEnd),
                "heading_path": .strings(c.headingPath), "lang": .string(c.language), "topic": .string(c.topic),
                "tags": .strings(c.tags), "source_uri": .string(c.sourceURI), "license_type": .string(c.licenseType),
                "acquisition_method": .string(c.acquisitionMethod), "content_type": .string(c.contentType),
                "vector_rank": .int(hit.vectorRank), "keyword_rank": .int(hit.keywordRank),
                "keyword_score": .float(hit.keywordScore), "fused_score": hit.fusedScore.map(JSONValue.double) ?? .null,
            ]
        }
        let g = r.grounding
        return [
            "object": "retrieval", "retrieval_id": .string(r.id), "model": .string(r.model), "mode": .string(r.mode.rawValue),
            "results": .array(results), "exhaustive": .bool(r.exhaustive), "max_similarity": .float(r.maxSimilarity),
            "below_threshold": .int(r.belowThreshold),
            "grounding": [
                "max_similarity": .float(g.maxSimilarity), "max_keyword_score": .float(g.maxKeywordScore),
                "below_threshold": .bool(g.belowThreshold), "materials_covered": .int(g.materialsCovered),
                "not_in_materials": .bool(g.notInMaterials), "similarity_threshold": .float(g.thresholds.similarity),
                "keyword_threshold": .float(g.thresholds.keyword),
            ],
            "timings": [
                "embed_ms": .milliseconds(r.embedMilliseconds), "filter_ms": .milliseconds(r.filterMilliseconds),
                "search_ms": .milliseconds(r.searchMilliseconds), "keyword_ms": .milliseconds(r.keywordMilliseconds),
                "fetch_ms": .milliseconds(r.fetchMilliseconds), "total_ms": .milliseconds(r.totalMilliseconds),
            ],
        ]
    }

    static func job(_ report: IngestJobReport) -> JSONValue {
        let j = report.job
        return [
            "object": "job", "id": .int(j.id.rawValue), "kind": .string(j.kind.rawValue), "status": .string(j.status.rawValue),
            "owner_id": .string(j.owner?.rawValue), "created_at": .string(j.createdAt), "started_at": .string(j.startedAt),
            "finished_at": .string(j.finishedAt), "error": .string(j.errorMessage),
            "progress": [
                "files_done": .int(report.filesDone), "files_total": .int(j.filesTotal),
                "chunks_done": .int(report.chunksDone), "chunks_total": .int(report.chunksKnown),
            ],
            "counts": [
                "added": .int(report.counts.added), "updated": .int(report.counts.updated),
                "unchanged": .int(report.counts.unchanged), "failed": .int(report.counts.failed),
                "chunks": .int(report.counts.chunks),
            ],
            "errors": .array(report.errors.map { ["file": .string($0.path), "reason": .string($0.reason)] }),
            "material_ids": .array(report.materialIDs.map { .int($0.rawValue) }),
        ]
    }

    static func receiptFiles(_ files: [IngestReceipt.File]) -> JSONValue {
        .array(files.map { f in
            [
                "filename": .string(f.filename), "status": .string(f.status.rawValue),
                "material_id": .int(f.materialID?.rawValue), "size": .int(f.size), "sha256": .string(f.sha256),
                "reason": .string(f.reason),
            ]
        })
    }
}
