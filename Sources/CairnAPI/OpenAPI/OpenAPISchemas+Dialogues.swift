import CairnIngest
import CairnDialogue
import CairnService

extension OpenAPISchemas {
    /// The dialogue module's request and response schemas.
    static func dialogues() -> [(String, JSONValue)] {
        let text = { (d: String, max: Int) in Schema.string(d, minLength: 1, maxLength: max) }
        let ms = { (d: String) in Schema.number(d, minimum: 0, maximum: 3_600_000) }
        return [
            ("DialogueRequest", Schema.input(
                "One answer of an AI coach, to be recorded with its citations resolved, priced and measured.",
                required: ["user_id", "session_id", "query", "response", "model_used", "latency_ms", "prompt_tokens",
                           "completion_tokens"], [
                    ("user_id", text("The student.", 256)),
                    ("session_id", text("The conversation.", 256)),
                    ("query", text("The student's question.", 32_768)),
                    ("response", Schema.string("The coach's answer, with citation markers such as [1].",
                                               maxLength: DialogueRoutes.textLimit)),
                    ("model_used", text("The chat model that wrote the answer (its price comes from the price table).", 256)),
                    ("retrieval_id", Schema.string("The /v1/retrieve call the answer's context came from.",
                                                   pattern: "^ret_[0-9a-f]{28}" + end)),
                    ("citations", Schema.array(Schema.ref("CitationInput"), "The chunks the answer cites.",
                                               maxItems: DialogueStore.maxCitations)),
                    ("latency_ms", Schema.input("Where the time went, in milliseconds.", required: ["total"], [
                        ("retrieval", ms("Retrieving the context (default: the joined retrieval's own time).")),
                        ("generation", ms("The model writing the answer.")),
                        ("total", ms("From question to answer.")),
                    ])),
                    ("prompt_tokens", Schema.integer("Tokens of the prompt.", minimum: 0, maximum: 100_000_000)),
                    ("completion_tokens", Schema.integer("Tokens of the answer.", minimum: 0, maximum: 100_000_000)),
                    ("temperature", Schema.number("The sampling temperature.", minimum: 0, maximum: 2)),
                    ("context_window_size", Schema.integer("The model's context window in tokens.", minimum: 0,
                                                           maximum: 100_000_000)),
                    ("relevance_score", Schema.number("How relevant the answer was judged (0 to 1).", minimum: 0,
                                                      maximum: 1)),
                    ("tenant", text("The tenant (admin keys; coach keys record their own).", 256)),
                    ("created_at", Schema.string("When it was answered (admin keys, to import past answers; default now).",
                                                 format: "date-time")),
                ])),
            ("CitationInput", Schema.input("One citation.", required: ["chunk_id"], [
                ("chunk_id", Schema.integer("The cited chunk (from the retrieval's results).", minimum: 1,
                                            maximum: 9_007_199_254_740_991)),
                ("marker", Schema.string("The marker as written in the response, such as [2].", maxLength: 32)),
                ("quote", Schema.string("Text the answer quotes from the chunk.", maxLength: 4_096)),
            ])),
            ("FeedbackRequest", Schema.input("The student's verdict on an answer.", required: ["user_feedback"], [
                ("user_feedback", Schema.integer("-1 (bad), 0 (neutral) or 1 (good).", minimum: -1, maximum: 1)),
            ])),
            ("Dialogue", dialogue()),
            ("PromptRequest", Schema.input("A question and how to retrieve its context.", required: ["query"],
                                           promptFields)),
            ("AnswerRequest", Schema.input("A student's question for Cairn to answer with the configured chat model.",
                                           required: ["query", "user_id", "session_id"], promptFields + [
                ("user_id", text("The student.", 256)),
                ("session_id", text("The conversation.", 256)),
                ("temperature", Schema.number("Sampling temperature (default: the llm.temperature setting).", minimum: 0,
                                              maximum: 2)),
            ])),
            ("Prompt", Schema.record("The rendered prompt and which marker stands for which chunk.", [
                ("object", Schema.string("Always `prompt`.", values: ["prompt"])),
                ("retrieval_id", Schema.string("The retrieval the context came from (give it to POST /v1/dialogues).")),
                ("language", Schema.string("The question's detected language.", nullable: true)),
                ("messages", Schema.array(Schema.record("A chat message.", [
                    ("role", Schema.string("system or user.", values: ["system", "user"])),
                    ("content", Schema.string("The text.")),
                ]), "Chat messages for an OpenAI-compatible model.")),
                ("citation_map", Schema.array(Schema.record("One numbered source.", [
                    ("marker", Schema.string("As the answer writes it: [1].")),
                    ("number", Schema.integer("The number (the chunk's rank).", minimum: 1)),
                    ("chunk_id", Schema.integer("The chunk.")), ("material_id", Schema.integer("Its material.")),
                    ("title", Schema.string("The material's title.")),
                    ("page_number", Schema.integer("First page.", nullable: true)),
                    ("source_uri", Schema.string("Where it came from.", nullable: true)),
                    ("license_type", Schema.string("Its licence.", nullable: true)),
                    ("similarity", Schema.number("Similarity to the question.")),
                ]), "The numbered sources, in order.")),
                ("model", Schema.string("The configured chat model, if any.", nullable: true)),
            ])),
            ("Answer", Schema.record("The model's answer and the dialogue Cairn recorded for it.", [
                ("object", Schema.string("Always `answer`.", values: ["answer"])),
                ("answer", Schema.string("The answer, with citation markers.")),
                ("unknown_markers", Schema.array(Schema.integer("A number no source has."),
                                                 "Markers in the answer that name no context chunk.")),
                ("attempts", Schema.integer("Requests made to the model (retries included).", minimum: 1)),
                ("dialogue", Schema.ref("Dialogue")),
            ])),
            ("DailyMetrics", dailyMetrics()),
            ("RagMetrics", Schema.record("Daily figures per tenant from rag_metrics_history (written by the rollup).", [
                ("object", Schema.string("Always `list`.", values: ["list"])),
                ("from", Schema.string("First day.", format: "date")),
                ("to", Schema.string("Last day.", format: "date")),
                ("data", Schema.array(Schema.ref("DailyMetrics"), "By day, then tenant.")),
            ])),
            ("Purge", Schema.record("What a retention run or an erasure removed.", [
                ("object", Schema.string("What ran.", values: ["retention_run", "user_erasure"])),
                ("materials", Schema.integer("Materials deleted from index, store and mirror.", minimum: 0)),
                ("chunks", Schema.integer("Their chunks.", minimum: 0)),
                ("embedding_cache_entries", Schema.integer("Cached embeddings of their texts removed.", minimum: 0)),
                ("dialogues", Schema.integer("Dialogue records deleted.", minimum: 0)),
                ("retrievals", Schema.integer("Retrieval records deleted.", minimum: 0)),
                ("audit_id", Schema.integer("The audit record (null: nothing to purge).", nullable: true)),
            ])),
            ("DialogueList", Schema.record("A page of dialogues, newest first.", [
                ("object", Schema.string("Always `list`.", values: ["list"])),
                ("data", Schema.array(Schema.ref("Dialogue"), "The dialogues, newest first.")),
                ("has_more", Schema.boolean("Whether another page follows.")),
                ("next_cursor", Schema.string("Pass as `cursor` for the next page.", nullable: true)),
            ])),
        ]
    }

