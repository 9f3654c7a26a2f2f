import CairnIngest
import CairnService

/// The OpenAPI 3.1 description of every route, request and response, served at `/openapi.json`.
///
/// Tests check every response the API gives against the schema this document names for its route and
/// status, so the document cannot drift from what the server does.
enum OpenAPIDocument {
    static func make(service: CairnService) -> JSONValue {
        let errors: [Int] = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503]
        func op(_ summary: String, _ description: String, tag: String, public isPublic: Bool = false,
                parameters: [JSONValue] = [], body: JSONValue? = nil, ok: (Int, String, String?),
                errorCodes: [Int] = errors) -> JSONValue {
            var fields: [(String, JSONValue)] = [
                ("summary", .string(summary)), ("description", .string(description)), ("tags", [.string(tag)]),
            ]
            fields.append(("operationId", .string(summary.split(separator: " ").map {
                $0.prefix(1).uppercased() + $0.dropFirst() }.joined().prefix(1).lowercased()
                + summary.split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined().dropFirst())))
            if isPublic { fields.append(("security", [])) }
            if !parameters.isEmpty { fields.append(("parameters", .array(parameters))) }
            if let body { fields.append(("requestBody", body)) }
            var responses: [(String, JSONValue)] = []
            let content: JSONValue = ok.2.map { ["application/json": ["schema": Schema.ref($0)]] } ?? [:]
            responses.append((String(ok.0), ok.2 == nil ? ["description": .string(ok.1)]
                : ["description": .string(ok.1), "content": content]))
            for code in errorCodes {
                responses.append((String(code), ["description": .string(Self.reason(code)),
                                                 "content": ["application/json": ["schema": Schema.ref("Error")]]]))
            }
            fields.append(("responses", .object(responses)))
            return .object(fields)
        }
        func jsonBody(_ schema: String, _ description: String) -> JSONValue {
            ["required": true, "description": .string(description),
             "content": ["application/json": ["schema": Schema.ref(schema)]]]
        }
        let id: JSONValue = ["name": "id", "in": "path", "required": true, "description": "The id.",
                             "schema": ["type": "integer", "minimum": 1]]
        func query(_ name: String, _ description: String, _ schema: JSONValue) -> JSONValue {
            ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
        }
        let cursor = query("cursor", "The `next_cursor` of the previous page.",
                           ["type": "string", "pattern": .string("^[0-9]{1,18}" + OpenAPISchemas.end)])
        let limit = query("limit", "Items per page (default 100).", ["type": "integer", "minimum": 1, "maximum": 1000])
        let time: JSONValue = ["anyOf": [["type": "string", "format": "date"], ["type": "string", "format": "date-time"]]]
        let (modelID, dimension) = service.model
        let paths: JSONValue = [
            "/v1/retrieve": ["post": op(
                "Retrieve chunks", "The top-k chunks for a question, filtered by tenant, material, topic, tags, "
                    + "language, content type and licence, ranked by vector similarity, BM25 or their fusion (hybrid, "
                    + "the default), with citations, provenance and grounding signals. Coach keys see only their "
                    + "tenant's chunks: the tenant restricts the candidate set inside both indexes.",
                tag: "retrieval", body: jsonBody("RetrieveRequest", "The question and filters."),
                ok: (200, "The chunks.", "Retrieval"), errorCodes: [400, 401, 403, 413, 415, 422, 429, 500, 503])],
            "/v1/embeddings": ["post": op(
                "Create embeddings", "OpenAI-compatible: the vectors of the model the index holds for one text or up to "
                    + "2,048, as floats or as base64 of little-endian float32 (what OpenAI's Python client asks for). "
                    + "Inputs longer than the model's token limit are truncated; token-id inputs are refused.",
                tag: "openai", body: jsonBody("EmbeddingsRequest", "The texts and the model."),
                ok: (200, "One vector per input, in order.", "EmbeddingList"),
                errorCodes: [400, 401, 404, 413, 415, 429, 500, 503])],
            "/v1/vector_stores/{vector_store_id}/search": ["post": op(
                "Search vector store", "OpenAI-compatible vector-store search, where a vector store is a tenant's "
                    + "materials (its id is the owner_id; another tenant's, for a coach key, is a 404). Filters compare "
                    + "the materials' attributes: " + MaterialAttribute.allCases.map(\.rawValue).joined(separator: ", ")
                    + ". Each result's attributes carry Cairn's locators (chunk_id, page_number, char_start, char_end, "
                    + "heading_path) and provenance. The OpenAI-Beta header is accepted and ignored.",
                tag: "openai", parameters: [[
                    "name": "vector_store_id", "in": "path", "required": true,
                    "description": "The tenant (owner_id) whose materials are searched.",
                    "schema": ["type": "string", "minLength": 1, "maxLength": 256],
                ]], body: jsonBody("VectorStoreSearchRequest", "The question and filters."),
                ok: (200, "The chunks, best first.", "VectorStoreSearchPage"),
                errorCodes: [400, 401, 404, 413, 415, 422, 429, 500, 503])],
            "/v1/materials": [
                "get": op("List materials", "Materials in id order, a page at a time (coach keys: their tenant's).",
                          tag: "materials", parameters: [
                              query("owner_id", "Only this tenant's.", ["type": "string"]),
                              query("status", "Only this status.", ["type": "string",
                                  "enum": .array(MaterialStatus.allCases.map { .string($0.rawValue) })]),
                              cursor, limit,
                          ], ok: (200, "A page.", "MaterialList"), errorCodes: [400, 401, 403, 429, 500, 503]),
                "post": op("Upload materials", "Files as multipart/form-data (one or more `file` parts plus metadata "
                    + "fields), or a text as JSON. The bytes are stored durably before the 202; a job processes them "
                    + "(admin keys only).", tag: "materials", body: [
                        "required": true, "description": "Files or a text.",
                        "content": [
                            "multipart/form-data": ["schema": Schema.ref("MultipartUpload")],
                            "application/json": ["schema": Schema.ref("TextUpload")],
                        ],
                    ], ok: (202, "Queued.", "Upload"), errorCodes: [400, 401, 403, 413, 415, 422, 429, 500, 503]),
            ],
            "/v1/materials/{id}": [
                "get": op("Get material", "One material with its provenance.", tag: "materials", parameters: [id],
                          ok: (200, "The material.", "Material"), errorCodes: [400, 401, 404, 429, 500, 503]),
                "delete": op("Delete material", "Removes the material and its chunks from the store and the index in "
                    + "one step (admin keys only).", tag: "materials", parameters: [id],
                    ok: (200, "Deleted.", "Deleted"), errorCodes: [400, 401, 403, 404, 409, 429, 500, 503]),
            ],
            "/v1/materials/{id}/chunks": ["get": op(
                "List chunks", "A material's chunks in order, a page at a time.", tag: "materials",
                parameters: [id, cursor, limit], ok: (200, "A page.", "ChunkList"),
                errorCodes: [400, 401, 404, 429, 500, 503])],
            "/v1/materials/{id}/text": ["get": op(
                "Get material text", "The extracted text every chunk's offsets point into.", tag: "materials",
                parameters: [id], ok: (200, "The text.", "MaterialText"), errorCodes: [400, 401, 404, 409, 429, 500, 503])],
            "/v1/jobs/{id}": ["get": op(
                "Get job", "An ingest job's status, progress, tallies, per-file errors and materials.", tag: "jobs",
                parameters: [id], ok: (200, "The job.", "Job"), errorCodes: [400, 401, 404, 429, 500, 503])],
            "/v1/jobs/{id}/cancel": ["post": op(
                "Cancel job", "Cancels a queued job at once, a running one after its current batch (admin keys only).",
                tag: "jobs", parameters: [id], ok: (200, "The job.", "Job"),
                errorCodes: [400, 401, 403, 404, 409, 429, 500, 503])],
            "/v1/bulk": ["post": op(
                "Start bulk job", "Indexes server-side files under the configured bulk roots (admin keys only); a path "
                    + "outside them is a 403.", tag: "jobs", body: jsonBody("BulkRequest", "What to index."),
                ok: (202, "Queued.", "Bulk"), errorCodes: [400, 401, 403, 413, 415, 422, 429, 500, 503])],
            "/v1/dialogues": [
                "post": op("Record dialogue", "Records one answer of an AI coach: Cairn resolves each citation against the "
                    + "store (material, title, page, char range, rank and similarity in the joined retrieval), snapshots "
                    + "its provenance, checks quotes against the chunk, prices the tokens and measures the citation rate. "
                    + "An unknown or another tenant's chunk is a 422 naming it.", tag: "dialogues",
                    body: jsonBody("DialogueRequest", "The answer."), ok: (201, "Recorded.", "Dialogue"),
                    errorCodes: [400, 401, 403, 413, 415, 422, 429, 500, 503]),
                "get": op("List dialogues", "Recorded answers, newest first, a page at a time (coach keys: their tenant's).",
                          tag: "dialogues", parameters: [
                              query("tenant", "Only this tenant's.", ["type": "string"]),
                              query("user_id", "Only this student's.", ["type": "string"]),
                              query("session_id", "Only this conversation's.", ["type": "string"]),
                              query("from", "Answered at or after (RFC 3339 date or date-time).", time),
                              query("to", "Answered before (RFC 3339 date or date-time).", time),
                              cursor, limit,
                          ], ok: (200, "A page.", "DialogueList"), errorCodes: [400, 401, 403, 429, 500, 503]),
            ],
            "/v1/dialogues/{id}": ["get": op(
                "Get dialogue", "One recorded answer with its resolved citations.", tag: "dialogues", parameters: [id],
                ok: (200, "The dialogue.", "Dialogue"), errorCodes: [400, 401, 404, 429, 500, 503])],
            "/v1/dialogues/{id}/feedback": ["post": op(
                "Give feedback", "The student's verdict on an answer: -1, 0 or 1.", tag: "dialogues", parameters: [id],
                body: jsonBody("FeedbackRequest", "The verdict."), ok: (200, "The dialogue.", "Dialogue"),
                errorCodes: [400, 401, 404, 413, 415, 429, 500, 503])],
            "/v1/prompt": ["post": op(
                "Render prompt", "Retrieves the question's context and renders the prompt templates (prompts/): the "
                    + "coach system prompt and the numbered chunks with their sources, plus the citation map from each "
                    + "marker to its chunk — for a backend that calls its own model and then records the answer with "
                    + "POST /v1/dialogues.", tag: "dialogues", body: jsonBody("PromptRequest", "The question."),
                ok: (200, "The prompt.", "Prompt"), errorCodes: [400, 401, 403, 413, 415, 422, 429, 500, 503])],
            "/v1/answer": ["post": op(
                "Answer question", "Retrieves, renders the prompt, asks the configured OpenAI-compatible chat model "
                    + "(llm.base_url; retried on 429, 5xx and time-outs), maps the markers it used to chunks and records "
                    + "the dialogue with the model's token usage. 501 when no chat model is configured.",
                tag: "dialogues", body: jsonBody("AnswerRequest", "The question and who asks."),
                ok: (200, "The answer and its dialogue record.", "Answer"),
                errorCodes: [400, 401, 403, 413, 415, 422, 429, 500, 501, 502, 503, 504])],
            "/v1/metrics/rag": ["get": op(
                "Get RAG metrics", "Daily figures per tenant from rag_metrics_history (coach keys: their tenant's): "
                    + "answers, students, citation rate, latency percentiles, cost, relevance, feedback and each "
                    + "objective's target, value and verdict. Default range: the 30 days up to today (UTC).",
                tag: "metrics", parameters: [
                    query("from", "First day (YYYY-MM-DD).", ["type": "string", "format": "date"]),
                    query("to", "Last day (YYYY-MM-DD).", ["type": "string", "format": "date"]),
                    query("tenant", "Only this tenant's.", ["type": "string"]),
                ], ok: (200, "The rows.", "RagMetrics"), errorCodes: [400, 401, 403, 422, 429, 500, 503])],
            "/v1/report": ["get": [
                "summary": "Get report", "operationId": "getReport", "tags": ["metrics"],
                "description": .string("One self-contained HTML page (inline SVG, no scripts or external assets): "
                    + "latency percentiles, citation rate and cost per day against the objectives, the most-cited "
                    + "materials and licences, and answers without citations, computed from the dialogue log now."),
                "parameters": [
                    query("from", "First day (YYYY-MM-DD).", ["type": "string", "format": "date"]),
                    query("to", "Last day (YYYY-MM-DD).", ["type": "string", "format": "date"]),
                    query("tenant", "Only this tenant's (coach keys: their own).", ["type": "string"]),
                ],
                "responses": .object([("200", ["description": "The page.",
                                               "content": ["text/html": ["schema": ["type": "string"]]]])]
                    + [400, 401, 403, 422, 429, 500, 503].map { code in
                        (String(code), ["description": .string(Self.reason(code)),
                                        "content": ["application/json": ["schema": Schema.ref("Error")]]])
                    }),
            ]],
            "/v1/retention/run": ["post": op(
                "Run retention", "Deletes every material whose retention_years after acquired_at (else created_at) "
                    + "has passed from the index, the store, the mirror and the embedding cache, and writes an audit "
                    + "record (admin keys; the server also runs it daily after 00:05 UTC).", tag: "governance",
                ok: (200, "What was removed.", "Purge"), errorCodes: [400, 401, 403, 429, 500, 503])],
            "/v1/recall-check": [
                "post": op("Run a recall check", "Asks the live chunk index stored chunk vectors of each tenant (and its "
                    + "last questions from the retrieval log) through the live search and as an exact scan, and "
                    + "reports recall@k per tenant and overall against the configured floor (admin keys; the server "
                    + "also runs it daily after 00:05 UTC; `recall_check.*` settings bound its cost). 409 while one "
                    + "runs.", tag: "governance", ok: (200, "The report.", "RecallCheck"),
                    errorCodes: [400, 401, 403, 409, 429, 500, 503]),
                "get": op("Last recall check", "The last recall check's report since the start (admin keys); 404 "
                    + "before the first.", tag: "governance", ok: (200, "The report.", "RecallCheck"),
                    errorCodes: [400, 401, 403, 404, 429, 500, 503]),
            ],
            "/v1/benchmarks": ["get": op(
                "Benchmark history", "The nightly benchmark runs recorded in this data directory (`cairn bench nightly "
                    + "--data-dir`), newest first: the machine, each section's time and missing peers, every figure "
                    + "with its peer's from the same run, the recall–throughput curves and the regressions (admin keys).",
                tag: "benchmarks", parameters: [
                    query("limit", "Runs to return (default 30).", ["type": "integer", "minimum": 1, "maximum": 1000]),
                ], ok: (200, "The runs.", "BenchmarkRuns"), errorCodes: [400, 401, 403, 429, 500, 503])],
            "/v1/benchmarks/report": ["get": [
                "summary": "Benchmark report", "operationId": "getBenchmarkReport", "tags": ["benchmarks"],
                "description": .string("One self-contained HTML page (inline SVG, no scripts or external assets) of the "
                    + "nightly history: the newest run's verdict, headline table and recall–throughput curves, trends of "
                    + "the key Cairn/peer ratios and the machine of each run (admin keys)."),
                "responses": .object([("200", ["description": "The page.",
                                               "content": ["text/html": ["schema": ["type": "string"]]]])]
                    + [400, 401, 403, 429, 500, 503].map { code in
                        (String(code), ["description": .string(Self.reason(code)),
                                        "content": ["application/json": ["schema": Schema.ref("Error")]]])
                    }),
            ]],
            "/v1/users/{user_id}/data": ["delete": op(
                "Erase user data", "Erases a user's dialogue records (and the retrievals they joined) and the materials "
                    + "they own from the index, the store, the mirror and the embedding cache; returns counts and "
                    + "leaves an audit record without the personal data (admin keys).", tag: "governance",
                parameters: [["name": "user_id", "in": "path", "required": true, "description": "The user.",
                              "schema": ["type": "string", "minLength": 1, "maxLength": 256]]],
                ok: (200, "What was removed.", "Purge"), errorCodes: [400, 401, 403, 429, 500, 503])],
            "/healthz": ["get": op("Health", "Whether the process is alive.", tag: "system", public: true,
                                   ok: (200, "Alive.", "Health"), errorCodes: [])],
            "/readyz": ["get": op("Readiness", "Whether the index is loaded and the store open (503 until then), with "
                + "the queue's depth.", tag: "system", public: true, ok: (200, "Ready.", "Readiness"), errorCodes: [])],
            "/metrics": ["get": [
                "summary": "Metrics", "operationId": "metrics", "tags": ["system"], "security": [],
                "description": .string("Prometheus text: requests and latency per route and status, embed and search "
                    + "latency, index size, chunks, materials, queue depth and jobs by status."),
                "responses": ["200": ["description": "Prometheus text format.",
                                      "content": ["text/plain": ["schema": ["type": "string"]]]]],
            ]],
            "/openapi.json": ["get": [
                "summary": "API description", "operationId": "openapi", "tags": ["system"], "security": [],
                "description": "This document.",
                "responses": ["200": ["description": "OpenAPI 3.1.",
                                      "content": ["application/json": ["schema": ["type": "object"]]]]],
            ]],
            "/": ["get": op("Root", "Where to start.", tag: "system", public: true, ok: (200, "Links.", "Root"),
                            errorCodes: [])],
        ]
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Cairn", "version": "1.0.0",
                "description": .string("Retrieval for AI coaches: the chunks of students' own materials that ground an "
                    + "answer, with citations and provenance; uploads and bulk indexing for admins. Embedding model: "
                    + "\(modelID)\(dimension.map { " (\($0) dimensions)" } ?? ""). Errors use OpenAI's shape "
                    + "{\"error\": {message, type, param, code}}; every response carries X-Request-Id."),
            ],
            "servers": [["url": .string(service.configuration.baseURL)]],
            "security": [["bearerAuth": []]],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer",
                                                   "description": "An API key from `cairn keys create`."]],
                "schemas": .object(OpenAPISchemas.all(dimension: dimension)),
            ],
        ]
    }

    static func reason(_ code: Int) -> String {
        switch code {
        case 400: "A field is missing, of the wrong type or out of range (`param` names it)."
        case 401: "No API key, or an unknown or revoked one."
        case 403: "The key may not do this, or not for that tenant."
        case 404: "No such resource (another tenant's ids are not found either)."
        case 409: "The resource's state does not allow this."
        case 413: "The body is over the configured limit."
        case 415: "The body's media type is not one this route reads."
        case 422: "Nothing in it can be processed."
        case 429: "The key's rate limit is exceeded (see Retry-After)."
        case 500: "Cairn failed; the message gives the request id, the server log the details."
        case 501: "This server is not configured for it (the message names the setting)."
        case 502: "The chat model endpoint failed or answered nonsense."
        case 503: "The service is starting or its queue is full (see Retry-After)."
        case 504: "The chat model endpoint did not answer in time."
        default: "Error."
        }
    }
}
