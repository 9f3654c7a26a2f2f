import CairnIngest
import CairnService

/// The API's component schemas: every request and response body, every field described.
enum OpenAPISchemas {
    /// The metadata fields of uploads and bulk entries; `form`: as multipart form fields (text only).
    static func metadataFields(form: Bool = false) -> [(String, JSONValue)] {
        let tags = Schema.string("Comma- or semicolon-separated tags" + (form ? " (the field may repeat)." : "."))
        return [
            ("owner_id", Schema.string("The tenant the material belongs to (default \"default\").", minLength: 1,
                                       maxLength: 256)),
            ("title", Schema.string("Title (default: the file name, or an HTML document's <title>).", maxLength: 4_096)),
            ("topic", Schema.string("Topic, for filtering.", maxLength: 4_096)),
            ("tags", form ? tags : ["description": "Tags: a list of strings, or one string split on ',' or ';'.",
                                    "anyOf": [tags, Schema.array(Schema.string("A tag."), "Tags.", maxItems: 1_000)]]),
            ("lang", Schema.string("BCP 47 language tag (en, ko, zh-Hans, …); detected from the text when absent.",
                                   maxLength: 64, pattern: languagePattern)),
            ("source_uri", Schema.string("Where the material came from (URL or description).", maxLength: 4_096)),
            ("content_type", Schema.string("What kind of content it is.", values: ContentType.allCases.map(\.rawValue))),
            ("acquisition_method", Schema.string("How it came to Cairn (default manual_upload for uploads, system_import "
                + "for bulk jobs).", values: AcquisitionMethod.allCases.map(\.rawValue))),
            ("license_type", Schema.string("SPDX-style licence identifier (CC-BY-4.0, MIT, proprietary, unknown, …).",
                                           pattern: licensePattern)),
            ("retention_years", Schema.integer("Years it may be kept (0 to 100).", minimum: 0, maximum: 100)),
            ("external_share_consent", Schema.boolean("The owner consented to external sharing.")),
            ("permission_flag", Schema.boolean("Permission to use it was granted.")),
            ("acquired_by", Schema.string("Who acquired it.", maxLength: 4_096)),
            ("acquired_at", ["description": "When it was acquired: an RFC 3339 date or date-time.",
                             "anyOf": [["type": "string", "format": "date"], ["type": "string", "format": "date-time"]]]),
        ]
    }

    /// The end of a pattern: `(?![\s\S])` ends the text in every regex dialect, where `$` also matches before a
    /// final newline in Python's (and so in schemathesis's reading of the document).
    static let end = "(?![\\s\\S])"
    /// What `lang` fields accept (``MetadataFields/isLanguageTag(_:)``).
    static let languagePattern = "^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*" + end
    /// What `license_type` fields accept (``LicenseType``).
    static let licensePattern = "^[A-Za-z0-9.+-]{1,63}" + end

    /// A retrieval's question: 1 to 32,768 characters, not only whitespace (``QuestionText``).
    static func question(_ description: String) -> JSONValue {
        Schema.string(description + " (at most 32,768 characters, not only whitespace).", minLength: 1,
                      maxLength: 32_768, pattern: QuestionText.pattern)
    }

    static func all(dimension: Int?) -> [(String, JSONValue)] {
        core(dimension: dimension) + dialogues()
    }

