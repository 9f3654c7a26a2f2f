/// Turns texts into vectors: the built-in all-MiniLM-L6-v2 run in process, or a remote embedding API.
///
/// Every embedder says which model it runs, its dimension and token limit, can count tokens the way it
/// will, and embeds a batch in one call. Configuration picks one (see ``EmbedderConfiguration``).
///
/// ```swift
/// let embedder = try EmbedderFactory.make(EmbedderConfiguration(provider: .builtin), dataDirectory: "index-data")
/// let output = try await embedder.embed(["What is photosynthesis?"])
/// print(output.vectors[0].count)  // 384
/// ```
public protocol Embedder: Sendable {
    /// The model and its limits.
    var model: EmbeddingModelInfo { get }

    /// Tokens `text` costs for this model (for chunk sizing and cost accounting).
    func countTokens(_ text: String) -> Int

    /// Embeds `texts` (in order). Texts longer than ``EmbeddingModelInfo/maxTokens`` are truncated as the
    /// model would.
    func embed(_ texts: [String]) async throws(EmbeddingError) -> EmbeddingOutput
}

/// Where embeddings come from.
public enum EmbeddingProvider: String, Sendable, Hashable, Codable, CaseIterable {
    /// all-MiniLM-L6-v2 in process on BLAS (the default: no network, no server).
    case builtin
    /// An OpenAI-compatible `POST {base}/v1/embeddings`.
    case openai
    /// Ollama's `POST {base}/api/embed`.
    case ollama
    /// Hugging Face Text Embeddings Inference: `POST {base}/embed`.
    case tei
}

/// A model's identity and limits.
public struct EmbeddingModelInfo: Sendable, Hashable, Codable {
    /// Stable id used in cache keys and provenance, e.g. `all-MiniLM-L6-v2` or `openai/text-embedding-3-small`.
    public var id: String
    /// Floats per vector.
    public var dimension: Int
    /// Longest input in tokens (longer inputs are truncated).
    public var maxTokens: Int
    public var provider: EmbeddingProvider

    public init(id: String, dimension: Int, maxTokens: Int, provider: EmbeddingProvider) {
        self.id = id
        self.dimension = dimension
        self.maxTokens = maxTokens
        self.provider = provider
    }
}

/// Tokens consumed, as reported by an API (or counted locally by the built-in model); feeds cost accounting.
public struct TokenUsage: Sendable, Hashable, Codable {
    public var promptTokens: Int
    public var totalTokens: Int
    /// HTTP requests made (retries included); 0 for the built-in model.
    public var requests: Int

    public init(promptTokens: Int = 0, totalTokens: Int = 0, requests: Int = 0) {
        self.promptTokens = promptTokens
        self.totalTokens = totalTokens
        self.requests = requests
    }

    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        TokenUsage(promptTokens: a.promptTokens + b.promptTokens, totalTokens: a.totalTokens + b.totalTokens,
                   requests: a.requests + b.requests)
    }
}

/// The result of one ``Embedder/embed(_:)`` call.
public struct EmbeddingOutput: Sendable {
    /// One vector per input, in input order.
    public var vectors: [[Float]]
    /// Tokens of each input after truncation, when known (the built-in model always knows).
    public var tokenCounts: [Int]?
    public var usage: TokenUsage

    public init(vectors: [[Float]], tokenCounts: [Int]? = nil, usage: TokenUsage = TokenUsage()) {
        self.vectors = vectors
        self.tokenCounts = tokenCounts
        self.usage = usage
    }
}

/// Why embedding failed; ``isUserError`` separates bad input or configuration from service faults.
public struct EmbeddingError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The built-in model's files are not installed (the message names the command that installs them).
        case modelMissing
        /// Model files exist but are damaged or of an unexpected shape.
        case modelInvalid
        /// A setting is missing or out of range (names the setting).
        case configuration
        /// The input cannot be embedded (e.g. an empty batch where one is not allowed).
        case invalidInput
        /// 401/403 from the API.
        case authentication
        /// 402, or 429 with a quota (not rate) message: retrying will not help.
        case quotaExceeded
        /// 429 still returned after every retry.
        case rateLimited
        /// No response within the per-request timeout, after every retry.
        case timeout
        /// Connection refused, DNS, TLS… after every retry.
        case connection
        /// A 5xx (after every retry) or another unexpected status.
        case server(status: Int)
        /// The response was not the expected JSON.
        case malformedResponse
        /// The model returned vectors of another dimension than configured / than the index holds.
        case dimensionMismatch(expected: Int, got: Int)
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Whether the caller (input or configuration) is at fault rather than the service.
    public var isUserError: Bool {
        switch kind {
        case .modelMissing, .configuration, .invalidInput, .authentication, .dimensionMismatch: true
        default: false
        }
    }

    public var description: String { message }
}
