public import CairnEmbedding

extension EmbeddingStub {
    /// The environment variable that ``configuration(model:)`` reads the API key from.
    public static let apiKeyVariable = "CAIRN_STUB_API_KEY"

    /// An embedder configuration pointed at this stub, with test-sized timing: a 5 s request timeout,
    /// 3 retries, back-offs of at most 5 ms.
    ///
    /// The model is unknown to Cairn, so `expected_dimension` is the stub's dimension; for OpenAI the key is
    /// read from ``apiKeyVariable`` (see ``environment``).
    public func configuration(model: String = "stub-embedder") -> EmbedderConfiguration {
        var configuration = EmbedderConfiguration(provider: format, model: model, baseURL: baseURL)
        configuration.expectedDimension = dimension
        configuration.requestTimeout = .seconds(5)
        configuration.maxRetries = 3
        configuration.initialBackoff = .milliseconds(1)
        configuration.maxBackoff = .milliseconds(5)
        if format == .openai || apiKey != nil { configuration.apiKeyEnvironmentVariable = Self.apiKeyVariable }
        return configuration
    }

    /// An environment holding this stub's API key (or `sk-stub` when it checks none).
    public var environment: [String: String] {
        [Self.apiKeyVariable: apiKey ?? "sk-stub"]
    }
}
