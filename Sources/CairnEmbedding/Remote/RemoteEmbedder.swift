public import CairnHTTP
import Foundation
public import Logging

/// An ``Embedder`` backed by a remote embedding API, speaking the wire format `Format`.
///
/// `embed` splits its input into requests of at most ``EmbedderConfiguration/maxBatchCount`` texts and
/// ``EmbedderConfiguration/maxBatchTokens`` estimated tokens, sends up to
/// ``EmbedderConfiguration/concurrency`` of them at once (counted across concurrent `embed` calls on the
/// same embedder and its copies), retries each on 429, 5xx, timeouts and connection
/// failures (exponential back-off with full jitter, honouring `Retry-After`), checks every vector's
/// dimension, and returns the vectors in input order with the usage the API reported (tokens summed,
/// requests counted with retries). The first request that fails for good cancels the others and its error
/// is thrown.
///
/// ```swift
/// var config = EmbedderConfiguration(provider: .ollama, model: "nomic-embed-text")
/// config.expectedDimension = 768
/// let embedder = try OllamaEmbedder(configuration: config)
/// let output = try await embedder.embed(["first text", "second text"])
/// print(output.vectors.count, output.usage.promptTokens)
/// ```
public struct RemoteEmbedder<Format: RemoteWireFormat>: Embedder {
    /// The validated configuration.
    public let configuration: EmbedderConfiguration
    public let model: EmbeddingModelInfo
    /// The URL requests are sent to.
    public let endpoint: String
    let client: HTTPClient
    let apiKey: String?
    let tokenCounter: TokenCounter
    let policy: RetryPolicy
    let limiter: RequestLimiter
    let logger: Logger

    /// Creates an embedder; reads the API key from the configured environment variable.
    ///
    /// - Parameters:
    ///   - configuration: Validated here; its provider must be `Format.provider`.
    ///   - client: The HTTP client (by default the process-wide one).
    ///   - environment: Where the API key is looked up; nil (the default) reads the process environment.
    ///   - tokenCounter: Estimates tokens for batching and ``countTokens(_:)``; by default
    ///     ``TokenEstimate/utf8BytesOverFour(_:)``.
    /// - Throws: ``EmbeddingError/Kind/configuration`` for a bad setting or a missing API key.
    public init(
        configuration: EmbedderConfiguration, client: HTTPClient = .shared,
        environment: [String: String]? = nil,
        tokenCounter: @escaping TokenCounter = TokenEstimate.utf8BytesOverFour,
        logger: Logger = Logger(label: "cairn.embedding")
    ) throws(EmbeddingError) {
        guard configuration.provider == Format.provider else {
            throw EmbeddingError(.configuration, "provider = \(configuration.provider.rawValue) cannot be served by "
                + "the \(Format.name) embedder")
        }
        let configuration = try configuration.validated()
        if let variable = configuration.apiKeyEnvironmentVariable {
            guard let key = (environment ?? ProcessInfo.processInfo.environment)[variable], !key.isEmpty else {
                throw EmbeddingError(.configuration, "the \(Format.name) API key is read from the environment variable "
                    + "\(variable) (setting api_key_env), which is not set")
            }
            apiKey = key
        } else {
            apiKey = nil
        }
        self.configuration = configuration
        model = EmbeddingModelInfo(
            id: configuration.modelID, dimension: configuration.resolvedDimension!,
            maxTokens: configuration.resolvedMaxInputTokens, provider: Format.provider)
        endpoint = Format.endpoint(baseURL: configuration.baseURL)
        self.client = client
        self.tokenCounter = tokenCounter
        policy = RetryPolicy(configuration)
        limiter = RequestLimiter(limit: configuration.concurrency)
        self.logger = logger
    }

    public func countTokens(_ text: String) -> Int {
        tokenCounter(text)
    }

    public func embed(_ texts: [String]) async throws(EmbeddingError) -> EmbeddingOutput {
        guard !texts.isEmpty else { return EmbeddingOutput(vectors: []) }
        let counts = texts.map(tokenCounter)
        let batches = RemoteBatching.split(
            tokenCounts: counts, maxCount: configuration.maxBatchCount, maxTokens: configuration.maxBatchTokens)
        let results = try await run(batches) { batch async -> Result<BatchResult, EmbeddingError> in
            await self.send(Array(texts[batch]), estimatedTokens: counts[batch].reduce(0, +))
        }
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var usage = TokenUsage()
        for result in results {
            vectors.append(contentsOf: result.vectors)
            usage = usage + result.usage
        }
        return EmbeddingOutput(vectors: vectors, usage: usage)
    }

    /// Runs `work` for every batch with at most `concurrency` running at once; results in batch order.
    /// The first failure cancels the batches still running and is thrown.
    private func run(
        _ batches: [Range<Int>], _ work: @escaping @Sendable (Range<Int>) async -> Result<BatchResult, EmbeddingError>
    ) async throws(EmbeddingError) -> [BatchResult] {
        var results = [BatchResult?](repeating: nil, count: batches.count)
        let failure = await withTaskGroup(of: (Int, Result<BatchResult, EmbeddingError>).self) { group -> EmbeddingError? in
            var next = 0
            while next < min(configuration.concurrency, batches.count) {
                let index = next
                group.addTask { (index, await work(batches[index])) }
                next += 1
            }
            while let (index, result) = await group.next() {
                switch result {
                case .success(let batch):
                    results[index] = batch
                    if next < batches.count {
                        let index = next
                        group.addTask { (index, await work(batches[index])) }
                        next += 1
                    }
                case .failure(let error):
                    group.cancelAll()
                    return error
                }
            }
            return nil
        }
        if let failure { throw failure }
        return results.map { $0! }
    }
}

/// The vectors and usage of one request (with its retries).
struct BatchResult: Sendable {
    var vectors: [[Float]]
    var usage: TokenUsage
}
