/// Dimensions and input limits of widely used embedding models, so that common configurations need not
/// spell them out. Anything else must set `expected_dimension`.
struct KnownEmbeddingModel: Sendable {
    var dimension: Int
    var maxTokens: Int
    /// Whether the API can shorten its vectors with the `dimensions` parameter.
    var acceptsDimensions: Bool = false

    static func lookup(provider: EmbeddingProvider, model: String) -> KnownEmbeddingModel? {
        switch provider {
        case .builtin:
            model.lowercased() == "all-minilm-l6-v2" ? KnownEmbeddingModel(dimension: 384, maxTokens: 256) : nil
        case .openai:
            openAI[model]
        case .ollama:
            // Ollama names carry an optional `:tag`; the dimension does not depend on it.
            ollama[String(model.split(separator: ":").first ?? "")]
        case .tei:
            nil
        }
    }

    private static let openAI: [String: KnownEmbeddingModel] = [
        "text-embedding-3-small": KnownEmbeddingModel(dimension: 1536, maxTokens: 8191, acceptsDimensions: true),
        "text-embedding-3-large": KnownEmbeddingModel(dimension: 3072, maxTokens: 8191, acceptsDimensions: true),
        "text-embedding-ada-002": KnownEmbeddingModel(dimension: 1536, maxTokens: 8191),
    ]

    private static let ollama: [String: KnownEmbeddingModel] = [
        "nomic-embed-text": KnownEmbeddingModel(dimension: 768, maxTokens: 8192),
        "mxbai-embed-large": KnownEmbeddingModel(dimension: 1024, maxTokens: 512),
        "all-minilm": KnownEmbeddingModel(dimension: 384, maxTokens: 256),
        "bge-m3": KnownEmbeddingModel(dimension: 1024, maxTokens: 8192),
        "snowflake-arctic-embed": KnownEmbeddingModel(dimension: 1024, maxTokens: 512),
    ]
}
