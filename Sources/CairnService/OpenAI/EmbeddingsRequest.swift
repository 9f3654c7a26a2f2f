/// A request for embeddings of texts, as `POST /v1/embeddings` takes it (OpenAI's shape).
public struct EmbeddingsRequest: Sendable, Hashable {
    /// The texts, in order (1...``maxInputs``).
    public var inputs: [String]
    /// The model the caller names; it must be the service's model (its id or an alias of it).
    public var model: String
    /// The vectors' length the caller expects; it must be the model's.
    public var dimensions: Int?

    /// The most inputs one request may carry (OpenAI's limit).
    public static let maxInputs = 2_048
    /// The longest input in characters (longer inputs would be truncated to the model's token limit anyway).
    public static let maxInputLength = 65_536

    public init(inputs: [String], model: String, dimensions: Int? = nil) {
        self.inputs = inputs
        self.model = model
        self.dimensions = dimensions
    }
}

/// What ``CairnService/embed(_:as:)`` returns: one vector per input, in order, and the tokens they cost.
public struct EmbeddingsResult: Sendable {
    public var vectors: [[Float]]
    /// The model's id.
    public var model: String
    /// Tokens of all inputs after truncation to the model's limit.
    public var promptTokens: Int
    public var milliseconds: Double
}
