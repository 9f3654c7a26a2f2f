import ArgumentParser
import CairnEmbedding
import Foundation

/// Which embedder a command uses: the built-in model by default, or a remote API.
struct EmbedderOptions: ParsableArguments {
    @Option(help: "Embedding provider: builtin, openai, ollama or tei.")
    var provider: EmbeddingProvider = .builtin

    @Option(help: "Model name (remote providers).")
    var model: String?

    @Option(help: "Base URL of the remote API.")
    var baseURL: String?

    @Option(help: "Environment variable holding the API key.")
    var apiKeyEnv: String?

    @Option(help: "Threads of the built-in model (0: all cores).")
    var threads: Int = 0

    /// The provider settings these flags give.
    var configuration: EmbedderConfiguration {
        var config = EmbedderConfiguration(provider: provider, model: model, baseURL: baseURL)
        if let apiKeyEnv { config.apiKeyEnvironmentVariable = apiKeyEnv }
        return config
    }

    /// The configured embedder (`config` overrides these flags' configuration), behind the embedding cache in
    /// `dataDirectory` when `cached`.
    func make(dataDirectory: String, cached: Bool, config: EmbedderConfiguration? = nil) throws -> any Embedder {
        let config = config ?? configuration
        switch Result(catching: { () throws(EmbeddingError) in
            try EmbedderFactory.make(config, dataDirectory: dataDirectory, cached: cached, threads: threads)
        }) {
        case .success(let embedder): return embedder
        case .failure(let error): throw CLIError(error.description)
        }
    }
}
