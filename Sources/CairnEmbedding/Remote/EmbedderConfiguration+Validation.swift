extension EmbedderConfiguration {
    /// Largest vector dimension accepted (the index's own limit).
    public static let maxDimension = 16_384

    /// Returns `self` if every setting is usable, or throws a ``EmbeddingError/Kind/configuration`` error
    /// naming the first bad setting by its configuration key.
    public func validated() throws(EmbeddingError) -> EmbedderConfiguration {
        func bad(_ message: String) -> EmbeddingError {
            EmbeddingError(.configuration, "invalid embedding configuration: \(message)")
        }
        func check(_ setting: String, _ value: Int, _ range: ClosedRange<Int>) throws(EmbeddingError) {
            guard range.contains(value) else {
                throw bad("\(setting) = \(value) is out of range: expected \(range.lowerBound)...\(range.upperBound)")
            }
        }
        func check(_ setting: String, _ value: Duration, _ range: ClosedRange<Duration>) throws(EmbeddingError) {
            guard range.contains(value) else {
                throw bad("\(setting) = \(Self.seconds(value)) is out of range: expected \(Self.seconds(range.lowerBound))"
                    + "...\(Self.seconds(range.upperBound)) seconds")
            }
        }

        guard !model.allSatisfy(\.isWhitespace) else {
            throw bad(provider == .tei
                ? "model is required for tei: name the model the TEI server runs (it keys the embedding cache)"
                : "model must not be empty")
        }
        if let dimensions { try check("dimensions", dimensions, 1...Self.maxDimension) }
        if let expectedDimension { try check("expected_dimension", expectedDimension, 1...Self.maxDimension) }
        if let maxInputTokens { try check("max_input_tokens", maxInputTokens, 1...1_000_000) }
        guard provider != .builtin else { return self }

        try validateEndpoint(bad)
        if dimensions != nil, provider != .openai {
            throw bad("dimensions is an OpenAI request parameter; \(provider.rawValue) does not accept it "
                + "(set expected_dimension to declare the model's dimension)")
        }
        if let dimensions, let expectedDimension, dimensions != expectedDimension {
            throw bad("dimensions = \(dimensions) asks the API for \(dimensions)-dimensional vectors but "
                + "expected_dimension = \(expectedDimension); they must agree")
        }
        guard resolvedDimension != nil else {
            throw bad("expected_dimension is required for model \(model): Cairn does not know its vector size")
        }
        try check("max_batch_count", maxBatchCount, 1...2048)
        try check("max_batch_tokens", maxBatchTokens, 1...10_000_000)
        try check("concurrency", concurrency, 1...64)
        try check("timeout_seconds", requestTimeout, .milliseconds(1) ... .seconds(600))
        try check("max_retries", maxRetries, 0...20)
        try check("initial_backoff_seconds", initialBackoff, .zero ... .seconds(600))
        try check("max_backoff_seconds", maxBackoff, initialBackoff ... .seconds(600))
        try check("max_retry_after_seconds", maxRetryAfter, .zero ... .seconds(3600))
        return self
    }

    private func validateEndpoint(_ bad: (String) -> EmbeddingError) throws(EmbeddingError) {
        let lower = baseURL.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw bad("base_url = \"\(baseURL)\" must start with http:// or https://")
        }
        let host = baseURL.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty, !baseURL.contains(where: \.isWhitespace) else {
            throw bad("base_url = \"\(baseURL)\" is not a valid URL (no host, or it contains spaces)")
        }
        if let variable = apiKeyEnvironmentVariable {
            guard Self.isEnvironmentVariableName(variable) else { throw bad("api_key_env = \"\(variable)\" is not an environment variable name") }
        } else if provider == .openai {
            throw bad("api_key_env is required for openai (the environment variable holding the API key)")
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`.
    static func isEnvironmentVariableName(_ name: String) -> Bool {
        func letter(_ byte: UInt8) -> Bool { (65...90).contains(byte) || (97...122).contains(byte) || byte == 95 }
        guard let first = name.utf8.first, letter(first) else { return false }
        return name.utf8.allSatisfy { letter($0) || (48...57).contains($0) }
    }

    /// `0.5`, `20`.
    static func seconds(_ duration: Duration) -> String {
        let (whole, atto) = duration.components
        let value = Double(whole) + Double(atto) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}
