public import CairnHTTP

extension RetryPolicy {
    /// The retry rules an embedder's configuration sets.
    init(_ configuration: EmbedderConfiguration) {
        self.init(maxRetries: configuration.maxRetries, initialBackoff: configuration.initialBackoff,
                  maxBackoff: configuration.maxBackoff, maxRetryAfter: configuration.maxRetryAfter)
    }
}
