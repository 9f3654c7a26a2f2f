public import CairnDialogue
import CairnIngest
public import Foundation
import Logging
import Metrics

/// A prompt rendered for a question: the retrieval it came from and the numbered chunks.
public struct PromptResult: Sendable {
    public var retrieval: RetrievalResult
    public var prompt: RenderedPrompt
    /// The question's detected language, if any.
    public var language: String?
}

/// What `POST /v1/answer` did.
public struct AnswerResult: Sendable {
    public var answer: String
    public var dialogue: StoredDialogue
    /// Markers in the answer that name no context chunk (`[7]` with five chunks).
    public var unknownMarkers: [Int]
    public var attempts: Int
}

extension CairnService {
    /// Retrieves for `request` and renders the prompt templates over the chunks, numbered by rank.
    public func prompt(_ request: RetrievalRequest, as identity: Identity) async throws(ServiceError) -> PromptResult {
        let parts = try parts()
        guard let question = request.query, !question.isEmpty else {
            throw ServiceError(.invalid, "\"query\" is missing: a prompt needs the question", field: "query")
        }
        let retrieval = try await retrieve(request, as: identity)
        let language = LanguageDetector.detect(question)
        let chunks = retrieval.chunks.map { hit in
            PromptChunk(marker: hit.rank, chunkID: hit.chunk.chunkID.rawValue, materialID: hit.chunk.materialID.rawValue,
                        title: hit.chunk.title, pageNumber: hit.chunk.pageNumber, heading: hit.chunk.headingPath.last,
                        sourceURI: hit.chunk.sourceURI, license: hit.chunk.licenseType, content: hit.chunk.content,
                        similarity: RetrievalLog.decimal(hit.similarity))
        }
        let rendered = parts.prompts.render(question: question, chunks: chunks, language: language,
                                            tenant: identity.tenant?.rawValue ?? request.filter.owner)
        return PromptResult(retrieval: retrieval, prompt: rendered, language: language)
    }

    /// The setting `/v1/answer` needs, when it is missing.
    public var answerUnavailableReason: String? {
        configuration.llm.baseURL == nil
            ? "POST /v1/answer needs a chat model: set llm.base_url (CAIRN_LLM_URL) to an OpenAI-compatible API and "
                + "llm.model (CAIRN_LLM_MODEL). Without one, POST /v1/prompt renders the prompt and its citation map for "
                + "your own model, and POST /v1/dialogues records the answer."
            : nil
    }

    /// Retrieves, renders the prompt, asks the configured chat model, maps the markers it used back to chunks
    /// and records the dialogue with the model's own token usage.
    /// - Throws: `.notImplemented` without an LLM; `.unprocessable` for an admin without `filters.owner_id`; `.badGateway`
    ///   / `.gatewayTimeout` when the model fails after its retries.
    public func answer(_ request: RetrievalRequest, userID: String, sessionID: String, temperature: Double?,
                       as identity: Identity) async throws(ServiceError) -> AnswerResult {
        guard let base = configuration.llm.baseURL else {
            throw ServiceError(.notImplemented, answerUnavailableReason ?? "", field: "llm.base_url")
        }
        let started = ContinuousClock.now
        let tenant: String
        if identity.role == .coach {
            tenant = identity.tenant?.rawValue ?? ""
        } else {
            guard let owner = request.filter.owner else {
                throw ServiceError(.unprocessable, "\"filters.owner_id\" is missing: an admin key names the tenant "
                    + "whose materials answer", field: "filters.owner_id")
            }
            tenant = owner
        }
        let prompt = try await prompt(request, as: identity)
        let llm = configuration.llm
        let client = ChatClient(baseURL: base, apiKey: llm.apiKey, timeout: .milliseconds(llm.timeoutMilliseconds),
                                maxRetries: llm.maxRetries)
        let temperature = temperature ?? llm.temperature
        let completion: ChatCompletion
        do {
            completion = try await client.complete(model: llm.model, messages: prompt.prompt.messages,
                                                   temperature: temperature, maxTokens: llm.maxTokens)
        } catch {
            logger.warning("chat completion failed", metadata: ["error": "\(error.message)"])
            throw ServiceError(error)
        }
        let byMarker = Dictionary(uniqueKeysWithValues: prompt.prompt.chunks.map { ($0.marker, $0) })
        let used = CitationMarkers.numbers(in: completion.content)
        var input = DialogueInput(
            tenant: tenant, userID: userID, sessionID: sessionID, query: request.query ?? "", response: completion.content,
            modelUsed: completion.model.isEmpty ? llm.model : completion.model,
            citations: used.compactMap { n in byMarker[n].map { .init(chunkID: $0.chunkID, marker: "[\(n)]") } },
            latencyTotalMilliseconds: ChatClient.milliseconds(since: started), promptTokens: completion.promptTokens,
            completionTokens: completion.completionTokens)
        input.retrievalID = prompt.retrieval.id
        input.latencyRetrievalMilliseconds = prompt.retrieval.totalMilliseconds
        input.latencyGenerationMilliseconds = completion.milliseconds
        input.temperature = temperature
        input.origin = .answered
        let parts = try parts()
        let retrieval = JoinedRetrieval(
            id: prompt.retrieval.id, tenant: tenant,
            hits: prompt.prompt.chunks.map { .init(rank: $0.marker, chunkID: $0.chunkID, materialID: $0.materialID,
                                                   similarity: $0.similarity) },
            totalMilliseconds: prompt.retrieval.totalMilliseconds)
        let dialogue = try ServiceError.catching { () throws(DialogueError) in
            try parts.dialogues.record(input, retrieval: retrieval, prices: parts.prices)
        }
        metrics.dialogues.increment()
        return AnswerResult(answer: completion.content, dialogue: dialogue,
                            unknownMarkers: used.filter { byMarker[$0] == nil }, attempts: completion.attempts)
    }
}