    static func core(dimension: Int?) -> [(String, JSONValue)] {
        [
            ("Error", Schema.record("An error in OpenAI's shape.", [
                ("error", Schema.record("What went wrong.", [
                    ("message", Schema.string("What went wrong and, for a bad field, what is allowed.")),
                    ("type", Schema.string("OpenAI's error class.", values: [
                        "invalid_request_error", "authentication_error", "permission_error", "not_found_error",
                        "rate_limit_error", "server_error",
                    ])),
                    ("param", Schema.string("The request field at fault (`filters.owner_id`, `top_k`), if one is.",
                                            nullable: true)),
                    ("code", Schema.string("A stable code for the cause.", values: [
                        "invalid_value", "unknown_field", "invalid_request", "invalid_api_key", "forbidden", "not_found",
                        "model_not_found", "method_not_allowed",
                        "conflict", "payload_too_large", "unsupported_media_type", "unprocessable", "rate_limit_exceeded",
                        "not_ready", "overloaded", "internal_error", "not_configured", "upstream_error", "upstream_timeout",
                    ])),
                    ("request_id", Schema.string("The request's id (also in the X-Request-Id header and the server log).")),
                ])),
            ])),
            ("Provenance", Schema.record("Where a material came from and under which terms it is held.", nullable: true, [
                ("source_uri", Schema.string("Where it came from.", nullable: true)),
                ("content_type", Schema.string("What kind of content it is.", values: ContentType.allCases.map(\.rawValue))),
                ("acquisition_method", Schema.string("How it came to Cairn.",
                                                     values: AcquisitionMethod.allCases.map(\.rawValue))),
                ("license_type", Schema.string("SPDX-style licence identifier.")),
                ("retention_years", Schema.integer("Years it may be kept.", nullable: true, minimum: 0, maximum: 100)),
                ("external_share_consent", Schema.boolean("Consent to external sharing.")),
                ("permission_flag", Schema.boolean("Permission to use was granted.")),
                ("acquired_by", Schema.string("Who acquired it.", nullable: true)),
                ("acquired_at", Schema.string("When it was acquired (ISO 8601).", nullable: true)),
            ])),
            ("Material", Schema.record("A study material.", [
                ("object", Schema.string("Always `material`.", values: ["material"])),
                ("id", Schema.integer("The material's id.", minimum: 1)),
                ("owner_id", Schema.string("The tenant it belongs to.")),
                ("source_key", Schema.string("What identifies it across uploads (`upload/<file name>`, a path, "
                    + "`<file>#<external id>`); a new upload with the same key updates it.")),
                ("external_id", Schema.string("The source system's id (item banks, records).", nullable: true)),
                ("title", Schema.string("Title.")),
                ("filename", Schema.string("The file's name.", nullable: true)),
                ("file_type", Schema.string("Format.", values: MaterialFileType.allCases.map(\.rawValue))),
                ("file_size", Schema.integer("Bytes.", minimum: 0)),
                ("topic", Schema.string("Topic.", nullable: true)),
                ("tags", Schema.array(Schema.string("A tag."), "Tags.")),
                ("lang", Schema.string("Language tag.", nullable: true)),
                ("content_sha256", Schema.string("SHA-256 of the content (hex).")),
                ("status", Schema.string("Processing state.", values: MaterialStatus.allCases.map(\.rawValue))),
                ("error", Schema.string("Why processing failed.", nullable: true)),
                ("chunk_count", Schema.integer("Chunks.", minimum: 0)),
                ("created_at", Schema.string("Created (ISO 8601 UTC).", format: "date-time")),
                ("updated_at", Schema.string("Last changed (ISO 8601 UTC).", format: "date-time")),
                ("provenance", Schema.ref("Provenance")),
            ])),
            ("Chunk", Schema.record("A chunk of a material's extracted text.", [
                ("object", Schema.string("Always `chunk`.", values: ["chunk"])),
                ("id", Schema.integer("The chunk's id (its label in the vector index).", minimum: 1)),
                ("material_id", Schema.integer("Its material.", minimum: 1)),
                ("chunk_index", Schema.integer("Position in the material (from 0).", minimum: 0)),
                ("content", Schema.string("The chunk's text: `text[char_start:char_end]` of the material's text.")),
                ("char_start", Schema.integer("Start offset in Unicode scalars.", minimum: 0)),
                ("char_end", Schema.integer("End offset (exclusive) in Unicode scalars.", minimum: 1)),
                ("page_number", Schema.integer("First page (PDF).", nullable: true, minimum: 1)),
                ("page_end", Schema.integer("Last page (PDF).", nullable: true, minimum: 1)),
                ("heading_path", Schema.array(Schema.string("A heading."), "Headings above the chunk, outermost first.")),
                ("lang", Schema.string("Language tag.", nullable: true)),
                ("token_count", Schema.integer("Tokens of the embedder's tokenizer.", minimum: 0)),
                ("content_sha256", Schema.string("SHA-256 of the content (hex).")),
                ("embedding_model", Schema.string("The model that embedded it.")),
                ("created_at", Schema.string("Created (ISO 8601 UTC).", format: "date-time")),
            ])),
            ("MaterialList", list("Material", "A page of materials.")),
            ("ChunkList", list("Chunk", "A page of a material's chunks.")),
            ("MaterialText", Schema.record("A material's extracted text, which every chunk's offsets point into.", [
                ("object", Schema.string("Always `material_text`.", values: ["material_text"])),
                ("material_id", Schema.integer("The material.", minimum: 1)),
                ("text", Schema.string("The text.")),
                ("char_count", Schema.integer("Length in Unicode scalars.", minimum: 0)),
                ("offset_unit", Schema.string("What offsets count.", values: ["unicode_scalar"])),
            ])),
            ("Deleted", Schema.record("A deleted material.", [
                ("object", Schema.string("Always `material`.", values: ["material"])),
                ("id", Schema.integer("The material's id.", minimum: 1)),
                ("deleted", Schema.boolean("Always true.")),
            ])),
            ("Filters", Schema.input("Which chunks may be returned; every field given must hold. A coach key's tenant "
                + "is always applied; naming another tenant is a 403.", [
                ("owner_id", Schema.string("Only this tenant's chunks.", maxLength: 256)),
                ("material_ids", Schema.array(Schema.integer("A material id.", minimum: 1, maximum: maxID),
                                              "Only these materials.", minItems: 1, maxItems: 10_000)),
                ("external_ids", Schema.array(Schema.string("An external id."), "Only materials with these external ids.",
                                              minItems: 1, maxItems: 10_000)),
                ("topic", Schema.string("Only this topic.", maxLength: 1_024)),
                ("tags_any", Schema.array(Schema.string("A tag."), "Materials with at least one of these tags.",
                                          minItems: 1, maxItems: 1_000)),
                ("tags_all", Schema.array(Schema.string("A tag."), "Materials with all of these tags.", minItems: 1,
                                          maxItems: 1_000)),
                ("lang", Schema.string("Only this language (en, ko, zh-Hans, …).", maxLength: 64,
                                       pattern: languagePattern)),
                ("content_type", Schema.string("Only this content type.", values: ContentType.allCases.map(\.rawValue))),
                ("license_type", Schema.string("Only this licence.", pattern: licensePattern)),
            ])),
            ("RetrieveRequest", Schema.adding("oneOf", [Schema.present("query"), Schema.present("embedding")], to: Schema.input(
                "A question (or its embedding) and how to search. Give exactly one of `query` and `embedding`.", [
                ("query", question("The question")),
                ("embedding", Schema.array(Schema.number("A component.", minimum: -1e9, maximum: 1e9), "A query vector of the index's dimension"
                    + (dimension.map { " (\($0))" } ?? "") + ".", minItems: dimension, maxItems: dimension)),
                ("top_k", Schema.integer("How many chunks (default 5).", minimum: 1, maximum: RetrievalRequest.maxTopK)),
                ("filters", Schema.ref("Filters")),
                ("min_similarity", Schema.number("Drop chunks below this cosine similarity.", minimum: -1, maximum: 1)),
                ("ef_search", Schema.integer("HNSW candidate-list size for this request (default: 100, or 4 × the "
                    + "candidates asked of the vector ranking when that is more).", minimum: 1, maximum: 10_000)),
            ] + retrievalRankingFields))),
            ("Grounding", Schema.record("Whether the materials look like they hold an answer (docs/RETRIEVAL.md).", [
                ("max_similarity", Schema.number("The best similarity of any allowed chunk.", nullable: true)),
                ("max_keyword_score", Schema.number("The best keyword score (0 to 1) of any allowed chunk.",
                                                    nullable: true, minimum: 0, maximum: 1)),
                ("below_threshold", Schema.boolean("max_similarity is below similarity_threshold (or there is none).")),
                ("materials_covered", Schema.integer("Distinct materials among the results.", minimum: 0)),
                ("not_in_materials", Schema.boolean("Neither max_similarity nor max_keyword_score reaches its "
                    + "threshold: say the materials do not cover the question rather than guess.")),
                ("similarity_threshold", Schema.number("The server's grounding.similarity_threshold.")),
                ("keyword_threshold", Schema.number("The server's grounding.keyword_threshold.")),
            ])),
            ("RetrievedChunk", Schema.record("A ranked chunk, ready to cite.", [
                ("rank", Schema.integer("1 for the best.", minimum: 1)),
                ("similarity", Schema.number("Cosine similarity to the question.")),
                ("chunk_id", Schema.integer("The chunk.", minimum: 1)),
                ("material_id", Schema.integer("Its material.", minimum: 1)),
                ("external_id", Schema.string("The material's external id.", nullable: true)),
                ("owner_id", Schema.string("The tenant.")),
                ("title", Schema.string("The material's title.")),
                ("filename", Schema.string("The material's file name.", nullable: true)),
                ("content", Schema.string("The chunk's text.")),
                ("chunk_index", Schema.integer("Position in the material.", minimum: 0)),
                ("page_number", Schema.integer("First page.", nullable: true, minimum: 1)),
                ("page_end", Schema.integer("Last page.", nullable: true, minimum: 1)),
                ("char_start", Schema.integer("Start offset (Unicode scalars) in the material's text.", minimum: 0)),
                ("char_end", Schema.integer("End offset (exclusive).", minimum: 1)),
                ("heading_path", Schema.array(Schema.string("A heading."), "Headings above the chunk.")),
                ("lang", Schema.string("Language.", nullable: true)),
                ("topic", Schema.string("The material's topic.", nullable: true)),
                ("tags", Schema.array(Schema.string("A tag."), "The material's tags.")),
                ("source_uri", Schema.string("Provenance: where it came from.", nullable: true)),
                ("license_type", Schema.string("Provenance: licence.")),
                ("acquisition_method", Schema.string("Provenance: how it was acquired.", nullable: true,
                                                     values: AcquisitionMethod.allCases.map(\.rawValue))),
                ("content_type", Schema.string("Provenance: content type.", nullable: true,
                                               values: ContentType.allCases.map(\.rawValue))),
                ("vector_rank", Schema.integer("Rank in the vector ranking (null: not among its candidates).",
                                               nullable: true, minimum: 1)),
                ("keyword_rank", Schema.integer("Rank in the keyword ranking (null: not among its candidates).",
                                                nullable: true, minimum: 1)),
                ("keyword_score", Schema.number("BM25 score over the question's ceiling, 0 to 1 (null: not a keyword "
                    + "candidate).", nullable: true, minimum: 0, maximum: 1)),
                ("fused_score", Schema.number("Reciprocal-rank-fusion score (hybrid mode; else null).", nullable: true,
                                              minimum: 0)),
            ])),
            ("Retrieval", Schema.record("The chunks that ground an answer.", [
                ("object", Schema.string("Always `retrieval`.", values: ["retrieval"])),
                ("retrieval_id", Schema.string("The id the request, its results and scores are kept under.")),
                ("model", Schema.string("The embedding model.")),
                ("mode", Schema.string("The ranking used.", values: RetrievalMode.allCases.map(\.rawValue))),
                ("results", Schema.array(Schema.ref("RetrievedChunk"), "Best first.")),
                ("exhaustive", Schema.boolean("True when the results are provably the true top k for the filter "
                    + "(the allowed set was scanned exactly).")),
                ("max_similarity", Schema.number("The best candidate's similarity before the threshold.", nullable: true)),
                ("below_threshold", Schema.integer("Candidates among the top k that min_similarity dropped.", minimum: 0)),
                ("grounding", Schema.ref("Grounding")),
                ("timings", Schema.record("Milliseconds per step.", [
                    ("embed_ms", Schema.number("Embedding the question.")),
                    ("filter_ms", Schema.number("Turning the filters into the allowed set.")),
                    ("search_ms", Schema.number("Searching the indexes (keyword scoring included).")),
                    ("keyword_ms", Schema.number("Keyword scoring.")),
                    ("fetch_ms", Schema.number("Reading the chunks.")),
                    ("total_ms", Schema.number("All of it.")),
                ])),
            ])),
            ("EmbeddingsRequest", Schema.input("Texts to embed (OpenAI's request shape).", required: ["input", "model"], [
                ("input", ["description": .string("A text, or a list of 1 to 2,048 non-empty texts (each at most 65,536 "
                    + "characters)."),
                           "anyOf": [Schema.string("A text.", minLength: 1, maxLength: EmbeddingsRequest.maxInputLength),
                                     Schema.array(Schema.string("A text.", minLength: 1,
                                                                maxLength: EmbeddingsRequest.maxInputLength),
                                                  "Texts.", minItems: 1, maxItems: EmbeddingsRequest.maxInputs)]]),
                ("model", Schema.string("The model: this server's embedding model's id (an organisation prefix such as "
                    + "sentence-transformers/ is allowed); another model is a 404.", maxLength: 256)),
                ("encoding_format", Schema.string("How vectors are written (default float).", values: ["float", "base64"])),
                ("dimensions", Schema.integer("The vectors' length; only the model's own"
                    + (dimension.map { " (\($0))" } ?? "") + " is accepted.", minimum: dimension ?? 1,
                    maximum: dimension ?? 1_000_000)),
                ("user", Schema.string("An end-user id (accepted, not used).", maxLength: 512)),
            ])),
            ("EmbeddingList", Schema.record("One vector per input (OpenAI's response shape).", [
                ("object", Schema.string("Always `list`.", values: ["list"])),
                ("data", Schema.array(Schema.record("A vector.", [
                    ("object", Schema.string("Always `embedding`.", values: ["embedding"])),
                    ("index", Schema.integer("The input's position.", minimum: 0)),
                    ("embedding", ["description": "The vector: numbers, or base64 of little-endian float32.",
                                   "anyOf": [Schema.array(Schema.number("A component."), "Numbers."),
                                             ["type": "string", "description": "Base64."]]]),
                ]), "In input order.")),
                ("model", Schema.string("The model.")),
                ("usage", Schema.record("Tokens.", [
                    ("prompt_tokens", Schema.integer("Tokens of the inputs after truncation.", minimum: 0)),
                    ("total_tokens", Schema.integer("The same.", minimum: 0)),
                ])),
            ])),
            ("ComparisonFilter", ["description": .string("Compares a material attribute with a value. Text attributes "
                + "take eq, ne, in, nin; material_id also gt, gte, lt, lte; tags asks whether the tag (eq) or any of "
                + "the tags (in) is among the material's. A material without the attribute passes only ne and nin."),
                                  "anyOf": .array(comparisonVariants())]),
            ("CompoundFilter", Schema.input("Filters joined by and/or (nested at most 8 deep, 100 comparisons in all).",
                                            required: ["type", "filters"], [
                ("type", Schema.string("How the filters combine.", values: ["and", "or"])),
                ("filters", Schema.array(["anyOf": [Schema.ref("ComparisonFilter"), Schema.ref("CompoundFilter")]],
                                         "The filters.", minItems: 1, maxItems: 100)),
            ])),
            ("VectorStoreSearchRequest", Schema.input("A search of a tenant's materials (OpenAI's request shape).",
                                                      required: ["query"], [
                ("query", ["description": "A question, or a list of up to 10 (each chunk scores its best similarity).",
                           "anyOf": [question("A question"), Schema.array(
                               question("A question"), "Questions.", minItems: 1,
                               maxItems: VectorStoreSearchRequest.maxQueries)]]),
                ("max_num_results", Schema.integer("How many chunks (default 10).", minimum: 1,
                                                   maximum: VectorStoreSearchRequest.maxResultsLimit)),
                ("filters", ["description": "A comparison or compound filter over the materials' attributes.",
                             "anyOf": [Schema.ref("ComparisonFilter"), Schema.ref("CompoundFilter")]]),
                ("ranking_options", Schema.input("Ranking.", [
                    ("ranker", Schema.string("Accepted for compatibility; Cairn ranks by cosine similarity.",
                                             values: ["auto", "none", "default-2024-11-15"])),
                    ("score_threshold", Schema.number("Leave out chunks scoring below this.", minimum: 0, maximum: 1)),
                ])),
                ("rewrite_query", Schema.boolean("Accepted for compatibility; the query is searched as given.")),
            ])),
            ("VectorStoreSearchPage", Schema.record("The chunks found (OpenAI's response shape).", [
                ("object", Schema.string("Always `vector_store.search_results.page`.",
                                         values: ["vector_store.search_results.page"])),
                ("search_query", Schema.array(Schema.string("A question."), "The questions searched, as given.")),
                ("data", Schema.array(Schema.record("A chunk.", [
                    ("file_id", Schema.string("The material's id (as a string).")),
                    ("filename", Schema.string("The material's file name (its title when it has none).")),
                    ("score", Schema.number("Cosine similarity to the best-matching question.")),
                    ("attributes", Schema.object("Cairn's locators and the material's attributes.", [
                        ("chunk_id", Schema.integer("The chunk.", minimum: 1), required: true),
                        ("material_id", Schema.integer("Its material.", minimum: 1), required: true),
                        ("chunk_index", Schema.integer("Position in the material.", minimum: 0), required: true),
                        ("char_start", Schema.integer("Start offset (Unicode scalars) in the material's text.",
                                                      minimum: 0), required: true),
                        ("char_end", Schema.integer("End offset (exclusive).", minimum: 1), required: true),
                        ("page_number", Schema.integer("First page (PDF; absent otherwise).", minimum: 1), required: false),
                        ("page_end", Schema.integer("Last page (PDF; absent otherwise).", minimum: 1), required: false),
                        ("heading_path", Schema.string("Headings above the chunk, joined by \" > \" (empty: none)."),
                         required: true),
                        ("title", Schema.string("The material's title."), required: true),
                        ("owner_id", Schema.string("The tenant."), required: true),
                        ("external_id", Schema.string("The material's external id."), required: false),
                        ("topic", Schema.string("Topic."), required: false),
                        ("tags", Schema.string("Tags, comma-separated."), required: false),
                        ("lang", Schema.string("Language."), required: false),
                        ("content_type", Schema.string("Provenance: content type."), required: false),
                        ("license_type", Schema.string("Provenance: licence."), required: false),
                        ("source_uri", Schema.string("Provenance: where it came from."), required: false),
                        ("acquisition_method", Schema.string("Provenance: how it was acquired."), required: false),
                    ])),
                    ("content", Schema.array(Schema.record("Text.", [
                        ("type", Schema.string("Always `text`.", values: ["text"])),
                        ("text", Schema.string("The chunk's text.")),
                    ]), "The chunk's text.", minItems: 1, maxItems: 1)),
                ]), "Best first.")),
                ("has_more", Schema.boolean("Always false: one page holds every result.")),
                ("next_page", Schema.string("Always null.", nullable: true)),
                ("retrieval_ids", Schema.array(Schema.string("A retrieval id."), "The retrieval records kept for this "
                    + "search, one per question (Cairn's addition).")),
            ])),
            ("Job", Schema.record("An ingest job.", [
                ("object", Schema.string("Always `job`.", values: ["job"])),
                ("id", Schema.integer("The job's id.", minimum: 1)),
                ("kind", Schema.string("How its files came.", values: ["upload", "bulk"])),
                ("status", Schema.string("Where it is.", values: IngestJobStatus.allCases.map(\.rawValue))),
                ("owner_id", Schema.string("The tenant, when all its files belong to one.", nullable: true)),
                ("created_at", Schema.string("Queued (ISO 8601 UTC).", format: "date-time")),
                ("started_at", Schema.string("Started.", nullable: true, format: "date-time")),
                ("finished_at", Schema.string("Ended.", nullable: true, format: "date-time")),
                ("error", Schema.string("Why the job as a whole failed.", nullable: true)),
                ("progress", Schema.record("How far it is.", [
                    ("files_done", Schema.integer("Files handled.", minimum: 0)),
                    ("files_total", Schema.integer("Files in the job.", minimum: 0)),
                    ("chunks_done", Schema.integer("Chunks embedded and stored.", minimum: 0)),
                    ("chunks_total", Schema.integer("Chunks of the files parsed so far.", minimum: 0)),
                ])),
                ("counts", Schema.record("Tallies.", [
                    ("added", Schema.integer("Materials created.", minimum: 0)),
                    ("updated", Schema.integer("Materials re-indexed with new content.", minimum: 0)),
                    ("unchanged", Schema.integer("Content the owner already had.", minimum: 0)),
                    ("failed", Schema.integer("Files or records that failed (see errors).", minimum: 0)),
                    ("chunks", Schema.integer("Chunks written.", minimum: 0)),
                ])),
                ("errors", Schema.array(Schema.record("A failed file or record.", [
                    ("file", Schema.string("The file (and line, for records).")),
                    ("reason", Schema.string("Why.")),
                ]), "Per-file failures; the other files were processed.")),
                ("material_ids", Schema.array(Schema.integer("A material.", minimum: 1), "Materials the job's files became: "
                    + "created, updated, or already present with the same content (record files' materials appear as "
                    + "they are parsed).")),
            ])),
            ("Upload", Schema.record("An accepted upload.", [
                ("object", Schema.string("Always `upload`.", values: ["upload"])),
                ("job_id", Schema.integer("The job that processes it.", minimum: 1)),
                ("job", Schema.ref("Job")),
                ("files", Schema.array(Schema.record("One uploaded file.", [
                    ("filename", Schema.string("As uploaded.")),
                    ("status", Schema.string("queued: will be processed; unchanged: the owner already has this "
                        + "content; rejected: not a format Cairn reads.", values: ["queued", "unchanged", "rejected"])),
                    ("material_id", Schema.integer("The material it becomes (null for record files, which become one "
                        + "material per record, and for rejected files).", nullable: true, minimum: 1)),
                    ("size", Schema.integer("Bytes.", nullable: true, minimum: 0)),
                    ("sha256", Schema.string("SHA-256 of the bytes.", nullable: true)),
                    ("reason", Schema.string("Why it was rejected.", nullable: true)),
                ]), "Each file.")),
            ])),
            ("TextUpload", Schema.input("A text to index as one material.", required: ["text"], [
                ("text", Schema.string("The text.", minLength: 1)),
                ("format", Schema.string("How to read it (default text).", values: ["text", "markdown", "html"])),
                ("filename", Schema.string("A file name for it (default: the title and the format's extension); a name "
                    + "whose extension disagrees with the format is a 422.", maxLength: 255)),
                ("source_key", Schema.string("What identifies it across uploads: a later upload with the same key "
                    + "replaces it. Default `upload/<file name>` when `filename` or `title` is given, else "
                    + "`upload/text-<the first 16 hex digits of the text's SHA-256>`, so untitled texts never replace "
                    + "each other.", maxLength: 1_024)),
            ] + metadataFields())),
            ("MultipartUpload", Schema.input("Files, with metadata fields that apply to each of them.", required: ["file"],
                                             nullable: false, [
                ("file", ["type": "string", "contentMediaType": "application/octet-stream",
                          "description": "A file (repeat the part for several; any part with a filename is a file)."]),
                ("source_key", Schema.string("What identifies the material across uploads (one file only).",
                                             maxLength: 1_024)),
            ] + metadataFields(form: true))),
            ("BulkEntry", Schema.input("One server-side file with its metadata.", required: ["path"], [
                ("path", Schema.string("Absolute path under a configured bulk root.", maxLength: 4_096, pattern: "^/")),
            ] + metadataFields())),
            ("BulkRequest", Schema.adding("anyOf", [Schema.present("paths"), Schema.present("manifest_path"),
                                                    Schema.present("entries")], to: Schema.input(
                "Server-side files to index; give paths, a manifest or entries.", [
                ("paths", Schema.array(Schema.string("A file or directory.", maxLength: 4_096, pattern: "^/"), "Files and directories "
                    + "(walked recursively), absolute, under a bulk root.", minItems: 1, maxItems: 10_000)),
                ("manifest_path", Schema.string("A JSONL, CSV or JSON manifest on the server (as `cairn index "
                    + "--manifest` reads), under a bulk root.", maxLength: 4_096, pattern: "^/")),
                ("entries", Schema.array(Schema.ref("BulkEntry"), "Manifest entries given inline.", minItems: 1,
                                         maxItems: 100_000)),
                ("include", Schema.array(Schema.string("A glob (one that cannot be read is a 422)."),
                                         "Only files matching these globs.", minItems: 1, maxItems: 1_000)),
                ("exclude", Schema.array(Schema.string("A glob (one that cannot be read is a 422)."),
                                         "Skip files matching these globs.", minItems: 1, maxItems: 1_000)),
                ("defaults", Schema.input("Metadata for files that set none of their own.", metadataFields())),
            ]))),
            ("Bulk", Schema.record("An accepted bulk job.", [
                ("object", Schema.string("Always `bulk`.", values: ["bulk"])),
                ("job", Schema.ref("Job")),
                ("files_queued", Schema.integer("Files the job will read.", minimum: 0)),
                ("problems", Schema.array(Schema.record("A path that could not be used.", [
                    ("file", Schema.string("The path or manifest.")),
                    ("reason", Schema.string("Why.")),
                ]), "Paths and manifest lines left out.")),
            ])),
            ("Health", Schema.record("Liveness.", [("status", Schema.string("Always ok.", values: ["ok"]))])),
            ("Readiness", Schema.record("Whether the service can serve.", [
                ("status", Schema.string("Phase.", values: ["starting", "ready", "failed", "stopping"])),
                ("ready", Schema.boolean("True when the index is loaded and the store open.")),
                ("index", Schema.record("The chunk index.", [
                    ("loaded", Schema.boolean("Loaded.")),
                    ("vectors", Schema.integer("Vectors.", nullable: true, minimum: 0)),
                    ("wal_records", Schema.integer("Log records a restart would replay.", nullable: true, minimum: 0)),
                ])),
                ("store", Schema.record("The material store.", [
                    ("open", Schema.boolean("Open.")),
                    ("materials", Schema.integer("Completed materials.", nullable: true, minimum: 0)),
                    ("chunks", Schema.integer("Their chunks.", nullable: true, minimum: 0)),
                ])),
                ("queue", Schema.record("The ingestion queue.", [
                    ("queued", Schema.integer("Jobs waiting.", nullable: true, minimum: 0)),
                    ("running", Schema.integer("Jobs running.", nullable: true, minimum: 0)),
                ])),
                ("mirror", Schema.record("The PostgreSQL mirror (null when no database URL is configured); it never "
                    + "makes the service unready.", nullable: true, [
                    ("lag_changes", Schema.integer("Changes waiting in the outbox.", minimum: 0)),
                    ("lag_seconds", Schema.number("Seconds since the oldest waiting change was committed.", minimum: 0)),
                    ("last_error", Schema.string("The last failure to reach or write PostgreSQL, until a write succeeds.",
                                                 nullable: true)),
                    ("last_success", Schema.string("When changes were last applied (RFC 3339).", nullable: true)),
                    ("rejected_rows", Schema.integer("Rows PostgreSQL refused, set aside (`cairn mirror status` lists "
                        + "them; `cairn mirror resync` tries them again).", minimum: 0)),
                ])),
                ("recall", Schema.record("The last recall check since the start (null before the first); a tenant "
                    + "below the floor never makes the service unready.", nullable: true, [
                    ("checked_at", Schema.string("When it started (RFC 3339).", format: "date-time")),
                    ("overall", Schema.number("Recall@k of the whole index, unfiltered.", nullable: true, minimum: 0,
                                              maximum: 1)),
                    ("floor", Schema.number("The configured floor.", minimum: 0, maximum: 1)),
                    ("tenants_checked", Schema.integer("Tenants checked.", minimum: 0)),
                    ("tenants_below_floor", Schema.array(Schema.string("A tenant."), "Tenants below the floor.")),
                ])),
            ])),
            ("RecallSample", Schema.record("Recall of one population (a tenant's chunks or the whole index).", [
                ("chunks", Schema.integer("Chunks the searches could return.", minimum: 0)),
                ("queries", Schema.integer("Queries asked: sampled stored chunk vectors and logged questions.",
                                           minimum: 0)),
                ("logged_queries", Schema.integer("Of them, past questions from the retrieval log.", minimum: 0)),
                ("recall", Schema.number("Mean recall@k of the live search against exact search.", minimum: 0,
                                         maximum: 1)),
                ("worst", Schema.number("The lowest recall of one query.", minimum: 0, maximum: 1)),
                ("exact_scans", Schema.integer("Queries the live search answered by an exact scan (a filter within "
                    + "the index's full-scan threshold): recall 1 by construction.", minimum: 0)),
                ("below_floor", Schema.boolean("Whether the recall is below the floor.")),
            ])),
            ("RecallCheck", Schema.record("The live index's answers against exact search, per tenant and overall.", [
                ("object", Schema.string("Always `recall_check`.", values: ["recall_check"])),
                ("started_at", Schema.string("When it started (RFC 3339).", format: "date-time")),
                ("seconds", Schema.number("How long it took.", minimum: 0)),
                ("k", Schema.integer("Recall@k's k.", minimum: 1)),
                ("ef_search", Schema.integer("The ef of the live searches.", minimum: 1)),
                ("floor", Schema.number("The floor.", minimum: 0, maximum: 1)),
                ("overall", ["description": "The whole index, unfiltered (null when not asked).",
                             "anyOf": [Schema.ref("RecallSample"), ["type": "null"]]]),
                ("tenants", ["type": "object", "description": "Per tenant (owner id).",
                             "additionalProperties": Schema.ref("RecallSample")]),
                ("tenants_not_checked", Schema.integer("Tenants the time budget did not reach.", minimum: 0)),
                ("below_floor", Schema.array(Schema.string("A tenant."), "Tenants below the floor, by name.")),
                ("failed", Schema.boolean("Whether the whole index or a tenant is below the floor.")),
            ])),
            ("BenchmarkFigure", Schema.record("One number a nightly run measured, with its peer's from the same run.", [
                ("key", Schema.string("`section/name`: how rules and reports name it.")),
                ("section", Schema.string("The benchmark section.",
                                          values: ["index", "filtered", "embed", "ingest", "serve", "quality"])),
                ("name", Schema.string("The figure's name within its section, stable from run to run.")),
                ("kind", Schema.string("What it measures (decides which direction is better).",
                                       values: ["throughput", "latency", "recall", "quality", "size", "info"])),
                ("value", Schema.number("Cairn's value.", nullable: true)),
                ("unit", Schema.string("`q/s`, `s`, `ms`, `recall`, `bytes`, …")),
                ("peer", Schema.string("The peer measured beside it.", nullable: true)),
                ("peer_value", Schema.number("The peer's value.", nullable: true)),
                ("ratio", Schema.number("Cairn against the peer (above 1: Cairn ahead).", nullable: true)),
            ])),
            ("BenchmarkRun", Schema.record("One run of `cairn bench nightly`.", [
                ("object", Schema.string("Always `benchmark_run`.", values: ["benchmark_run"])),
                ("id", Schema.integer("The history's id.", minimum: 1)),
                ("started_at", Schema.string("When it started (RFC 3339).")),
                ("commit", Schema.string("The commit of the build that ran.")),
                ("machine", Schema.record("The machine; runs are compared only with runs of the same kind.", [
                    ("kind", Schema.string("CPU model · SIMD level · cores.")),
                    ("cpu_model", Schema.string("The CPU's model name.")),
                    ("simd", Schema.string("The widest vector instructions the kernels use.")),
                    ("blas_core", Schema.string("The kernel OpenBLAS runs.")),
                    ("cores", Schema.integer("Cores the process could use.", minimum: 0)),
                    ("memory_gib", Schema.number("Memory.", nullable: true)),
                ])),
                ("load_before", Schema.number("1-minute load average before the first section.", nullable: true)),
                ("load_after", Schema.number("1-minute load average after the last section.", nullable: true)),
                ("wall_seconds", Schema.number("The run's wall time.", nullable: true)),
                ("sections", Schema.array(Schema.record("One section.", [
                    ("name", Schema.string("The section.")),
                    ("status", Schema.string("How it ended.", values: ["ok", "failed", "skipped"])),
                    ("seconds", Schema.number("Its wall time.", nullable: true)),
                    ("detail", Schema.string("Why it failed or was skipped, or what it measured.", nullable: true)),
                    ("missing_peers", Schema.array(Schema.string("A peer."),
                                                   "Peers that could not be set up or run here.")),
                    ("curves", Schema.array(Schema.record("An engine's recall–throughput curve.", [
                        ("engine", Schema.string("cairn, cairn int8, hnswlib, faiss, usearch, pgvector …")),
                        ("dataset", Schema.string("The dataset and build (`100k/64`).")),
                        ("points", Schema.array(Schema.record("One ef_search.", [
                            ("ef", Schema.integer("ef_search.", minimum: 0)),
                            ("recall", Schema.number("recall@10 against exact search.", nullable: true)),
                            ("qps", Schema.number("Single-thread queries per second.", nullable: true)),
                        ]), "Per ef_search.")),
                    ]), "Recall–throughput curves (the index section's).")),
                ]), "The sections in the order they ran.")),
                ("figures", Schema.array(Schema.ref("BenchmarkFigure"), "Everything measured.")),
                ("regressions", Schema.array(Schema.record("A figure that broke a rule.", [
                    ("figure", Schema.string("The figure's key.")),
                    ("rule", Schema.string("Which rule.", values: ["floor", "median"])),
                    ("value", Schema.number("The value judged (a ratio where a peer ran).", nullable: true)),
                    ("reference", Schema.number("The floor, or the median it was compared with.", nullable: true)),
                    ("worse_by", Schema.number("How much worse, as a fraction of the reference.", nullable: true)),
                    ("peer", Schema.string("The peer of a judged ratio.", nullable: true)),
                    ("against_runs", Schema.array(Schema.integer("A run id.", minimum: 1),
                                                  "The runs the median was taken over.")),
                    ("line", Schema.string("One line saying what, how much and against which runs.")),
                ]), "What the regression rules found.")),
            ])),
            ("BenchmarkRuns", Schema.record("The nightly benchmark history, newest first.", [
                ("object", Schema.string("Always `list`.", values: ["list"])),
                ("data", Schema.array(Schema.ref("BenchmarkRun"), "The runs.")),
            ])),
            ("Root", Schema.record("Where to start.", [
                ("service", Schema.string("Always cairn.")), ("openapi", Schema.string("This document.")),
                ("health", Schema.string("Liveness.")), ("ready", Schema.string("Readiness.")),
                ("metrics", Schema.string("Prometheus metrics.")), ("retrieve", Schema.string("The retrieval endpoint.")),
            ])),
        ]
    }

