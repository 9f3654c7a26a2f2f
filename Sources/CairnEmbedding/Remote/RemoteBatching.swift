/// Counts the tokens a text costs a remote model, for batching and chunk sizing.
public typealias TokenCounter = @Sendable (String) -> Int

/// Token estimates for remote models whose tokenizer Cairn does not run.
public enum TokenEstimate {
    /// About one token per four UTF-8 bytes, rounded up: the usual rule of thumb for English text with
    /// byte-pair-encoding tokenizers such as OpenAI's `cl100k_base`.
    ///
    /// It is an estimate, not a count: it is low for text with many short words or non-Latin scripts
    /// (CJK text often costs a token per character, i.e. one per three bytes) and high for long words.
    /// Default request limits leave headroom for this; inject an exact counter where it matters.
    public static func utf8BytesOverFour(_ text: String) -> Int {
        (text.utf8.count + 3) / 4
    }
}

/// Splits a list of inputs into consecutive requests.
enum RemoteBatching {
    /// Consecutive ranges of `tokenCounts`' indices, each with at most `maxCount` inputs and at most
    /// `maxTokens` tokens in total — except that an input alone over `maxTokens` gets a request of its own
    /// (the API decides whether it accepts it).
    static func split(tokenCounts: [Int], maxCount: Int, maxTokens: Int) -> [Range<Int>] {
        var batches: [Range<Int>] = []
        var start = 0
        var tokens = 0
        for (index, count) in tokenCounts.enumerated() {
            let size = index - start
            if size > 0, size == maxCount || tokens + count > maxTokens {
                batches.append(start..<index)
                start = index
                tokens = 0
            }
            tokens += count
        }
        if start < tokenCounts.count { batches.append(start..<tokenCounts.count) }
        return batches
    }
}
