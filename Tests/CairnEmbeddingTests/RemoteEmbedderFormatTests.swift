import CairnEmbedding
import CairnHTTP
import Foundation
import Testing
import TestSupport

/// Each wire format end to end against the stub: request shape, headers, vectors in order, usage.
struct RemoteEmbedderFormatTests {
    static let texts = ["the quick brown fox", "jumps over", "the lazy dog", "ünïcödé and 漢字", ""]

    @Test(arguments: [EmbeddingProvider.openai, .ollama, .tei])
    func happyPath(_ format: EmbeddingProvider) async throws {
        let stub = try EmbeddingStub(format: format, dimension: 8)
        let embedder = try RemoteEmbedders.make(stub.configuration(model: "stub-model"), environment: stub.environment)
        let output = try await embedder.embed(Self.texts)
        #expect(output.vectors == Self.texts.map { EmbeddingStub.vector(for: $0, dimension: 8) })
        #expect(stub.requests.count == 1)
        let request = try #require(stub.requests.first)
        #expect(request.path == stub.path)
        #expect(request.headers["content-type"] == "application/json")
        #expect(stub.inputs(of: request) == Self.texts)
        let tokens = Self.texts.reduce(0) { $0 + EmbeddingStub.tokenCount($1) }
        #expect(output.usage == TokenUsage(promptTokens: tokens, totalTokens: tokens, requests: 1))
        #expect(embedder.model.dimension == 8)
        #expect(embedder.model.provider == format)
        #expect(embedder.model.id == "\(format.rawValue)/stub-model")
    }

    @Test func openAISendsModelBearerKeyAndDimensions() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 1536, apiKey: "sk-secret")
        var configuration = stub.configuration(model: "text-embedding-3-small")
        configuration.expectedDimension = nil
        configuration.dimensions = 16
        let embedder = try OpenAIEmbedder(configuration: configuration, environment: stub.environment)
        #expect(embedder.model.dimension == 16)
        #expect(embedder.model.id == "openai/text-embedding-3-small@16d")
        #expect(embedder.endpoint == stub.baseURL + "/v1/embeddings")
        let output = try await embedder.embed(["a", "b", "c"])
        #expect(output.vectors.map(\.count) == [16, 16, 16])
        #expect(output.vectors[2] == EmbeddingStub.vector(for: "c", dimension: 16))
        let request = try #require(stub.requests.first)
        #expect(request.headers["authorization"] == "Bearer sk-secret")
        let json = stub.json(of: request)
        #expect(json["model"] as? String == "text-embedding-3-small")
        #expect(json["dimensions"] as? Int == 16)
        #expect(json["encoding_format"] as? String == "float")
    }

    @Test func openAIOmitsDimensionsUnlessSet() async throws {
        let stub = try EmbeddingStub(format: .openai, dimension: 8)
        let embedder = try RemoteEmbedders.make(stub.configuration(), environment: stub.environment)
        _ = try await embedder.embed(["x"])
        #expect(stub.json(of: try #require(stub.requests.first))["dimensions"] == nil)
    }

    @Test func ollamaAndTEISendNoKeyUnlessConfigured() async throws {
        for format in [EmbeddingProvider.ollama, .tei] {
            let stub = try EmbeddingStub(format: format, dimension: 4)
            let embedder = try RemoteEmbedders.make(stub.configuration(), environment: [:])
            _ = try await embedder.embed(["x"])
            let request = try #require(stub.requests.first)
            #expect(request.headers["authorization"] == nil)
            #expect(stub.json(of: request)["truncate"] as? Bool == true)
        }
        let keyed = try EmbeddingStub(format: .tei, dimension: 4, apiKey: "tei-key")
        _ = try await RemoteEmbedders.make(keyed.configuration(), environment: keyed.environment).embed(["x"])
        #expect(keyed.requests.first?.headers["authorization"] == "Bearer tei-key")
    }

    @Test func emptyInputMakesNoRequest() async throws {
        let stub = try EmbeddingStub(format: .ollama)
        let output = try await RemoteEmbedders.make(stub.configuration()).embed([])
        #expect(output.vectors.isEmpty)
        #expect(output.usage == TokenUsage())
        #expect(stub.requests.isEmpty)
    }

    @Test func teiUsageFallsBackToTheEstimateWithoutHeader() async throws {
        let server = try StubHTTPServer { _ in .json("[[1,2],[3,4]]") }
        var configuration = EmbedderConfiguration(provider: .tei, model: "bge", baseURL: server.baseURL)
        configuration.expectedDimension = 2
        let embedder = try TEIEmbedder(configuration: configuration, tokenCounter: { $0.count })
        let output = try await embedder.embed(["abc", "de"])
        #expect(output.vectors == [[1, 2], [3, 4]])
        #expect(output.usage == TokenUsage(promptTokens: 5, totalTokens: 5, requests: 1))
    }

    @Test func endpoints() {
        #expect(OpenAIWireFormat.endpoint(baseURL: "https://api.openai.com") == "https://api.openai.com/v1/embeddings")
        #expect(OpenAIWireFormat.endpoint(baseURL: "https://api.openai.com/v1/") == "https://api.openai.com/v1/embeddings")
        #expect(OpenAIWireFormat.endpoint(baseURL: "http://h:1/proxy") == "http://h:1/proxy/v1/embeddings")
        #expect(OllamaWireFormat.endpoint(baseURL: "http://127.0.0.1:11434/") == "http://127.0.0.1:11434/api/embed")
        #expect(TEIWireFormat.endpoint(baseURL: "http://tei:8080") == "http://tei:8080/embed")
    }
}

extension Embedder {
    /// The error embedding `texts` threw, or nil if it succeeded.
    func embedFailure(_ texts: [String]) async -> EmbeddingError? {
        do {
            _ = try await embed(texts)
            return nil
        } catch {
            return error
        }
    }
}