    /// The largest id a JSON number carries exactly.
    static let maxID = 9_007_199_254_740_991

    /// One schema per kind of comparison: text keys, `lang` (a language tag) and `material_id` (a number, or its
    /// decimal digits as a string), each with one value or, for in/nin, a list.
    static func comparisonVariants() -> [JSONValue] {
        let textKeys = MaterialAttribute.allCases.filter { !$0.isNumeric && $0 != .language }.map(\.rawValue)
        let equality = ["eq", "ne"], membership = ["in", "nin"]
        let text = Schema.string("A value.", maxLength: 1_024)
        let tag = Schema.string("A language tag.", maxLength: 64, pattern: languagePattern)
        let number: JSONValue = ["description": "A material id: a number, or its decimal digits as a string.",
                                 "anyOf": [["type": "number"], ["type": "string", "pattern": .string("^-?[0-9]{1,15}" + end)]]]
        func variant(_ keys: [String], _ ops: [String], _ value: JSONValue, list: Bool) -> JSONValue {
            Schema.input("A comparison.", required: ["key", "type", "value"], [
                ("key", Schema.string("The attribute.", values: keys)),
                ("type", Schema.string("The comparison.", values: ops)),
                ("value", list ? Schema.array(value, "Values.", maxItems: 1_000) : value),
            ])
        }
        return [
            variant(textKeys, equality, text, list: false), variant(textKeys, membership, text, list: true),
            variant(["lang"], equality, tag, list: false), variant(["lang"], membership, tag, list: true),
            variant(["material_id"], equality + ["gt", "gte", "lt", "lte"], number, list: false),
            variant(["material_id"], membership, number, list: true),
        ]
    }

