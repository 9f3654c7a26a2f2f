@testable import CairnEmbedding
import Testing
import TestSupport

/// Splitting by count and tokens, the concurrency limit, and reassembly in input order.
struct RemoteEmbedderBatchingTests {
    @Test func splitsByCount() {
        #expect(RemoteBatching.split(tokenCounts: Array(repeating: 1, count: 7), maxCount: 3, maxTokens: 100)
            == [0..<3, 3..<6, 6..<7])
    }

    @Test func splitsByTokens() {
        #expect(RemoteBatching.split(tokenCounts: [4, 4, 4, 9, 1, 1], maxCount: 10, maxTokens: 8)
            == [0..<2, 2..<3, 3..<4, 4..<6])
    }

    @Test func anOversizedInputGoesAlone() {
        #expect(RemoteBatching.split(tokenCounts: [1, 50, 1], maxCount: 10, maxTokens: 10) == [0..<1, 1..<2, 2..<3])
        #expect(RemoteBatching.split(tokenCounts: [], maxCount: 10, maxTokens: 10).isEmpty)
    }

    @Test func defaultTokenEstimate() {
        #expect(TokenEstimate.utf8BytesOverFour("") == 0)
        #expect(TokenEstimate.utf8BytesOverFour("abcd") == 1)
        #expect(TokenEstimate.utf8BytesOverFour("abcde") == 2)
        #expect(TokenEstimate.utf8BytesOverFour("漢字") == 2)  // 6 bytes
    }

    @Test func requestsRespectMaxCount() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 4)
        var configuration = stub.configuration()
        configuration.maxBatchCount = 4
        let embedder = try RemoteEmbedders.make(configuration, environment: stub.environment)
        let texts = (0..<10).map { "text number \($0)" }
        let output = try await embedder.embed(texts)
        #expect(output.vectors == texts.map { EmbeddingStub.vector(for: $0, dimension: 4) })
        let sizes = stub.requests.map { stub.inputs(of: $0).count }
        #expect(sizes.sorted() == [2, 4, 4])
        #expect(Set(stub.requests.flatMap { stub.inputs(of: $0) }) == Set(texts))
        #expect(output.usage.requests == 3)
        #expect(output.usage.promptTokens == 30)
    }

    @Test func requestsRespectMaxTokensWithTheInjectedCounter() async throws {
        let stub = try EmbeddingStub(format: .ollama, dimension: 4)
        var configuration = stub.configuration()
        configuration.maxBatchTokens = 10
        // One token per character: "aaaa"(4) "bbbbbb"(6) | "ccc"(3) "dd"(2) "e"(1) | "ffffffffffff"(12, alone)
        let counter: TokenCounter = { $0.count }
        let embedder = try OllamaEmbedder(configuration: configuration, tokenCounter: counter)
        #expect(embedder.countTokens("hello") == 5)
        let texts = ["aaaa", "bbbbbb", "ccc", "dd", "e", "ffffffffffff"]
        let output = try await embedder.embed(texts)
        #expect(output.vectors == texts.map { EmbeddingStub.vector(for: $0, dimension: 4) })
        let batches = stub.requests.map { stub.inputs(of: $0) }.sorted { $0[0] < $1[0] }
        #expect(batches == [["aaaa", "bbbbbb"], ["ccc", "dd", "e"], ["ffffffffffff"]])
    }

    @Test(arguments: [1, 3])
    func concurrencyLimitIsRespected(_ limit: Int) async throws {
        let stub = try EmbeddingStub(format: .tei, dimension: 4, responseDelay: .milliseconds(80))
        var configuration = stub.configuration()
        configuration.maxBatchCount = 1
        configuration.concurrency = limit
        let embedder = try RemoteEmbedders.make(configuration)
        let texts = (0..<9).map { "t\($0)" }
        let start = ContinuousClock.now
        let output = try await embedder.embed(texts)
        let elapsed = ContinuousClock.now - start
        #expect(output.vectors == texts.map { EmbeddingStub.vector(for: $0, dimension: 4) })
        #expect(stub.requests.count == 9)
        #expect(stub.maxConcurrentRequests == limit)
        #expect(stub.requests.allSatisfy { $0.inFlight <= limit })
        // 9 requests of 80 ms, `limit` at a time: at least ceil(9 / limit) rounds.
        #expect(elapsed >= .milliseconds(80 * ((9 + limit - 1) / limit) - 20))
    }

    @Test func resultsComeBackInInputOrderWhateverTheCompletionOrder() async throws {
        let stub = try EmbeddingStub(format: .ollama, dimension: 3)
        // The first batch is slow, so later batches finish first.
        stub.enqueue(.slow(.milliseconds(150)))
        var configuration = stub.configuration()
        configuration.maxBatchCount = 2
        configuration.concurrency = 4
        let texts = (0..<8).map { "item \($0)" }
        let output = try await RemoteEmbedders.make(configuration).embed(texts)
        #expect(output.vectors == texts.map { EmbeddingStub.vector(for: $0, dimension: 3) })
    }
}

/// The concurrency limit holds across concurrent `embed` calls on one embedder.
struct RemoteEmbedderSharedLimitTests {
    @Test func concurrentCallsShareTheLimit() async throws {
        let stub = try EmbeddingStub(format: .ollama, dimension: 4, responseDelay: .milliseconds(60))
        var configuration = stub.configuration()
        configuration.maxBatchCount = 1
        configuration.concurrency = 2
        let embedder = try RemoteEmbedders.make(configuration)
        let outputs = try await withThrowingTaskGroup(of: Int.self) { group in
            for call in 0..<3 {
                group.addTask { try await embedder.embed((0..<4).map { "call \(call) text \($0)" }).vectors.count }
            }
            return try await group.reduce(0, +)
        }
        #expect(outputs == 12)
        #expect(stub.requests.count == 12)
        #expect(stub.maxConcurrentRequests == 2)
    }
}
