import CairnEmbedding
import Foundation
import Testing
import TestSupport

/// Defaults, validation messages that name the setting, the JSON form, and start-up dimension checks.
struct RemoteEmbedderConfigurationTests {
    @Test func providerDefaults() throws {
        let openAI = try EmbedderConfiguration(provider: .openai).validated()
        #expect(openAI.model == "text-embedding-3-small")
        #expect(openAI.baseURL == "https://api.openai.com")
        #expect(openAI.apiKeyEnvironmentVariable == "OPENAI_API_KEY")
        #expect(openAI.resolvedDimension == 1536)
        #expect(openAI.resolvedMaxInputTokens == 8191)
        #expect(openAI.modelID == "openai/text-embedding-3-small")
        let ollama = try EmbedderConfiguration(provider: .ollama, model: "nomic-embed-text:latest").validated()
        #expect(ollama.baseURL == "http://127.0.0.1:11434")
        #expect(ollama.apiKeyEnvironmentVariable == nil)
        #expect(ollama.resolvedDimension == 768)
        #expect(ollama.concurrency == 1)
        let builtin = try EmbedderConfiguration().validated()
        #expect(builtin.provider == .builtin)
        #expect(builtin.modelID == "all-MiniLM-L6-v2")
    }

    @Test func badSettingsAreNamed() {
        func message(_ change: (inout EmbedderConfiguration) -> Void, provider: EmbeddingProvider = .openai) -> String {
            var configuration = EmbedderConfiguration(provider: provider)
            change(&configuration)
            do {
                _ = try configuration.validated()
                return "valid"
            } catch {
                #expect(error.kind == .configuration)
                return error.message
            }
        }
        #expect(message { $0.maxBatchCount = 0 }.contains("max_batch_count = 0 is out of range: expected 1...2048"))
        #expect(message { $0.maxBatchTokens = 0 }.contains("max_batch_tokens = 0"))
        #expect(message { $0.concurrency = 100 }.contains("concurrency = 100"))
        #expect(message { $0.maxRetries = -1 }.contains("max_retries = -1"))
        #expect(message { $0.requestTimeout = .zero }.contains("timeout_seconds = 0"))
        #expect(message { $0.initialBackoff = .seconds(5); $0.maxBackoff = .seconds(1) }.contains("max_backoff_seconds = 1"))
        #expect(message { $0.baseURL = "api.openai.com" }.contains("base_url = \"api.openai.com\" must start with http://"))
        #expect(message { $0.baseURL = "https://" }.contains("is not a valid URL"))
        #expect(message { $0.apiKeyEnvironmentVariable = "1BAD" }.contains("api_key_env = \"1BAD\""))
        #expect(message { $0.apiKeyEnvironmentVariable = nil }.contains("api_key_env is required for openai"))
        #expect(message { $0.dimensions = 0 }.contains("dimensions = 0"))
        #expect(message { $0.dimensions = 256; $0.expectedDimension = 384 }.contains("they must agree"))
        #expect(message({ $0.dimensions = 256 }, provider: .ollama).contains("dimensions is an OpenAI request parameter"))
        #expect(message { $0.model = "my-finetune" }.contains("expected_dimension is required for model my-finetune"))
        #expect(message({ _ in }, provider: .tei).contains("model is required for tei"))
        #expect(message { $0.model = "my-finetune"; $0.expectedDimension = 512 } == "valid")
    }

    @Test func missingAPIKeyIsAConfigurationError() {
        do {
            _ = try OpenAIEmbedder(configuration: EmbedderConfiguration(provider: .openai), environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .configuration)
            #expect(error.message.contains("OPENAI_API_KEY"))
            #expect(error.message.contains("not set"))
        }
    }

    @Test func providerMustMatchTheEmbedder() {
        #expect(throws: EmbeddingError.self) {
            try OllamaEmbedder(configuration: EmbedderConfiguration(provider: .tei, model: "x"))
        }
        #expect(throws: EmbeddingError.self) { try RemoteEmbedders.make(EmbedderConfiguration(provider: .builtin)) }
    }

    @Test func jsonUsesConfigurationKeysAndProviderDefaults() throws {
        let json = #"{"provider":"openai","dimensions":256,"max_batch_count":100,"timeout_seconds":2.5,"initial_backoff_seconds":0.1}"#
        let decoded = try JSONDecoder().decode(EmbedderConfiguration.self, from: Data(json.utf8))
        #expect(decoded.provider == .openai)
        #expect(decoded.model == "text-embedding-3-small")
        #expect(decoded.apiKeyEnvironmentVariable == "OPENAI_API_KEY")
        #expect(decoded.dimensions == 256)
        #expect(decoded.maxBatchCount == 100)
        #expect(decoded.requestTimeout == .milliseconds(2500))
        #expect(decoded.initialBackoff == .milliseconds(100))
        #expect(decoded.maxBatchTokens == EmbedderConfiguration(provider: .openai).maxBatchTokens)
        let roundTrip = try JSONDecoder().decode(EmbedderConfiguration.self, from: JSONEncoder().encode(decoded))
        #expect(roundTrip == decoded)
    }

    @Test func startUpDimensionCheck() throws {
        try EmbedderConfiguration(provider: .openai).checkDimension(againstIndex: 1536)
        var shortened = EmbedderConfiguration(provider: .openai)
        shortened.dimensions = 384
        try shortened.checkDimension(againstIndex: 384)
        do {
            try EmbedderConfiguration(provider: .ollama, model: "nomic-embed-text").checkDimension(againstIndex: 384)
            Issue.record("expected a mismatch")
        } catch {
            #expect(error.kind == .dimensionMismatch(expected: 384, got: 768))
            #expect(error.message == "model nomic-embed-text returned 768-dimensional vectors but the index holds "
                + "384-dimensional ones; use a model that produces 384-dimensional vectors (or set expected_dimension "
                + "if the index is new), or re-create the index with dimension 768")
        }
    }
}
