/// How large chunks are and how much consecutive chunks overlap, in tokens of the active embedder's
/// tokenizer (without its special tokens).
///
/// The defaults fit all-MiniLM-L6-v2: 200 tokens plus `[CLS]`/`[SEP]` stay inside its 256-token window with
/// room to spare, and 40 tokens of overlap repeat the last sentence or two of the previous chunk.
///
/// ```swift
/// let options = try ChunkingOptions(maxTokens: 240, overlapTokens: 32).validated(modelMaxTokens: 256)
/// ```
public struct ChunkingOptions: Sendable, Hashable {
    /// The most tokens a chunk may hold.
    public var maxTokens: Int
    /// The most tokens a chunk repeats from the end of the previous one.
    public var overlapTokens: Int

    public init(maxTokens: Int = 200, overlapTokens: Int = 40) {
        self.maxTokens = maxTokens
        self.overlapTokens = overlapTokens
    }

    /// `self` when the sizes suit a model whose window holds `modelMaxTokens` tokens (special tokens included).
    ///
    /// - Throws: ``IngestError`` `.configuration` naming the setting: `maxTokens` must lie in
    ///   `8...modelMaxTokens - 2` (room for `[CLS]` and `[SEP]`), `overlapTokens` in `0..<maxTokens / 2`.
    public func validated(modelMaxTokens: Int) throws(IngestError) -> ChunkingOptions {
        let largest = modelMaxTokens - 2
        guard largest >= 8 else {
            throw IngestError(.configuration, "the embedding model's window of \(modelMaxTokens) tokens is too small to chunk for")
        }
        guard (8...largest).contains(maxTokens) else {
            throw IngestError(.configuration, "chunk maxTokens must be between 8 and \(largest) "
                + "(the model's \(modelMaxTokens)-token window less [CLS] and [SEP]), not \(maxTokens)")
        }
        guard overlapTokens >= 0, overlapTokens < maxTokens / 2 else {
            throw IngestError(.configuration, "chunk overlapTokens must be at least 0 and less than half of "
                + "maxTokens (\(maxTokens / 2)), not \(overlapTokens)")
        }
        return self
    }
}
