import Foundation

/// Builds the embedder a configuration asks for, optionally behind the persistent ``EmbeddingCache``.
public enum EmbedderFactory {
    /// Where the built-in model lives: the first place ``ModelLocator`` finds it, else the data directory's own
    /// `models/all-MiniLM-L6-v2` (where `scripts/bootstrap.sh` installs it).
    public static func modelDirectory(dataDirectory: String) -> String {
        ModelLocator.locate(dataDirectory: dataDirectory)
            ?? ModelLocator.candidates(dataDirectory: dataDirectory)[0]
    }

    /// The built-in all-MiniLM-L6-v2.
    /// - Parameter threads: threads per `embed` call; 0 for every core.
    /// - Throws: ``EmbeddingError/Kind/modelMissing`` listing every place looked at when none holds the model.
    public static func makeBuiltin(dataDirectory: String, threads: Int = 0) throws(EmbeddingError) -> any Embedder {
        guard let directory = ModelLocator.locate(dataDirectory: dataDirectory) else {
            let places = ModelLocator.candidates(dataDirectory: dataDirectory)
            throw EmbeddingError(.modelMissing, "\(ModelLocator.modelName) not found; looked in "
                + places.joined(separator: ", ") + ". Install it with `bash scripts/bootstrap.sh` (into "
                + "\(places[0])) or point CAIRN_MODEL_DIR at a directory holding model.safetensors and vocab.txt")
        }
        return try BuiltinEmbedder(modelDirectory: directory, threads: threads)
    }

    /// The embedder of `configuration`: the built-in model or a remote API.
    /// - Parameters:
    ///   - cached: wrap it in the cache at `<data-dir>/embedding-cache.sqlite3`, so unchanged text is never
    ///     embedded twice.
    ///   - threads: threads of the built-in model; 0 for every core.
    public static func make(
        _ configuration: EmbedderConfiguration, dataDirectory: String, cached: Bool = false, threads: Int = 0
    ) throws(EmbeddingError) -> any Embedder {
        let embedder: any Embedder
        if configuration.provider == .builtin {
            embedder = try makeBuiltin(dataDirectory: dataDirectory, threads: threads)
        } else {
            embedder = try RemoteEmbedders.make(configuration)
        }
        guard cached else { return embedder }
        do {
            return CachedEmbedder(embedder, cache: try EmbeddingCache(dataDirectory: dataDirectory))
        } catch {
            throw EmbeddingError(.configuration, "embedding cache: \(error)")
        }
    }
}
