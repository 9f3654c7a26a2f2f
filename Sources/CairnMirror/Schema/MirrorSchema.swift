import CairnPostgres

/// The `cairn` schema in PostgreSQL, as recorded migrations (`cairn.schema_migrations`).
///
/// Types: ids `bigint`, times `timestamptz`, JSON `jsonb`, flags `boolean`, the embedding `vector(<dim>)` with
/// an HNSW index (`m = 16, ef_construction = 64`, `vector_cosine_ops`). Foreign keys and the store's UNIQUE
/// keys are `DEFERRABLE INITIALLY DEFERRED`: the mirror applies a batch of changes in one transaction, and only
/// its end state — the store's state at one moment — has to satisfy them. `mirror_settings` records what the
/// schema was made for (the embedding dimension and model, the data directory it mirrors), which a later open
/// checks.
enum MirrorSchema {
    static func migrations(dimension: Int) -> [PostgresMigration] {
        [
            PostgresMigration("0001_mirror", sql: """
                CREATE TYPE cairn.content_type AS ENUM
                    ('material', 'creation_log', 'generated', 'note_article', 'ai_response');
                CREATE TYPE cairn.acquisition_method AS ENUM
                    ('api_fetch', 'manual_upload', 'ai_generated', 'user_created', 'system_import');
                CREATE TYPE cairn.license_type AS ENUM
                    ('CC-BY-4.0', 'CC-BY-SA-4.0', 'CC-BY-NC-4.0', 'CC0-1.0', 'MIT', 'Apache-2.0', 'public-domain',
                     'proprietary', 'unknown');

                CREATE TABLE cairn.mirror_settings (
                    key text PRIMARY KEY,
                    value text NOT NULL
                );

                CREATE TABLE cairn.bulk_jobs (
                    id bigint PRIMARY KEY,
                    arguments text NOT NULL,
                    status text NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
                    files_total bigint NOT NULL DEFAULT 0,
                    added bigint NOT NULL DEFAULT 0,
                    updated bigint NOT NULL DEFAULT 0,
                    unchanged bigint NOT NULL DEFAULT 0,
                    failed bigint NOT NULL DEFAULT 0,
                    chunks_done bigint NOT NULL DEFAULT 0,
                    started_at timestamptz NOT NULL,
                    finished_at timestamptz
                );

                CREATE TABLE cairn.materials (
                    id bigint PRIMARY KEY,
                    owner text NOT NULL,
                    source_key text NOT NULL,
                    external_id text,
                    title text NOT NULL,
                    filename text,
                    file_type text NOT NULL,
                    file_size bigint NOT NULL CHECK (file_size >= 0),
                    topic text,
                    tags jsonb NOT NULL DEFAULT '[]',
                    language text,
                    content_sha256 text NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
                    error_message text,
                    chunk_count integer NOT NULL DEFAULT 0,
                    extracted_text text,
                    extra jsonb,
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL,
                    CONSTRAINT materials_owner_source_key UNIQUE (owner, source_key) DEFERRABLE INITIALLY DEFERRED
                );
                CREATE INDEX materials_owner_id ON cairn.materials (owner, id);
                CREATE INDEX materials_external_id ON cairn.materials (external_id) WHERE external_id IS NOT NULL;

                CREATE TABLE cairn.provenance (
                    material_id bigint PRIMARY KEY
                        REFERENCES cairn.materials (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                    source_uri text,
                    content_type cairn.content_type NOT NULL,
                    acquisition_method cairn.acquisition_method NOT NULL,
                    license_type cairn.license_type NOT NULL,
                    retention_years integer CHECK (retention_years BETWEEN 0 AND 100),
                    external_share_consent boolean NOT NULL DEFAULT false,
                    permission_flag boolean NOT NULL DEFAULT false,
                    acquired_by text,
                    acquired_at timestamptz
                );
                CREATE INDEX provenance_license_type ON cairn.provenance (license_type);

                CREATE TABLE cairn.material_chunks (
                    id bigint PRIMARY KEY,
                    material_id bigint NOT NULL
                        REFERENCES cairn.materials (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                    chunk_index integer NOT NULL CHECK (chunk_index >= 0),
                    content text NOT NULL CHECK (length(content) > 0),
                    char_start integer NOT NULL CHECK (char_start >= 0),
                    char_end integer NOT NULL,
                    page_number integer,
                    page_end integer,
                    heading_path jsonb NOT NULL DEFAULT '[]',
                    language text,
                    token_count integer NOT NULL,
                    content_sha256 text NOT NULL,
                    embedding vector(\(dimension)) NOT NULL,
                    embedding_model text NOT NULL,
                    created_at timestamptz NOT NULL,
                    CHECK (char_end > char_start),
                    CONSTRAINT material_chunks_material_index UNIQUE (material_id, chunk_index) DEFERRABLE INITIALLY DEFERRED
                );
                CREATE INDEX material_chunks_embedding ON cairn.material_chunks
                    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);

                CREATE TABLE cairn.material_processing_jobs (
                    id bigint PRIMARY KEY,
                    material_id bigint NOT NULL
                        REFERENCES cairn.materials (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
                    bulk_job_id bigint
                        REFERENCES cairn.bulk_jobs (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
                    stage text NOT NULL CHECK (stage IN ('parse', 'embed')),
                    status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
                    progress_done bigint NOT NULL DEFAULT 0,
                    progress_total bigint NOT NULL DEFAULT 0,
                    error_message text,
                    created_at timestamptz NOT NULL,
                    started_at timestamptz,
                    finished_at timestamptz,
                    CONSTRAINT material_processing_jobs_material_stage UNIQUE (material_id, stage)
                        DEFERRABLE INITIALLY DEFERRED
                );
                CREATE INDEX material_processing_jobs_bulk_job ON cairn.material_processing_jobs (bulk_job_id);

                COMMENT ON SCHEMA cairn IS 'Cairn''s mirror of its embedded store: written only by Cairn''s mirror worker.';
                COMMENT ON TABLE cairn.materials IS 'One study material per row: an uploaded file, a text, or a record of an item bank. owner is the tenant.';
                COMMENT ON COLUMN cairn.materials.extracted_text IS 'The text the chunks'' char_start/char_end count into (Unicode scalars).';
                COMMENT ON COLUMN cairn.materials.status IS 'pending → processing → completed, or failed with error_message; only completed materials are searched.';
                COMMENT ON TABLE cairn.provenance IS 'Where each material came from, under which licence, and how long it may be kept.';
                COMMENT ON COLUMN cairn.provenance.retention_years IS 'Years the material may be kept after acquired_at (or created_at); NULL: no limit recorded.';
                COMMENT ON TABLE cairn.material_chunks IS 'The citable chunks of completed materials with their embeddings; id is the chunk''s label in Cairn''s own index.';
                COMMENT ON COLUMN cairn.material_chunks.embedding IS 'The chunk''s embedding (L2-normalised for the built-in model); search with <=> (cosine distance).';
                COMMENT ON COLUMN cairn.material_chunks.char_start IS 'Start of the chunk in materials.extracted_text, in Unicode scalars; content = substring(extracted_text from char_start + 1 for char_end - char_start).';
                COMMENT ON TABLE cairn.material_processing_jobs IS 'Per material, its parse and embed jobs with progress and errors.';
                COMMENT ON TABLE cairn.bulk_jobs IS 'One row per indexing run (cairn index, an upload job, a POST /v1/bulk): counts and status.';
                COMMENT ON TABLE cairn.mirror_settings IS 'What this schema mirrors: embedding_dimension, embedding_model, store_id.';
                """),
            PostgresMigration("0002_dialogues", sql: """
                CREATE TABLE cairn.retrievals (
                    seq bigint PRIMARY KEY,
                    id text NOT NULL,
                    created_at timestamptz NOT NULL,
                    api_key_id bigint,
                    tenant text,
                    query text,
                    request jsonb NOT NULL,
                    results jsonb NOT NULL,
                    max_similarity double precision,
                    below_threshold integer NOT NULL DEFAULT 0,
                    exhaustive boolean NOT NULL,
                    timings jsonb NOT NULL,
                    embedding_model text NOT NULL,
                    CONSTRAINT retrievals_id UNIQUE (id) DEFERRABLE INITIALLY DEFERRED
                );
                CREATE INDEX retrievals_created_at ON cairn.retrievals (created_at);

                CREATE TABLE cairn.ai_dialogue_log (
                    id bigint PRIMARY KEY,
                    tenant text NOT NULL,
                    user_id text NOT NULL,
                    session_id text NOT NULL,
                    api_key_id bigint,
                    retrieval_id text,
                    query text NOT NULL,
                    response text NOT NULL,
                    model_used text NOT NULL,
                    citations jsonb NOT NULL DEFAULT '[]',
                    retrieved_chunks jsonb NOT NULL DEFAULT '[]',
                    citation_count integer NOT NULL CHECK (citation_count >= 0),
                    sentence_count integer NOT NULL CHECK (sentence_count >= 0),
                    cited_sentences integer NOT NULL CHECK (cited_sentences >= 0),
                    citation_rate double precision NOT NULL CHECK (citation_rate BETWEEN 0 AND 1),
                    latency_retrieval_ms double precision,
                    latency_generation_ms double precision,
                    latency_total_ms double precision NOT NULL,
                    prompt_tokens bigint NOT NULL,
                    completion_tokens bigint NOT NULL,
                    total_tokens bigint NOT NULL,
                    token_cost_jpy numeric(8, 2),
                    temperature double precision,
                    context_window_size integer,
                    relevance_score double precision CHECK (relevance_score BETWEEN 0 AND 1),
                    user_feedback integer CHECK (user_feedback IN (-1, 0, 1)),
                    feedback_at timestamptz,
                    origin text NOT NULL CHECK (origin IN ('recorded', 'answered')),
                    created_at timestamptz NOT NULL
                );
                CREATE INDEX ai_dialogue_log_user_id ON cairn.ai_dialogue_log (user_id);
                CREATE INDEX ai_dialogue_log_session_id ON cairn.ai_dialogue_log (session_id);
                CREATE INDEX ai_dialogue_log_created_at ON cairn.ai_dialogue_log (created_at);
                CREATE INDEX ai_dialogue_log_user_created ON cairn.ai_dialogue_log (user_id, created_at DESC);
                CREATE INDEX ai_dialogue_log_citation_rate ON cairn.ai_dialogue_log (citation_rate);
                CREATE INDEX ai_dialogue_log_retrieval_id ON cairn.ai_dialogue_log (retrieval_id);
                CREATE INDEX ai_dialogue_log_citations ON cairn.ai_dialogue_log USING gin (citations jsonb_path_ops);

                CREATE TABLE cairn.rag_metrics_history (
                    id bigint PRIMARY KEY,
                    day date NOT NULL,
                    tenant text NOT NULL,
                    answers bigint NOT NULL,
                    unique_users bigint NOT NULL,
                    citation_rate_mean double precision,
                    citations_per_answer double precision,
                    answers_without_citation bigint NOT NULL,
                    latency_p50_ms double precision,
                    latency_p95_ms double precision,
                    latency_p99_ms double precision,
                    cost_per_answer_jpy numeric(8, 2),
                    total_cost_jpy numeric(14, 2) NOT NULL,
                    unpriced_answers bigint NOT NULL,
                    relevance_mean double precision,
                    feedback_positive bigint NOT NULL,
                    feedback_neutral bigint NOT NULL,
                    feedback_negative bigint NOT NULL,
                    slo_compliance jsonb NOT NULL,
                    computed_at timestamptz NOT NULL,
                    CONSTRAINT rag_metrics_history_day_tenant UNIQUE (day, tenant) DEFERRABLE INITIALLY DEFERRED
                );

                CREATE TABLE cairn.audit_log (
                    id bigint PRIMARY KEY,
                    action text NOT NULL CHECK (action IN ('retention_purge', 'user_erasure')),
                    reason text NOT NULL,
                    subject_sha256 text,
                    details jsonb NOT NULL,
                    created_at timestamptz NOT NULL
                );

                COMMENT ON TABLE cairn.retrievals IS 'Every retrieval (POST /v1/retrieve and what builds on it): the question, the filters, the ranked chunks with their similarities, the timings.';
                COMMENT ON TABLE cairn.ai_dialogue_log IS 'One AI-coach answer per row, joined to its retrieval: citations resolved to materials with a provenance snapshot, latency, tokens, cost, citation rate, feedback.';
                COMMENT ON COLUMN cairn.ai_dialogue_log.citations IS 'Per citation: chunk_id, marker, material_id, title, page_number, char_start/char_end, similarity and rank in the retrieval, the quote and where it was found, and the provenance at the time of the answer.';
                COMMENT ON COLUMN cairn.ai_dialogue_log.citation_rate IS 'Share of the response''s sentences carrying at least one citation marker (docs/DIALOGUES.md).';
                COMMENT ON COLUMN cairn.ai_dialogue_log.token_cost_jpy IS 'Yen, from the price table of the model_used; NULL when the model has no price.';
                COMMENT ON TABLE cairn.rag_metrics_history IS 'One row per UTC day and tenant: answers, citation, latency percentiles (exact), cost, relevance, feedback and SLO compliance.';
                COMMENT ON TABLE cairn.audit_log IS 'What retention and erasure removed, when and why: ids and content hashes, never personal data.';
                """),
            PostgresMigration("0003_benchmark_runs", sql: """
                CREATE TABLE cairn.benchmark_runs (
                    id bigint PRIMARY KEY,
                    started_at timestamptz NOT NULL,
                    commit_sha text NOT NULL,
                    machine_kind text NOT NULL,
                    machine jsonb NOT NULL,
                    load_before double precision NOT NULL,
                    load_after double precision NOT NULL,
                    wall_seconds double precision NOT NULL,
                    sections jsonb NOT NULL,
                    figures jsonb NOT NULL,
                    regressions jsonb NOT NULL,
                    created_at timestamptz NOT NULL
                );
                CREATE INDEX benchmark_runs_machine_started ON cairn.benchmark_runs (machine_kind, started_at);
                COMMENT ON TABLE cairn.benchmark_runs IS 'One nightly benchmark run per row (cairn bench nightly): machine, load, section times, every figure with its peer''s, the regressions found.';
                """),
        ]
    }
}
