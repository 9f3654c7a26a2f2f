import CairnEmbedding
import Foundation
import Synchronization
import CairnSQL
import TestSupport
import Testing

/// An embedder that records every call and returns deterministic vectors: a test double of the ``Embedder``
/// protocol (not of a remote service), so the cache tests can prove which texts reached the model.
final class CountingEmbedder: Embedder {
    let model: EmbeddingModelInfo
    /// When set, every vector has this length instead of the model's dimension.
    let returnedDimension: Int?
    /// When set, `embed` fails with this error.
    let failure: EmbeddingError?
    private let recorded = Mutex<[[String]]>([])

    init(id: String = "test/counting", dimension: Int = 8, returnedDimension: Int? = nil,
         failure: EmbeddingError? = nil) {
        model = EmbeddingModelInfo(id: id, dimension: dimension, maxTokens: 256, provider: .openai)
        self.returnedDimension = returnedDimension
        self.failure = failure
    }

    /// The `texts` of every `embed` call, in order.
    var calls: [[String]] {
        recorded.withLock { $0 }
    }

    /// Texts embedded over all calls.
    var embeddedTexts: [String] {
        calls.flatMap { $0 }
    }

    func countTokens(_ text: String) -> Int {
        text.split(separator: " ").count + 2
    }

    func embed(_ texts: [String]) async throws(EmbeddingError) -> EmbeddingOutput {
        recorded.withLock { $0.append(texts) }
        if let failure { throw failure }
        let dimension = returnedDimension ?? model.dimension
        let tokens = texts.map(countTokens)
        let total = tokens.reduce(0, +)
        return EmbeddingOutput(
            vectors: texts.map { Self.vector(for: $0, dimension: dimension) }, tokenCounts: tokens,
            usage: TokenUsage(promptTokens: total, totalTokens: total, requests: 1))
    }

    /// The vector this embedder returns for `text`.
    static func vector(for text: String, dimension: Int) -> [Float] {
        let digest = SHA256.hash(utf8: text)
        return (0..<dimension).map { Float(Int(digest[$0 % 32]) - 128) / 64 + Float($0) * 0.001 }
    }
}

@Suite("Cached embedder")
struct CacheCachedEmbedderTests {
    let texts = ["photosynthesis converts light", "mitochondria", "한국어 문장", "x = 2 solves x + 1 = 3"]

    @Test("re-embedding unchanged text makes no model call and reports no usage")
    func secondRunIsFree() async throws {
        let dir = try TemporaryDirectory()
        let inner = CountingEmbedder()
        let embedder = CachedEmbedder(inner, cache: try EmbeddingCache(dataDirectory: dir.path))
        #expect(embedder.model == inner.model)
        #expect(embedder.countTokens("a b c") == 5)

        let first = try await embedder.embed(texts)
        #expect(inner.calls == [texts])
        #expect(first.vectors == texts.map { CountingEmbedder.vector(for: $0, dimension: 8) })
        #expect(first.usage.requests == 1)
        #expect(first.tokenCounts == texts.map(inner.countTokens))

        let second = try await embedder.embed(texts)
        #expect(inner.calls.count == 1)
        #expect(second.vectors == first.vectors)
        #expect(second.usage == TokenUsage())
        #expect(second.tokenCounts == first.tokenCounts)
        #expect(embedder.cache.statistics == EmbeddingCacheStatistics(hits: 4, misses: 4, stored: 4))
    }

    @Test("a re-index after restart is served from the file: the new model instance is never called")
    func persistsAcrossRestarts() async throws {
        let dir = try TemporaryDirectory()
        do {
            let embedder = CachedEmbedder(CountingEmbedder(), cache: try EmbeddingCache(dataDirectory: dir.path))
            _ = try await embedder.embed(texts)
        }
        let inner = CountingEmbedder()
        let embedder = CachedEmbedder(inner, cache: try EmbeddingCache(dataDirectory: dir.path))
        let output = try await embedder.embed(texts.reversed())
        #expect(inner.calls.isEmpty)
        #expect(output.vectors == texts.reversed().map { CountingEmbedder.vector(for: $0, dimension: 8) })
    }