    /// The retrieval fields a prompt or an answer takes (a question, never an embedding).
    static var promptFields: [(String, JSONValue)] {
        [
            ("query", question("The student's question")),
            ("top_k", Schema.integer("How many chunks of context (default 5).", minimum: 1, maximum: RetrievalRequest.maxTopK)),
            ("filters", Schema.ref("Filters")),
            ("min_similarity", Schema.number("Leave out chunks below this cosine similarity.", minimum: -1, maximum: 1)),
            ("ef_search", Schema.integer("HNSW candidate-list size.", minimum: 1, maximum: 10_000)),
        ] + retrievalRankingFields
    }

    static func dailyMetrics() -> JSONValue {
        let n = { (d: String) in Schema.number(d, nullable: true) }
        let yen = { (d: String, nullable: Bool) in
            Schema.string(d, nullable: nullable, pattern: "^[0-9]+\\.[0-9]{2}" + end)
        }
        return Schema.record("One UTC day of one tenant's answers.", [
            ("day", Schema.string("The day.", format: "date")),
            ("tenant", Schema.string("The tenant.")),
            ("answers", Schema.integer("Answers recorded.", minimum: 0)),
            ("unique_users", Schema.integer("Students.", minimum: 0)),
            ("citation_rate_mean", n("Mean citation rate.")),
            ("citations_per_answer", n("Mean citations per answer.")),
            ("answers_without_citation", Schema.integer("Answers citing nothing.", minimum: 0)),
            ("latency_p50_ms", n("Exact nearest-rank p50 of total latency.")),
            ("latency_p95_ms", n("p95.")),
            ("latency_p99_ms", n("p99.")),
            ("cost_per_answer_jpy", yen("Total cost over priced answers, per priced answer.", true)),
            ("total_cost_jpy", yen("Cost of the priced answers.", false)),
            ("unpriced_answers", Schema.integer("Answers of models without a price.", minimum: 0)),
            ("relevance_mean", n("Mean relevance score.")),
            ("feedback", Schema.record("Feedback counts.", [
                ("positive", Schema.integer("1s.", minimum: 0)), ("neutral", Schema.integer("0s.", minimum: 0)),
                ("negative", Schema.integer("-1s.", minimum: 0)),
            ])),
            ("slo_compliance", Schema.array(Schema.record("One objective.", [
                ("metric", Schema.string("The metric.", values: ServiceLevelObjective.Metric.allCases.map(\.rawValue))),
                ("comparison", Schema.string("<= or >=.", values: ["<=", ">="])),
                ("target", Schema.number("The target.")),
                ("actual", n("The day's value.")),
                ("met", Schema.boolean("Whether it was met (null: nothing to judge).", nullable: true)),
            ]), "Each configured objective.")),
            ("all_met", Schema.boolean("Every judged objective met.", nullable: true)),
            ("computed_at", Schema.string("When the rollup computed it.")),
        ])
    }

