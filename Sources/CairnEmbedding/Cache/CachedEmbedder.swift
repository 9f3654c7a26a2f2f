import CairnSQL

/// An ``Embedder`` that answers from an ``EmbeddingCache`` and calls the embedder it wraps only for texts
/// the cache does not hold.
///
/// Misses are embedded in one call to the wrapped embedder (each distinct text once, in first-seen order),
/// stored in one transaction, and merged back so the output keeps the input order. The reported
/// ``TokenUsage`` is the wrapped embedder's for that call only — a batch served entirely from the cache
/// reports zero usage and makes no model or API call.
///
/// ```swift
/// let embedder = CachedEmbedder(try EmbedderFactory.make(configuration, dataDirectory: dir),
///                               cache: try EmbeddingCache(dataDirectory: dir))
/// let output = try await embedder.embed(chunkTexts)
/// ```
public struct CachedEmbedder: Embedder {
    /// The embedder that computes misses.
    public let inner: any Embedder
    /// Where embeddings are kept.
    public let cache: EmbeddingCache

    /// Wraps `inner` with `cache`.
    public init(_ inner: any Embedder, cache: EmbeddingCache) {
        self.inner = inner
        self.cache = cache
    }

    public var model: EmbeddingModelInfo { inner.model }

    public func countTokens(_ text: String) -> Int {
        inner.countTokens(text)
    }

    /// Embeds `texts`, calling the wrapped embedder only for the ones not cached.
    ///
    /// - Throws: the wrapped embedder's ``EmbeddingError``; ``EmbeddingError/Kind/dimensionMismatch(expected:got:)``
    ///   or ``EmbeddingError/Kind/malformedResponse`` when it returns vectors that do not fit (nothing is cached
    ///   then); ``EmbeddingError/Kind/configuration`` naming the cache file when the cache fails.
    public func embed(_ texts: [String]) async throws(EmbeddingError) -> EmbeddingOutput {
        guard !texts.isEmpty else { return EmbeddingOutput(vectors: [], tokenCounts: [], usage: TokenUsage()) }
        let model = self.model
        let lookup: EmbeddingCache.Lookup
        do {
            lookup = try cache.entries(model: model, texts: texts)
        } catch {
            throw Self.cacheFailure(error)
        }

        // Distinct missing keys, first-seen order.
        var missSlot: [[UInt8]: Int] = [:]
        var missKeys: [[UInt8]] = []
        var missTexts: [String] = []
        for (index, entry) in lookup.entries.enumerated() where entry == nil {
            let key = lookup.keys[index]
            if missSlot[key] == nil {
                missSlot[key] = missKeys.count
                missKeys.append(key)
                missTexts.append(texts[index])
            }
        }

        var computed: [EmbeddingCache.Entry] = []
        var usage = TokenUsage()
        if !missTexts.isEmpty {
            let output = try await inner.embed(missTexts)
            try Self.validate(output, count: missTexts.count, model: model)
            usage = output.usage
            do {
                try cache.store(model: model, keys: missKeys, vectors: output.vectors, tokenCounts: output.tokenCounts)
            } catch {
                throw Self.cacheFailure(error)
            }
            computed = output.vectors.indices.map {
                EmbeddingCache.Entry(vector: output.vectors[$0], tokenCount: output.tokenCounts?[$0])
            }
        }

        let entries = lookup.entries.indices.map { index in
            lookup.entries[index] ?? computed[missSlot[lookup.keys[index]]!]
        }
        let tokenCounts = entries.compactMap(\.tokenCount)
        return EmbeddingOutput(vectors: entries.map(\.vector),
                               tokenCounts: tokenCounts.count == entries.count ? tokenCounts : nil, usage: usage)
    }

    /// Refuses output that cannot be merged or cached.
    private static func validate(
        _ output: EmbeddingOutput, count: Int, model: EmbeddingModelInfo
    ) throws(EmbeddingError) {
        guard output.vectors.count == count else {
            throw EmbeddingError(.malformedResponse,
                                 "\(model.id) returned \(output.vectors.count) vectors for \(count) texts")
        }
        if let counts = output.tokenCounts, counts.count != count {
            throw EmbeddingError(.malformedResponse,
                                 "\(model.id) returned \(counts.count) token counts for \(count) texts")
        }
        if let wrong = output.vectors.first(where: { $0.count != model.dimension }) {
            throw EmbeddingError(
                .dimensionMismatch(expected: model.dimension, got: wrong.count),
                "\(model.id) returned vectors of dimension \(wrong.count), but its configured dimension is "
                    + "\(model.dimension)")
        }
    }

    /// A cache failure as an embedding error. The message names the cache file; the operator has to act on
    /// it (free space, move a damaged file aside), so it is reported as a configuration problem.
    private static func cacheFailure(_ error: SQLError) -> EmbeddingError {
        EmbeddingError(.configuration, error.message)
    }
}
