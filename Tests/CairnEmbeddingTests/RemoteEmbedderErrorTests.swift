import CairnEmbedding
import Testing
import TestSupport

/// Each failure becomes the right ``EmbeddingError`` kind with a message that says what to do.
struct RemoteEmbedderErrorTests {
    func embedder(_ stub: EmbeddingStub) throws -> any Embedder {
        try RemoteEmbedders.make(stub.configuration(), environment: stub.environment)
    }

    @Test func wrongKeyIsAnAuthenticationError() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 4, apiKey: "sk-right")
        let embedder = try RemoteEmbedders.make(stub.configuration(), environment: [EmbeddingStub.apiKeyVariable: "sk-wrong"])
        let error = try #require(await embedder.embedFailure(["a"]))
        #expect(error.kind == .authentication)
        #expect(error.isUserError)
        #expect(error.message.contains("HTTP 401"))
        #expect(error.message.contains("Incorrect API key provided"))
        #expect(error.message.contains("$\(EmbeddingStub.apiKeyVariable)"))
        #expect(stub.requests.count == 1)
    }

    @Test func forbiddenIsAnAuthenticationError() async throws {
        let stub = try EmbeddingStub(format: .tei, dimension: 4)
        stub.enqueue(.forbidden)
        let error = try #require(await embedder(stub).embedFailure(["a"]))
        #expect(error.kind == .authentication)
        #expect(error.message.contains("set api_key_env"))
    }

    @Test func insufficientQuotaIsNotRetried() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 4)
        stub.enqueue(.insufficientQuota, times: 5)
        let error = try #require(await embedder(stub).embedFailure(["a"]))
        #expect(error.kind == .quotaExceeded)
        #expect(error.message.contains("exceeded your current quota"))
        #expect(stub.requests.count == 1)
    }

    @Test func paymentRequiredIsQuotaExceeded() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 4)
        stub.enqueue(.paymentRequired, times: 5)
        let error = try #require(await embedder(stub).embedFailure(["a"]))
        #expect(error.kind == .quotaExceeded)
        #expect(stub.requests.count == 1)
    }

    @Test func badInputAndUnknownModel() async throws {
        let stub = try EmbeddingStub(format: .ollama, dimension: 4)
        stub.enqueue(.status(400, message: "input too long"))
        stub.enqueue(.status(404, message: "model \"nope\" not found, try pulling it first"))
        stub.enqueue(.status(413, message: "payload too large"))
        let embedder = try embedder(stub)
        let badInput = try #require(await embedder.embedFailure(["a"]))
        #expect(badInput.kind == .invalidInput)
        #expect(badInput.message.contains("input too long"))
        let missingModel = try #require(await embedder.embedFailure(["a"]))
        #expect(missingModel.kind == .configuration)
        #expect(missingModel.message.contains("try pulling it first"))
        #expect(missingModel.message.contains("check base_url and model"))
        let tooLarge = try #require(await embedder.embedFailure(["a"]))
        #expect(tooLarge.kind == .invalidInput)
        #expect(tooLarge.message.contains("max_batch_count"))
    }

    @Test(arguments: [EmbeddingProvider.openai, .ollama, .tei])
    func truncatedJSONIsMalformed(_ format: EmbeddingProvider) async throws {
        let stub = try EmbeddingStub(format: format, dimension: 4)
        stub.enqueue(.truncatedJSON)
        let error = try #require(await embedder(stub).embedFailure(["a", "b"]))
        #expect(error.kind == .malformedResponse)
        #expect(error.message.contains("not valid JSON"))
        #expect(stub.requests.count == 1)
    }

    @Test(arguments: [EmbeddingProvider.openai, .ollama, .tei])
    func malformedJSONIsMalformed(_ format: EmbeddingProvider) async throws {
        let stub = try EmbeddingStub(format: format, dimension: 4)
        stub.enqueue(.malformedJSON)
        let error = try #require(await embedder(stub).embedFailure(["a"]))
        #expect(error.kind == .malformedResponse)
        #expect(!error.isUserError)
    }

    @Test func missingFieldIsNamed() async throws {
        let openAI = try EmbeddingStub(format: .openai, dimension: 4)
        openAI.enqueue(.missingField)
        let error = try #require(await embedder(openAI).embedFailure(["a"]))
        #expect(error.kind == .malformedResponse)
        #expect(error.message.contains("missing field \"data\""))
        let ollama = try EmbeddingStub(format: .ollama, dimension: 4)
        ollama.enqueue(.missingField)
        #expect(try #require(await embedder(ollama).embedFailure(["a"])).message.contains("missing field \"embeddings\""))
        let tei = try EmbeddingStub(format: .tei, dimension: 4)
        tei.enqueue(.missingField)
        #expect(try #require(await embedder(tei).embedFailure(["a"])).kind == .malformedResponse)
    }

    @Test(arguments: [EmbeddingProvider.openai, .ollama, .tei])
    func wrongCountIsMalformed(_ format: EmbeddingProvider) async throws {
        let stub = try EmbeddingStub(format: format, dimension: 4)
        stub.enqueue(.wrongCount)
        let error = try #require(await embedder(stub).embedFailure(["a", "b", "c"]))
        #expect(error.kind == .malformedResponse)
        #expect(error.message.contains("returned 2 embeddings for 3 inputs"))
    }

    @Test(arguments: [EmbeddingProvider.openai, .ollama, .tei])
    func wrongDimensionIsAMismatch(_ format: EmbeddingProvider) async throws {
        let stub = try EmbeddingStub(format: format, dimension: 384)
        stub.enqueue(.wrongDimension(768))
        let error = try #require(await embedder(stub).embedFailure(["a"]))
        #expect(error.kind == .dimensionMismatch(expected: 384, got: 768))
        #expect(error.isUserError)
        #expect(error.message.hasPrefix(
            "model stub-embedder returned 768-dimensional vectors but the index holds 384-dimensional ones; "))
        #expect(error.message.contains("re-create the index with dimension 768"))
    }

    @Test func openAIMismatchSuggestsDimensions() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 1536)
        var configuration = stub.configuration(model: "text-embedding-3-small")
        configuration.expectedDimension = 384
        let error = try #require(await RemoteEmbedders.make(configuration, environment: stub.environment).embedFailure(["a"]))
        #expect(error.kind == .dimensionMismatch(expected: 384, got: 1536))
        #expect(error.message.contains("set dimensions = 384"))
    }

    @Test func unreachableServerIsAConnectionError() async throws {
        let port = try StubHTTPServer.unusedPort()
        var configuration = EmbedderConfiguration(provider: .ollama, baseURL: "http://127.0.0.1:\(port)")
        configuration.maxRetries = 2
        configuration.initialBackoff = .milliseconds(1)
        configuration.maxBackoff = .milliseconds(2)
        let error = try #require(await RemoteEmbedders.make(configuration).embedFailure(["a"]))
        #expect(error.kind == .connection)
        #expect(error.message.contains("connection refused"))
        #expect(error.message.contains("3 attempts"))
        #expect(error.message.contains("127.0.0.1:\(port)/api/embed"))
    }

    @Test func oneFailedBatchFailsTheCallAndStopsTheRest() async throws {
        let stub = try EmbeddingStub(format: .tei, dimension: 4, responseDelay: .milliseconds(50))
        stub.enqueue(.unauthorized)
        var configuration = stub.configuration()
        configuration.maxBatchCount = 1
        configuration.concurrency = 2
        let error = try #require(await RemoteEmbedders.make(configuration).embedFailure((0..<20).map { "t\($0)" }))
        #expect(error.kind == .authentication)
        #expect(stub.requests.count < 6)
    }

    @Test func cancellingTheCallerStopsTheRequests() async throws {
        let stub = try EmbeddingStub(format: .tei, dimension: 4, responseDelay: .seconds(3))
        let embedder = try RemoteEmbedders.make(stub.configuration())
        let task = Task { await embedder.embedFailure(["a", "b"]) }
        while stub.requests.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        let start = ContinuousClock.now
        task.cancel()
        let error = try #require(await task.value)
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(error.kind == .connection)
        #expect(error.message.contains("cancelled"))
        #expect(stub.requests.count == 1)
    }
}