    static func list(_ item: String, _ description: String) -> JSONValue {
        Schema.record(description, [
            ("object", Schema.string("Always `list`.", values: ["list"])),
            ("data", Schema.array(Schema.ref(item), "The items, in id order.")),
            ("has_more", Schema.boolean("Whether another page follows.")),
            ("next_cursor", Schema.string("Pass as `cursor` for the next page.", nullable: true)),
        ])
    }

    /// The ranking fields of a retrieval (also taken by /v1/prompt and /v1/answer).
    static var retrievalRankingFields: [(String, JSONValue)] {
        [
            ("mode", Schema.string("vector, keyword (BM25) or hybrid (reciprocal-rank fusion of both); default: the "
                + "server's retrieval.mode (hybrid), or vector when only an embedding is given.",
                values: RetrievalMode.allCases.map(\.rawValue))),
            ("weights", Schema.input("The rankings' weights in hybrid mode (default 1 each).", [
                ("vector", Schema.number("Weight of the vector ranking.", minimum: 0, maximum: 100)),
                ("keyword", Schema.number("Weight of the keyword ranking.", minimum: 0, maximum: 100)),
            ])),
            ("diversify", Schema.boolean("Spread results across materials (maximal marginal relevance).")),
            ("mmr_lambda", Schema.number("MMR's λ: 1 ranks by relevance only, 0 spreads most (default: the server's "
                + "retrieval.mmr_lambda, 0.5).", minimum: 0, maximum: 1)),
        ]
    }
}
