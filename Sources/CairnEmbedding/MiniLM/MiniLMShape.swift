/// The fixed architecture of all-MiniLM-L6-v2: a 6-layer BERT encoder, hidden size 384, 12 attention heads
/// of 32, feed-forward width 1536, erf GELU, LayerNorm ε 1e-12, absolute position embeddings.
///
/// The weights are checked against these sizes when they are loaded, so a different BERT export fails
/// with a message naming the first tensor that does not fit rather than computing nonsense.
enum MiniLMShape {
    /// Width of every token's hidden state (and of the embedding).
    static let hidden = 384
    /// Attention heads per layer.
    static let heads = 12
    /// Width of one head (`hidden / heads`).
    static let headWidth = 32
    /// Width of the feed-forward layer.
    static let intermediate = 1536
    /// Encoder layers.
    static let layers = 6
    /// WordPiece vocabulary size.
    static let vocabulary = 30522
    /// Longest input the position embeddings cover.
    static let maxPositions = 512
    /// Token type ids the model knows (all inputs use type 0).
    static let tokenTypes = 2
    /// LayerNorm's ε.
    static let layerNormEpsilon: Float = 1e-12
    /// Query and key widths packed side by side in one projection.
    static let queryKeyWidth = 2 * hidden
}
