import CairnSQL

/// The material store's tables, as ordered migrations.
///
/// Column names and types are chosen so that a PostgreSQL/pgvector mirror is a straight copy: INTEGER ids
/// become `bigint`, TEXT stays `text`, timestamps are ISO 8601 UTC text (`timestamptz` there), JSON columns
/// (`tags`, `heading_path`, `extra`) hold JSON text (`jsonb` there), 0/1 flags become `boolean`, and
/// `material_chunks.embedding` holds little-endian float32s (`vector(384)` there).
///
/// Ids are AUTOINCREMENT so that a deleted chunk's id is never given to another chunk: the vector index
/// uses chunk ids as labels, and a label must never come to mean different text.
///
/// `0002_service` adds what the retrieval service (`cairn serve`) keeps beside the materials, in the same
/// database so that one file holds everything a restart needs: API keys (SHA-256 hashes only), ingest jobs
/// with their files (uploads spooled under the data directory, or server-side paths), and the retrieval log
/// the dialogue module joins answers to.
///
/// `0003_mirror_outbox` is the PostgreSQL mirror's outbox: once `mirror_config.enabled` is 1 (the first run with
/// a database URL sets it), triggers on every mirrored table record each inserted, updated or deleted row's id
/// in `mirror_outbox`, inside the transaction that changed the row, so a committed change cannot miss the
/// outbox and a rolled-back one never reaches it. The mirror reads each row's state when it applies the
/// outbox (a deleted row becomes a delete), so rows record ids only. `mirror_config.store_id` (random) names this
/// store to its mirror, which refuses to mirror two stores into one database.
enum StoreSchema {
    static let migrations: [Migration] = base + [dialogues, contentGeneration, chunkGeneration, benchmarkRuns]