    static func dialogue() -> JSONValue {
        let n = { (d: String) in Schema.number(d, nullable: true) }
        let provenance = Schema.record("The cited material's provenance when the answer was recorded.", [
            ("source_uri", Schema.string("Where it came from.", nullable: true)),
            ("license_type", Schema.string("Its licence.")),
            ("acquisition_method", Schema.string("How it came to Cairn.")),
            ("content_type", Schema.string("What kind of content it is.")),
            ("acquired_at", Schema.string("When it was acquired.", nullable: true)),
        ])
        let citation = Schema.record("A citation resolved against the store.", [
            ("chunk_id", Schema.integer("The chunk.")),
            ("marker", Schema.string("The marker given.", nullable: true)),
            ("marker_in_response", Schema.boolean("Whether the marker occurs in the response.", nullable: true)),
            ("material_id", Schema.integer("The chunk's material.")),
            ("material_title", Schema.string("The material's title.")),
            ("external_id", Schema.string("The material's external id.", nullable: true)),
            ("owner_id", Schema.string("The material's tenant.")),
            ("page_number", Schema.integer("First page.", nullable: true)),
            ("page_end", Schema.integer("Last page.", nullable: true)),
            ("char_start", Schema.integer("Start in the material's text (Unicode scalars).")),
            ("char_end", Schema.integer("End in the material's text (exclusive).")),
            ("heading_path", Schema.array(Schema.string("A heading."), "The headings above the chunk.")),
            ("in_retrieval", Schema.boolean("Whether the joined retrieval returned this chunk (null: no retrieval).",
                                            nullable: true)),
            ("rank", Schema.integer("Its rank in the retrieval.", nullable: true)),
            ("similarity", n("Its similarity in the retrieval.")),
            ("quote", Schema.string("The quote given.", nullable: true)),
            ("quote_found", Schema.boolean("Whether the quote is in the chunk's text.", nullable: true)),
            ("quote_match", Schema.string("How it was found.", nullable: true, values: ["exact", "normalized"])),
            ("quote_char_start", Schema.integer("The quote's start in the material's text.", nullable: true)),
            ("quote_char_end", Schema.integer("The quote's end in the material's text.", nullable: true)),
            ("provenance", provenance),
        ])
        return Schema.record("One recorded answer, completed by Cairn.", [
            ("object", Schema.string("Always `dialogue`.", values: ["dialogue"])),
            ("id", Schema.integer("The dialogue's id.", minimum: 1)),
            ("tenant", Schema.string("The tenant.")),
            ("user_id", Schema.string("The student.")),
            ("session_id", Schema.string("The conversation.")),
            ("retrieval_id", Schema.string("The joined retrieval.", nullable: true)),
            ("query", Schema.string("The question.")),
            ("response", Schema.string("The answer.")),
            ("model_used", Schema.string("The chat model.")),
            ("citations", Schema.array(citation, "The citations, resolved.")),
            ("retrieved_chunks", Schema.array(Schema.record("One of the retrieval's results.", [
                ("rank", Schema.integer("Its rank.")), ("chunk_id", Schema.integer("The chunk.")),
                ("material_id", Schema.integer("Its material.")), ("similarity", Schema.number("Its similarity.")),
                ("cited", Schema.boolean("Whether the answer cited it.")),
            ]), "The joined retrieval's results, and which were cited.")),
            ("citation_count", Schema.integer("Citations.", minimum: 0)),
            ("sentence_count", Schema.integer("Sentences in the response.", minimum: 0)),
            ("cited_sentences", Schema.integer("Sentences with a citation marker.", minimum: 0)),
            ("citation_rate", Schema.number("cited_sentences / sentence_count (0 without sentences).", minimum: 0,
                                            maximum: 1)),
            ("latency_ms", Schema.record("Milliseconds.", [
                ("retrieval", n("Retrieval.")), ("generation", n("Generation.")), ("total", Schema.number("Total.")),
            ])),
            ("prompt_tokens", Schema.integer("Prompt tokens.")),
            ("completion_tokens", Schema.integer("Completion tokens.")),
            ("total_tokens", Schema.integer("Their sum.")),
            ("token_cost_jpy", Schema.string("Cost in yen, two decimals, exact (null: the model has no price).",
                                             nullable: true, pattern: "^[0-9]+\\.[0-9]{2}" + end)),
            ("temperature", n("Sampling temperature.")),
            ("context_window_size", Schema.integer("Context window.", nullable: true)),
            ("relevance_score", n("Relevance, 0 to 1.")),
            ("user_feedback", Schema.integer("-1, 0 or 1.", nullable: true, minimum: -1, maximum: 1)),
            ("feedback_at", Schema.string("When feedback was given.", nullable: true)),
            ("origin", Schema.string("Recorded by a backend or answered by Cairn.", values: ["recorded", "answered"])),
            ("created_at", Schema.string("When it was answered.")),
        ])
    }
}