    @Test("only misses reach the model, once per distinct text, and the output keeps input order")
    func onlyMisses() async throws {
        let dir = try TemporaryDirectory()
        let inner = CountingEmbedder()
        let embedder = CachedEmbedder(inner, cache: try EmbeddingCache(dataDirectory: dir.path))
        _ = try await embedder.embed([texts[0], texts[2]])
        let batch = [texts[3], texts[0], texts[1], texts[3], texts[2], texts[1]]
        let output = try await embedder.embed(batch)
        #expect(inner.calls == [[texts[0], texts[2]], [texts[3], texts[1]]])
        #expect(output.vectors == batch.map { CountingEmbedder.vector(for: $0, dimension: 8) })
        #expect(output.tokenCounts == batch.map(inner.countTokens))
        // Usage is the real call's only: two texts.
        let expectedTokens = inner.countTokens(texts[3]) + inner.countTokens(texts[1])
        #expect(output.usage == TokenUsage(promptTokens: expectedTokens, totalTokens: expectedTokens, requests: 1))
    }

    @Test("models are cached apart")
    func modelsApart() async throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.path)
        let small = CountingEmbedder(id: "openai/text-embedding-3-small")
        let large = CountingEmbedder(id: "openai/text-embedding-3-large")
        _ = try await CachedEmbedder(small, cache: cache).embed(texts)
        _ = try await CachedEmbedder(large, cache: cache).embed(texts)
        #expect(small.calls.count == 1)
        #expect(large.calls.count == 1)
        #expect(try cache.entryCount() == 8)
        #expect(try cache.entryCount(model: small.model.id) == 4)
    }

    @Test("vectors of the wrong dimension are refused and not cached")
    func wrongDimension() async throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.path)
        let embedder = CachedEmbedder(CountingEmbedder(returnedDimension: 5), cache: cache)
        let error = await #expect(throws: EmbeddingError.self) { _ = try await embedder.embed(texts) }
        #expect(error?.kind == .dimensionMismatch(expected: 8, got: 5))
        #expect(try cache.entryCount() == 0)
    }

    @Test("the model's error passes through and nothing is cached")
    func innerFailure() async throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.path)
        let inner = CountingEmbedder(failure: EmbeddingError(.rateLimited, "429 after 5 retries"))
        let error = await #expect(throws: EmbeddingError.self) {
            _ = try await CachedEmbedder(inner, cache: cache).embed(texts)
        }
        #expect(error?.kind == .rateLimited)
        #expect(try cache.entryCount() == 0)
    }

    @Test("an empty batch makes no call")
    func emptyBatch() async throws {
        let dir = try TemporaryDirectory()
        let inner = CountingEmbedder()
        let output = try await CachedEmbedder(inner, cache: try EmbeddingCache(dataDirectory: dir.path)).embed([])
        #expect(output.vectors.isEmpty)
        #expect(inner.calls.isEmpty)
    }

    @Test("a cache that fails is reported with its file")
    func damagedCache() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.file(EmbeddingCache.fileName)
        let many = (0..<300).map { "text number \($0)" }
        do {
            let embedder = CachedEmbedder(CountingEmbedder(dimension: 384), cache: try EmbeddingCache(path: path))
            _ = try await embedder.embed(many)
        }
        let size = try CacheTestFiles.bytes(path).count
        try CacheTestFiles.scribble(path, from: size / 2)
        let inner = CountingEmbedder(dimension: 384)
        let embedder = CachedEmbedder(inner, cache: try EmbeddingCache(path: path))
        let error = await #expect(throws: EmbeddingError.self) { _ = try await embedder.embed(many) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains(path) == true)
        #expect(inner.calls.isEmpty)
    }
}
