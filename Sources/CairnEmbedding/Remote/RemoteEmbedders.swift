public import CairnHTTP
import Foundation

/// OpenAI's `POST /v1/embeddings` (and compatible servers).
public typealias OpenAIEmbedder = RemoteEmbedder<OpenAIWireFormat>
/// Ollama's `POST /api/embed`.
public typealias OllamaEmbedder = RemoteEmbedder<OllamaWireFormat>
/// Hugging Face Text Embeddings Inference's `POST /embed`.
public typealias TEIEmbedder = RemoteEmbedder<TEIWireFormat>

/// Builds the remote embedder a configuration names.
public enum RemoteEmbedders {
    /// The embedder for `configuration.provider` (`openai`, `ollama` or `tei`).
    ///
    /// - Throws: ``EmbeddingError/Kind/configuration`` for the built-in provider (not remote), a bad
    ///   setting, or a missing API key.
    public static func make(
        _ configuration: EmbedderConfiguration, client: HTTPClient = .shared,
        environment: [String: String]? = nil
    ) throws(EmbeddingError) -> any Embedder {
        switch configuration.provider {
        case .openai: try OpenAIEmbedder(configuration: configuration, client: client, environment: environment)
        case .ollama: try OllamaEmbedder(configuration: configuration, client: client, environment: environment)
        case .tei: try TEIEmbedder(configuration: configuration, client: client, environment: environment)
        case .builtin: throw EmbeddingError(.configuration, "provider = builtin is not a remote embedding API")
        }
    }
}

extension EmbeddingError {
    /// The error for vectors whose dimension differs from the index's, with what to change.
    ///
    /// ```
    /// model nomic-embed-text returned 768-dimensional vectors but the index holds 384-dimensional ones;
    /// use a model that produces 384-dimensional vectors, or re-create the index with dimension 768
    /// ```
    public static func dimensionMismatch(
        model: String, provider: EmbeddingProvider, produced: Int, indexDimension: Int
    ) -> EmbeddingError {
        let shortenable = KnownEmbeddingModel.lookup(provider: provider, model: model)?.acceptsDimensions ?? false
        let fix = shortenable && produced > indexDimension
            ? "set dimensions = \(indexDimension) to have the API shorten them, or re-create the index with dimension \(produced)"
            : "use a model that produces \(indexDimension)-dimensional vectors (or set expected_dimension if the "
                + "index is new), or re-create the index with dimension \(produced)"
        return EmbeddingError(
            .dimensionMismatch(expected: indexDimension, got: produced),
            "model \(model) returned \(produced)-dimensional vectors but the index holds \(indexDimension)-dimensional ones; \(fix)")
    }
}

extension EmbedderConfiguration {
    /// Checks, at start-up, that this configuration yields vectors of the index's dimension.
    ///
    /// - Throws: ``EmbeddingError/Kind/dimensionMismatch(expected:got:)`` naming the model, both dimensions
    ///   and the setting to change.
    public func checkDimension(againstIndex indexDimension: Int) throws(EmbeddingError) {
        guard let produced = dimensions ?? KnownEmbeddingModel.lookup(provider: provider, model: model)?.dimension
                ?? expectedDimension,
              produced != indexDimension else { return }
        throw EmbeddingError.dimensionMismatch(
            model: model, provider: provider, produced: produced, indexDimension: indexDimension)
    }
}
