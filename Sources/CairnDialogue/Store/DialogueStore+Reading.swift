import CairnIngest
public import CairnSQL
public import Foundation

extension DialogueStore {
    static let columns = """
        id, tenant, user_id, session_id, api_key_id, retrieval_id, query, response, model_used, citations,
        retrieved_chunks, citation_count, sentence_count, cited_sentences, citation_rate, latency_retrieval_ms,
        latency_generation_ms, latency_total_ms, prompt_tokens, completion_tokens, total_tokens, token_cost_jpy,
        temperature, context_window_size, relevance_score, user_feedback, feedback_at, origin, created_at
        """

    static func dialogue(_ row: SQLiteRow) throws(SQLError) -> StoredDialogue {
        StoredDialogue(
            id: try row.get(0), tenant: try row.get(1), userID: try row.get(2), sessionID: try row.get(3),
            apiKeyID: try row.get(4), retrievalID: try row.get(5), query: try row.get(6), response: try row.get(7),
            modelUsed: try row.get(8),
            citations: DialogueJSON.decode([ResolvedCitation].self, try row.get(9)) ?? [],
            retrievedChunks: DialogueJSON.decode([RetrievedChunkRecord].self, try row.get(10)) ?? [],
            citationCount: try row.get(11), sentenceCount: try row.get(12), citedSentences: try row.get(13),
            citationRate: try row.get(14), latencyRetrievalMilliseconds: try row.get(15),
            latencyGenerationMilliseconds: try row.get(16), latencyTotalMilliseconds: try row.get(17),
            promptTokens: try row.get(18), completionTokens: try row.get(19), totalTokens: try row.get(20),
            tokenCostJPY: (try row.get(21) as String?).flatMap(Yen.init), temperature: try row.get(22),
            contextWindowSize: try row.get(23), relevanceScore: try row.get(24), userFeedback: try row.get(25),
            feedbackAt: try row.get(26), origin: try row.get(27), createdAt: try row.get(28))
    }

    /// The dialogue `id`, if it exists and (when `tenant` is given) is that tenant's.
    public func dialogue(_ id: Int64, tenant: String? = nil) throws(DialogueError) -> StoredDialogue? {
        do {
            guard let row = try database.queryFirst("SELECT \(Self.columns) FROM ai_dialogue_log WHERE id = ?", [.integer(id)])
            else { return nil }
            let d = try Self.dialogue(row)
            if let tenant, d.tenant != tenant { return nil }
            return d
        } catch {
            throw .storage("reading dialogue \(id)", error)
        }
    }

    /// A page of dialogues, newest first, and the cursor of the next page (nil on the last).
    public func dialogues(_ q: DialogueQuery) throws(DialogueError) -> (items: [StoredDialogue], next: Int64?) {
        var conditions: [String] = []
        var bindings: [SQLValue] = []
        if let v = q.tenant { conditions.append("tenant = ?"); bindings.append(.text(v)) }
        if let v = q.userID { conditions.append("user_id = ?"); bindings.append(.text(v)) }
        if let v = q.sessionID { conditions.append("session_id = ?"); bindings.append(.text(v)) }
        if let v = q.from { conditions.append("created_at >= ?"); bindings.append(.text(storeTimestamp(v))) }
        if let v = q.to { conditions.append("created_at < ?"); bindings.append(.text(storeTimestamp(v))) }
        if let v = q.before { conditions.append("id < ?"); bindings.append(.integer(v)) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        do {
            let rows = try database.query(
                "SELECT \(Self.columns) FROM ai_dialogue_log \(whereClause) ORDER BY id DESC LIMIT ?",
                bindings + [.int(q.limit + 1)])
            var items: [StoredDialogue] = []
            for row in rows.prefix(q.limit) { items.append(try Self.dialogue(row)) }
            return (items, rows.count > q.limit ? items.last?.id : nil)
        } catch {
            throw .storage("listing dialogues", error)
        }
    }

    /// Sets a dialogue's feedback (-1, 0 or 1); returns the updated record, or nil when there is no such
    /// dialogue (of that tenant).
    public func setFeedback(_ id: Int64, _ value: Int, tenant: String?) throws(DialogueError) -> StoredDialogue? {
        guard (-1...1).contains(value) else {
            throw DialogueError(.invalid, "\"user_feedback\" is \(value); allowed: -1, 0, 1", field: "user_feedback")
        }
        do {
            let changed = try database.transaction(.immediate) { () throws -> Int in
                try database.execute(
                    "UPDATE ai_dialogue_log SET user_feedback = ?, feedback_at = ? WHERE id = ?"
                        + (tenant == nil ? "" : " AND tenant = ?"),
                    [.int(value), .text(storeTimestamp()), .integer(id)] + (tenant.map { [SQLValue.text($0)] } ?? []))
            }
            guard changed > 0 else { return nil }
        } catch {
            throw .storage("recording feedback on dialogue \(id)", error)
        }
        return try dialogue(id)
    }
}
