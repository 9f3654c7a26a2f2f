import Foundation

/// Builds the embedder a configuration asks for, optionally behind the persistent ``EmbeddingCache``.
public enum EmbedderFactory {
    /// Where the built-in model lives: `$CAIRN_MODEL_DIR`, else `<data-dir>/models/all-MiniLM-L6-v2`, else
    /// (for a data directory the set-up script did not fill) the default data directory's copy,
    /// `index-data/models/all-MiniLM-L6-v2` under the working directory, when that one is installed.
    public static func modelDirectory(dataDirectory: String) -> String {
        if let dir = ProcessInfo.processInfo.environment["CAIRN_MODEL_DIR"], !dir.isEmpty { return dir }
        let own = (dataDirectory as NSString).appendingPathComponent("models/all-MiniLM-L6-v2")
        let fallback = "index-data/models/all-MiniLM-L6-v2"
        let manager = FileManager.default
        if !manager.fileExists(atPath: own + "/model.safetensors"), manager.fileExists(atPath: fallback + "/model.safetensors") {
            return fallback
        }
        return own
    }

    /// The built-in all-MiniLM-L6-v2.
    /// - Parameter threads: threads per `embed` call; 0 for every core.
    public static func makeBuiltin(dataDirectory: String, threads: Int = 0) throws(EmbeddingError) -> any Embedder {
        try BuiltinEmbedder(modelDirectory: modelDirectory(dataDirectory: dataDirectory), threads: threads)
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
