/// The keyword index's settings: BM25's parameters and the tokenizer's options.
public struct KeywordOptions: Sendable, Hashable, Codable {
    public var bm25: BM25Parameters
    public var tokenizer: TokenizerOptions

    public init(bm25: BM25Parameters = .standard, tokenizer: TokenizerOptions = .standard) {
        self.bm25 = bm25
        self.tokenizer = tokenizer
    }

    /// k1 1.2, b 0.75, English stop words dropped.
    public static let standard = KeywordOptions()
}

extension KeywordIndex {
    /// An empty index with these options.
    public convenience init(options: KeywordOptions) {
        self.init(parameters: options.bm25, tokenizer: KeywordTokenizer(options: options.tokenizer))
    }
}
