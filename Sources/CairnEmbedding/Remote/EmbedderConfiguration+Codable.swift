/// Encoded with the configuration-file keys that validation messages name; missing keys take the provider's
/// defaults and durations are seconds.
///
/// ```json
/// {"provider": "openai", "model": "text-embedding-3-small", "dimensions": 384, "max_batch_count": 512,
///  "timeout_seconds": 30, "max_retries": 4}
/// ```
extension EmbedderConfiguration: Codable {
    enum CodingKeys: String, CodingKey {
        case provider, model, dimensions, concurrency
        case baseURL = "base_url"
        case apiKeyEnvironmentVariable = "api_key_env"
        case expectedDimension = "expected_dimension"
        case maxInputTokens = "max_input_tokens"
        case maxBatchCount = "max_batch_count"
        case maxBatchTokens = "max_batch_tokens"
        case requestTimeout = "timeout_seconds"
        case maxRetries = "max_retries"
        case initialBackoff = "initial_backoff_seconds"
        case maxBackoff = "max_backoff_seconds"
        case maxRetryAfter = "max_retry_after_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            provider: try c.decodeIfPresent(EmbeddingProvider.self, forKey: .provider) ?? .builtin,
            model: try c.decodeIfPresent(String.self, forKey: .model),
            baseURL: try c.decodeIfPresent(String.self, forKey: .baseURL))
        if c.contains(.apiKeyEnvironmentVariable) {
            apiKeyEnvironmentVariable = try c.decodeIfPresent(String.self, forKey: .apiKeyEnvironmentVariable)
        }
        dimensions = try c.decodeIfPresent(Int.self, forKey: .dimensions)
        expectedDimension = try c.decodeIfPresent(Int.self, forKey: .expectedDimension)
        maxInputTokens = try c.decodeIfPresent(Int.self, forKey: .maxInputTokens)
        maxBatchCount = try c.decodeIfPresent(Int.self, forKey: .maxBatchCount) ?? maxBatchCount
        maxBatchTokens = try c.decodeIfPresent(Int.self, forKey: .maxBatchTokens) ?? maxBatchTokens
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? concurrency
        maxRetries = try c.decodeIfPresent(Int.self, forKey: .maxRetries) ?? maxRetries
        func duration(_ key: CodingKeys, _ fallback: Duration) throws -> Duration {
            guard let seconds = try c.decodeIfPresent(Double.self, forKey: key) else { return fallback }
            guard seconds.isFinite, seconds >= 0, seconds <= 1e6 else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "\(key.rawValue) must be a number of seconds between 0 and 1e6")
            }
            return .milliseconds(seconds * 1000)
        }
        requestTimeout = try duration(.requestTimeout, requestTimeout)
        initialBackoff = try duration(.initialBackoff, initialBackoff)
        maxBackoff = try duration(.maxBackoff, maxBackoff)
        maxRetryAfter = try duration(.maxRetryAfter, maxRetryAfter)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(provider, forKey: .provider)
        try c.encode(model, forKey: .model)
        try c.encode(baseURL, forKey: .baseURL)
        try c.encode(apiKeyEnvironmentVariable, forKey: .apiKeyEnvironmentVariable)
        try c.encodeIfPresent(dimensions, forKey: .dimensions)
        try c.encodeIfPresent(expectedDimension, forKey: .expectedDimension)
        try c.encodeIfPresent(maxInputTokens, forKey: .maxInputTokens)
        try c.encode(maxBatchCount, forKey: .maxBatchCount)
        try c.encode(maxBatchTokens, forKey: .maxBatchTokens)
        try c.encode(concurrency, forKey: .concurrency)
        try c.encode(Self.secondsValue(requestTimeout), forKey: .requestTimeout)
        try c.encode(maxRetries, forKey: .maxRetries)
        try c.encode(Self.secondsValue(initialBackoff), forKey: .initialBackoff)
        try c.encode(Self.secondsValue(maxBackoff), forKey: .maxBackoff)
        try c.encode(Self.secondsValue(maxRetryAfter), forKey: .maxRetryAfter)
    }

    static func secondsValue(_ duration: Duration) -> Double {
        let (whole, atto) = duration.components
        return Double(whole) + Double(atto) / 1e18
    }
}