    static let base: [Migration] = [
        Migration("0001_materials", sql: """
            CREATE TABLE materials (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                owner TEXT NOT NULL,
                source_key TEXT NOT NULL,
                external_id TEXT,
                title TEXT NOT NULL,
                filename TEXT,
                file_type TEXT NOT NULL,
                file_size INTEGER NOT NULL CHECK (file_size >= 0),
                topic TEXT,
                tags TEXT NOT NULL DEFAULT '[]',
                language TEXT,
                content_sha256 TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
                error_message TEXT,
                chunk_count INTEGER NOT NULL DEFAULT 0,
                extracted_text TEXT,
                extra TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (owner, source_key)
            );
            CREATE INDEX materials_owner_sha ON materials (owner, content_sha256);
            CREATE INDEX materials_external_id ON materials (external_id) WHERE external_id IS NOT NULL;
            CREATE INDEX materials_status ON materials (status) WHERE status IN ('pending', 'processing');

            CREATE TABLE provenance (
                material_id INTEGER PRIMARY KEY REFERENCES materials (id) ON DELETE CASCADE,
                source_uri TEXT,
                content_type TEXT NOT NULL CHECK (content_type IN
                    ('material', 'creation_log', 'generated', 'note_article', 'ai_response')),
                acquisition_method TEXT NOT NULL CHECK (acquisition_method IN
                    ('api_fetch', 'manual_upload', 'ai_generated', 'user_created', 'system_import')),
                license_type TEXT NOT NULL,
                retention_years INTEGER CHECK (retention_years BETWEEN 0 AND 100),
                external_share_consent INTEGER NOT NULL DEFAULT 0 CHECK (external_share_consent IN (0, 1)),
                permission_flag INTEGER NOT NULL DEFAULT 0 CHECK (permission_flag IN (0, 1)),
                acquired_by TEXT,
                acquired_at TEXT
            );

            CREATE TABLE material_chunks (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                material_id INTEGER NOT NULL REFERENCES materials (id) ON DELETE CASCADE,
                chunk_index INTEGER NOT NULL CHECK (chunk_index >= 0),
                content TEXT NOT NULL CHECK (length(content) > 0),
                char_start INTEGER NOT NULL CHECK (char_start >= 0),
                char_end INTEGER NOT NULL,
                page_number INTEGER,
                page_end INTEGER,
                heading_path TEXT NOT NULL DEFAULT '[]',
                language TEXT,
                token_count INTEGER NOT NULL,
                content_sha256 TEXT NOT NULL,
                embedding BLOB NOT NULL,
                embedding_model TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (material_id, chunk_index),
                CHECK (char_end > char_start)
            );

            CREATE TABLE bulk_jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                arguments TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
                files_total INTEGER NOT NULL DEFAULT 0,
                added INTEGER NOT NULL DEFAULT 0,
                updated INTEGER NOT NULL DEFAULT 0,
                unchanged INTEGER NOT NULL DEFAULT 0,
                failed INTEGER NOT NULL DEFAULT 0,
                chunks_done INTEGER NOT NULL DEFAULT 0,
                started_at TEXT NOT NULL,
                finished_at TEXT
            );

            CREATE TABLE bulk_job_errors (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                bulk_job_id INTEGER NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
                path TEXT NOT NULL,
                reason TEXT NOT NULL,
                created_at TEXT NOT NULL
            );

            CREATE TABLE material_processing_jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                material_id INTEGER NOT NULL REFERENCES materials (id) ON DELETE CASCADE,
                bulk_job_id INTEGER REFERENCES bulk_jobs (id) ON DELETE SET NULL,
                stage TEXT NOT NULL CHECK (stage IN ('parse', 'embed')),
                status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
                progress_done INTEGER NOT NULL DEFAULT 0,
                progress_total INTEGER NOT NULL DEFAULT 0,
                error_message TEXT,
                created_at TEXT NOT NULL,
                started_at TEXT,
                finished_at TEXT,
                UNIQUE (material_id, stage)
            );
            """),
        Migration("0002_service", sql: """
            CREATE TABLE api_keys (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'coach')),
                tenant TEXT,
                key_sha256 TEXT NOT NULL UNIQUE,
                key_prefix TEXT NOT NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT,
                CHECK (role = 'admin' OR tenant IS NOT NULL)
            );

            CREATE TABLE ingest_jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL CHECK (kind IN ('upload', 'bulk')),
                status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
                owner TEXT,
                api_key_id INTEGER REFERENCES api_keys (id) ON DELETE SET NULL,
                spool_directory TEXT,
                files_total INTEGER NOT NULL CHECK (files_total >= 0),
                error_message TEXT,
                created_at TEXT NOT NULL,
                started_at TEXT,
                finished_at TEXT
            );
            CREATE INDEX ingest_jobs_open ON ingest_jobs (status) WHERE status IN ('queued', 'running');

            CREATE TABLE ingest_job_files (
                job_id INTEGER NOT NULL REFERENCES ingest_jobs (id) ON DELETE CASCADE,
                position INTEGER NOT NULL CHECK (position >= 0),
                path TEXT NOT NULL,
                display_name TEXT,
                source_key TEXT,
                metadata TEXT NOT NULL DEFAULT '{}',
                file_size INTEGER,
                content_sha256 TEXT,
                material_id INTEGER REFERENCES materials (id) ON DELETE SET NULL,
                PRIMARY KEY (job_id, position)
            );

            ALTER TABLE bulk_jobs ADD COLUMN ingest_job_id INTEGER REFERENCES ingest_jobs (id) ON DELETE SET NULL;
            CREATE INDEX bulk_jobs_ingest_job ON bulk_jobs (ingest_job_id) WHERE ingest_job_id IS NOT NULL;
            CREATE INDEX material_processing_jobs_bulk_job ON material_processing_jobs (bulk_job_id);
            CREATE INDEX materials_owner_id ON materials (owner, id);

            CREATE TABLE retrievals (
                id TEXT PRIMARY KEY NOT NULL,
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
            CREATE INDEX retrievals_created_at ON retrievals (created_at);
            """),
        Migration("0003_mirror_outbox", sql: """
            CREATE TABLE mirror_config (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
                enabled_at TEXT,
                store_id TEXT NOT NULL
            );
            INSERT INTO mirror_config (id, enabled, store_id) VALUES (1, 0, lower(hex(randomblob(16))));

            CREATE TABLE mirror_outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                entity TEXT NOT NULL,
                entity_id INTEGER NOT NULL,
                created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            );
            CREATE INDEX mirror_outbox_entity ON mirror_outbox (entity, entity_id);

            CREATE TABLE mirror_rejected (
                entity TEXT NOT NULL,
                entity_id INTEGER NOT NULL,
                error TEXT NOT NULL,
                rejected_at TEXT NOT NULL,
                PRIMARY KEY (entity, entity_id)
            );

            CREATE TRIGGER bulk_jobs_mirror_insert AFTER INSERT ON bulk_jobs
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('bulk_jobs', NEW.id); END;
            CREATE TRIGGER bulk_jobs_mirror_update AFTER UPDATE ON bulk_jobs
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('bulk_jobs', NEW.id); END;
            CREATE TRIGGER bulk_jobs_mirror_delete AFTER DELETE ON bulk_jobs
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('bulk_jobs', OLD.id); END;
            CREATE TRIGGER materials_mirror_insert AFTER INSERT ON materials
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('materials', NEW.id); END;
            CREATE TRIGGER materials_mirror_update AFTER UPDATE ON materials
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('materials', NEW.id); END;
            CREATE TRIGGER materials_mirror_delete AFTER DELETE ON materials
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('materials', OLD.id); END;
            CREATE TRIGGER provenance_mirror_insert AFTER INSERT ON provenance
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('provenance', NEW.material_id); END;
            CREATE TRIGGER provenance_mirror_update AFTER UPDATE ON provenance
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('provenance', NEW.material_id); END;
            CREATE TRIGGER provenance_mirror_delete AFTER DELETE ON provenance
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('provenance', OLD.material_id); END;
            CREATE TRIGGER material_chunks_mirror_insert AFTER INSERT ON material_chunks
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('material_chunks', NEW.id); END;
            CREATE TRIGGER material_chunks_mirror_update AFTER UPDATE ON material_chunks
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('material_chunks', NEW.id); END;
            CREATE TRIGGER material_chunks_mirror_delete AFTER DELETE ON material_chunks
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('material_chunks', OLD.id); END;
            CREATE TRIGGER material_processing_jobs_mirror_insert AFTER INSERT ON material_processing_jobs
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('material_processing_jobs', NEW.id); END;
            CREATE TRIGGER material_processing_jobs_mirror_update AFTER UPDATE ON material_processing_jobs
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('material_processing_jobs', NEW.id); END;
            CREATE TRIGGER material_processing_jobs_mirror_delete AFTER DELETE ON material_processing_jobs
                WHEN (SELECT enabled FROM mirror_config) = 1
                BEGIN INSERT INTO mirror_outbox (entity, entity_id) VALUES ('material_processing_jobs', OLD.id); END;
            """),
    ]
}
