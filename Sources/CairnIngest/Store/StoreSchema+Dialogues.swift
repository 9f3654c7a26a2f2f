import CairnSQL

extension StoreSchema {
    /// `0004_dialogues`: the dialogue module's tables, and the retrieval log made mirrorable.
    ///
    /// - `retrievals` is rebuilt with an integer key `seq` (AUTOINCREMENT) beside its text `id`, so the mirror,
    ///   whose outbox names rows by integer, can copy it; rows keep their ids and order.
    /// - `ai_dialogue_log`: one answer per row — the question and response, the model, the joined retrieval,
    ///   the resolved citations with their provenance snapshot (`citations`, JSON), which retrieved chunks were
    ///   cited (`retrieved_chunks`, JSON), the latency breakdown, token counts, the cost in yen as decimal text
    ///   with two places (`NUMERIC(8,2)` in the mirror; NULL when the model has no price), the citation rate
    ///   and the feedback (-1, 0, 1).
    /// - `ai_dialogue_citations`: the citations again, one narrow row each (material, licence, tenant, time), so
    ///   the report counts the most-cited materials and licences of a million answers without parsing their
    ///   JSON; deleted with their dialogue (ON DELETE CASCADE); derived, so not mirrored (PostgreSQL has `jsonb`).
    /// - `rag_metrics_history`: one row per UTC day and tenant, written by the rollup (idempotent upsert).
    /// - `audit_log`: what retention and erasure removed, when and why — ids and content hashes, never the
    ///   personal data itself.
    ///
    /// All four are mirrored (outbox triggers as in `0003`).
    static let dialogues = Migration("0004_dialogues", sql: """
        CREATE TABLE retrievals_keyed (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            api_key_id INTEGER,
            tenant TEXT,
            query TEXT,
            request TEXT NOT NULL,
            results TEXT NOT NULL,
            max_similarity REAL,
            below_threshold INTEGER NOT NULL DEFAULT 0,
            exhaustive INTEGER NOT NULL CHECK (exhaustive IN (0, 1)),
            timings TEXT NOT NULL,
            embedding_model TEXT NOT NULL
        );
        INSERT INTO retrievals_keyed (id, created_at, api_key_id, tenant, query, request, results, max_similarity,
            below_threshold, exhaustive, timings, embedding_model)
        SELECT id, created_at, api_key_id, tenant, query, request, results, max_similarity, below_threshold, exhaustive,
            timings, embedding_model FROM retrievals ORDER BY created_at, id;
        DROP TABLE retrievals;
        ALTER TABLE retrievals_keyed RENAME TO retrievals;
        CREATE INDEX retrievals_created_at ON retrievals (created_at);
        INSERT INTO mirror_outbox (entity, entity_id)
            SELECT 'retrievals', seq FROM retrievals WHERE (SELECT enabled FROM mirror_config) = 1 ORDER BY seq;

        CREATE TABLE ai_dialogue_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            user_id TEXT NOT NULL,
            session_id TEXT NOT NULL,
            api_key_id INTEGER,
            retrieval_id TEXT,
            query TEXT NOT NULL,
            response TEXT NOT NULL,
            model_used TEXT NOT NULL,
            citations TEXT NOT NULL DEFAULT '[]',
            retrieved_chunks TEXT NOT NULL DEFAULT '[]',
            citation_count INTEGER NOT NULL DEFAULT 0 CHECK (citation_count >= 0),
            sentence_count INTEGER NOT NULL DEFAULT 0 CHECK (sentence_count >= 0),
            cited_sentences INTEGER NOT NULL DEFAULT 0 CHECK (cited_sentences >= 0),
            citation_rate REAL NOT NULL CHECK (citation_rate BETWEEN 0 AND 1),
            latency_retrieval_ms REAL CHECK (latency_retrieval_ms >= 0),
            latency_generation_ms REAL CHECK (latency_generation_ms >= 0),
            latency_total_ms REAL NOT NULL CHECK (latency_total_ms >= 0),
            prompt_tokens INTEGER NOT NULL CHECK (prompt_tokens >= 0),
            completion_tokens INTEGER NOT NULL CHECK (completion_tokens >= 0),
            total_tokens INTEGER NOT NULL CHECK (total_tokens = prompt_tokens + completion_tokens),
            token_cost_jpy TEXT CHECK (token_cost_jpy GLOB '[0-9]*.[0-9][0-9]'),
            temperature REAL CHECK (temperature BETWEEN 0 AND 2),
            context_window_size INTEGER CHECK (context_window_size >= 0),
            relevance_score REAL CHECK (relevance_score BETWEEN 0 AND 1),
            user_feedback INTEGER CHECK (user_feedback IN (-1, 0, 1)),
            feedback_at TEXT,
            origin TEXT NOT NULL DEFAULT 'recorded' CHECK (origin IN ('recorded', 'answered')),
            created_at TEXT NOT NULL
        );
        CREATE INDEX ai_dialogue_log_user_id ON ai_dialogue_log (user_id);
        CREATE INDEX ai_dialogue_log_session_id ON ai_dialogue_log (session_id);
        CREATE INDEX ai_dialogue_log_created_at ON ai_dialogue_log (created_at);
        CREATE INDEX ai_dialogue_log_user_created ON ai_dialogue_log (user_id, created_at DESC);
        CREATE INDEX ai_dialogue_log_citation_rate ON ai_dialogue_log (citation_rate);
        CREATE INDEX ai_dialogue_log_tenant_created ON ai_dialogue_log (tenant, created_at);
        CREATE INDEX ai_dialogue_log_retrieval ON ai_dialogue_log (retrieval_id) WHERE retrieval_id IS NOT NULL;

        CREATE TABLE ai_dialogue_citations (
            dialogue_id INTEGER NOT NULL REFERENCES ai_dialogue_log (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            chunk_id INTEGER NOT NULL,
            material_id INTEGER NOT NULL,
            material_title TEXT NOT NULL,
            license_type TEXT NOT NULL,
            tenant TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (dialogue_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX ai_dialogue_citations_created_at ON ai_dialogue_citations (created_at);

        CREATE TABLE rag_metrics_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            day TEXT NOT NULL,
            tenant TEXT NOT NULL,
            answers INTEGER NOT NULL,
            unique_users INTEGER NOT NULL,
            citation_rate_mean REAL,
            citations_per_answer REAL,
            answers_without_citation INTEGER NOT NULL,
            latency_p50_ms REAL,
            latency_p95_ms REAL,
            latency_p99_ms REAL,
            cost_per_answer_jpy TEXT,
            total_cost_jpy TEXT NOT NULL,
            unpriced_answers INTEGER NOT NULL,
            relevance_mean REAL,
            feedback_positive INTEGER NOT NULL,
            feedback_neutral INTEGER NOT NULL,
            feedback_negative INTEGER NOT NULL,
            slo_compliance TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            UNIQUE (day, tenant)
        );

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            action TEXT NOT NULL CHECK (action IN ('retention_purge', 'user_erasure')),
            reason TEXT NOT NULL,
            subject_sha256 TEXT,
            details TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX audit_log_created_at ON audit_log (created_at);
        """ + mirrorTriggers(table: "retrievals", key: "seq") + mirrorTriggers(table: "ai_dialogue_log", key: "id")
        + mirrorTriggers(table: "rag_metrics_history", key: "id") + mirrorTriggers(table: "audit_log", key: "id"))

    /// The outbox triggers of one mirrored table (see `0003_mirror_outbox`).
    static func mirrorTriggers(table: String, key: String) -> String {
        [("insert", "INSERT", "NEW"), ("update", "UPDATE", "NEW"), ("delete", "DELETE", "OLD")].map { name, event, row in
            """

            CREATE TRIGGER \(table)_mirror_\(name) AFTER \(event) ON \(table)
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('\(table)', \(row).\(key)); END;
            """
        }.joined()
    }
}
