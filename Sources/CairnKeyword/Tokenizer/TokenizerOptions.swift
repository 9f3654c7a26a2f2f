/// How ``KeywordTokenizer`` turns text into terms; chunks and questions must use the same options.
public struct TokenizerOptions: Sendable, Hashable, Codable {
    /// Whether the English stop words (``EnglishStopWords``) are left out of the terms.
    public var englishStopWords: Bool
    /// Terms longer than this many Unicode scalars (base64 runs, hashes) are dropped.
    public var maxTermLength: Int

    public init(englishStopWords: Bool = true, maxTermLength: Int = 64) {
        self.englishStopWords = englishStopWords
        self.maxTermLength = maxTermLength
    }

    /// English stop words dropped, terms up to 64 scalars.
    public static let standard = TokenizerOptions()
}
