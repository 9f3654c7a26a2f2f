import CairnDialogue
import CairnService

extension Wire {
    static func dialogue(_ d: StoredDialogue) -> JSONValue {
        func number(_ v: Double?) -> JSONValue { v.map(JSONValue.double) ?? .null }
        return [
            "object": "dialogue", "id": .int(d.id), "tenant": .string(d.tenant), "user_id": .string(d.userID),
            "session_id": .string(d.sessionID), "retrieval_id": .string(d.retrievalID), "query": .string(d.query),
            "response": .string(d.response), "model_used": .string(d.modelUsed),
            "citations": .array(d.citations.map(citation)),
            "retrieved_chunks": .array(d.retrievedChunks.map {
                ["rank": .int($0.rank), "chunk_id": .int($0.chunkID), "material_id": .int($0.materialID),
                 "similarity": .double($0.similarity), "cited": .bool($0.cited)]
            }),
            "citation_count": .int(d.citationCount), "sentence_count": .int(d.sentenceCount),
            "cited_sentences": .int(d.citedSentences), "citation_rate": .double(d.citationRate),
            "latency_ms": ["retrieval": number(d.latencyRetrievalMilliseconds),
                           "generation": number(d.latencyGenerationMilliseconds), "total": .double(d.latencyTotalMilliseconds)],
            "prompt_tokens": .int(d.promptTokens), "completion_tokens": .int(d.completionTokens),
            "total_tokens": .int(d.totalTokens), "token_cost_jpy": .string(d.tokenCostJPY?.description),
            "temperature": number(d.temperature), "context_window_size": .int(d.contextWindowSize),
            "relevance_score": number(d.relevanceScore), "user_feedback": .int(d.userFeedback),
            "feedback_at": .string(d.feedbackAt), "origin": .string(d.origin), "created_at": .string(d.createdAt),
        ]
    }

    static func citation(_ c: ResolvedCitation) -> JSONValue {
        [
            "chunk_id": .int(c.chunkID), "marker": .string(c.marker),
            "marker_in_response": c.markerInResponse.map(JSONValue.bool) ?? .null, "material_id": .int(c.materialID),
            "material_title": .string(c.materialTitle), "external_id": .string(c.externalID), "owner_id": .string(c.owner),
            "page_number": .int(c.pageNumber), "page_end": .int(c.pageEnd), "char_start": .int(c.charStart),
            "char_end": .int(c.charEnd), "heading_path": .strings(c.headingPath),
            "in_retrieval": c.inRetrieval.map(JSONValue.bool) ?? .null, "rank": .int(c.rank),
            "similarity": c.similarity.map(JSONValue.double) ?? .null, "quote": .string(c.quote),
            "quote_found": c.quoteFound.map(JSONValue.bool) ?? .null, "quote_match": .string(c.quoteMatch),
            "quote_char_start": .int(c.quoteCharStart), "quote_char_end": .int(c.quoteCharEnd),
            "provenance": [
                "source_uri": .string(c.provenance.sourceURI), "license_type": .string(c.provenance.licenseType),
                "acquisition_method": .string(c.provenance.acquisitionMethod),
                "content_type": .string(c.provenance.contentType), "acquired_at": .string(c.provenance.acquiredAt),
            ],
        ]
    }
}
