public import CairnSQL
import Foundation
import Synchronization

/// Embeddings already computed, persisted in `<data-dir>/embedding-cache.sqlite3`, so re-indexing unchanged
/// text makes no model or API call.
///
/// An entry is keyed by SHA-256 of (model id, a 0x00 byte, the text's UTF-8 bytes) and holds the dimension,
/// the vector as little-endian float32, the token count when the model reported it, the creation time and a
/// hit counter. An entry whose dimension differs from the model's (e.g. after the API's `dimensions` setting
/// changed) reads as a miss and is overwritten by the next ``store(model:texts:vectors:tokenCounts:)``.
///
/// The file is an SQLite database opened with `synchronous=NORMAL`: a crash of the machine may lose the last
/// entries, which only costs re-embedding them, never a damaged file. A file that is damaged or is not a
/// database is reported with its path and left in place for the operator to move aside; it is never deleted.
///
/// ```swift
/// let cache = try EmbeddingCache(dataDirectory: "index-data")
/// let embedder = CachedEmbedder(builtin, cache: cache)
/// _ = try await embedder.embed(chunks)   // computes and stores
/// _ = try await embedder.embed(chunks)   // served from the cache: no model call
/// print(cache.statistics.hits)
/// ```
///
/// Safe to share between threads: the connection serialises its calls and the counters sit behind a mutex.
public final class EmbeddingCache: Sendable {
    /// The cache file's name inside the data directory.
    public static let fileName = "embedding-cache.sqlite3"

    /// The cache file.
    public let path: String
    let database: SQLiteDatabase
    private let counters = Mutex(EmbeddingCacheStatistics())

    /// Opens (creating it and the directory when missing) the cache in `dataDirectory`.
    ///
    /// - Throws: ``SQLError`` whose message names the file: ``SQLError/Kind/corruption`` when it is damaged or
    ///   not a database, ``SQLError/Kind/serviceError`` when it cannot be opened.
    public convenience init(dataDirectory: String) throws(SQLError) {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw SQLError(code: 14 /* SQLITE_CANTOPEN */,
                           message: "cannot create data directory \(dataDirectory): \(error)",
                           path: dataDirectory, kind: .serviceError, underlying: error)
        }
        try self.init(path: dataDirectory + "/" + Self.fileName)
    }

    /// Opens (creating it when missing) the cache file at `path`.
    ///
    /// - Throws: ``SQLError`` whose message names the file (see ``init(dataDirectory:)``).
    public init(path: String) throws(SQLError) {
        self.path = path
        do {
            database = try SQLiteDatabase(path: path, options: .init(synchronous: .normal))
            try database.migrate(Self.migrations)
        } catch {
            throw Self.described(error, path: path)
        }
    }

    static let migrations = [
        Migration("0001_embedding_cache", sql: """
            CREATE TABLE embedding_cache (
                key BLOB PRIMARY KEY NOT NULL CHECK (length(key) = 32),
                model TEXT NOT NULL,
                dimension INTEGER NOT NULL CHECK (dimension > 0),
                vector BLOB NOT NULL,
                token_count INTEGER,
                created_at INTEGER NOT NULL,
                hits INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX embedding_cache_model ON embedding_cache (model);
            """),
    ]

    /// The cache key of `text` under model `modelID`: SHA-256 of the id, a 0x00 byte and the text (UTF-8).
    public static func key(model modelID: String, text: String) -> [UInt8] {
        var bytes = Array(modelID.utf8)
        bytes.append(0)
        bytes.append(contentsOf: text.utf8)
        return SHA256.hash(bytes)
    }

    /// The cached vector of each text under `model`, in order; nil where the text is not cached (or was cached
    /// with another dimension). One query serves many keys.
    ///
    /// - Throws: ``SQLError`` naming the cache file.
    public func lookup(model: EmbeddingModelInfo, texts: [String]) throws(SQLError) -> [[Float]?] {
        try entries(model: model, texts: texts).entries.map { $0?.vector }
    }

    /// Stores `vectors[i]` as the embedding of `texts[i]` under `model`, all in one transaction, replacing any
    /// entry with the same key.
    ///
    /// - Parameter tokenCounts: tokens of each text as the model counted them, when known.
    /// - Throws: ``SQLError``: a ``SQLError/Kind/userError`` when the counts differ or a vector's length is not
    ///   `model.dimension`; otherwise errors of the file, naming it.
    public func store(
        model: EmbeddingModelInfo, texts: [String], vectors: [[Float]], tokenCounts: [Int]? = nil
    ) throws(SQLError) {
        try store(model: model, keys: texts.map { Self.key(model: model.id, text: $0) }, vectors: vectors,
                  tokenCounts: tokenCounts)
    }

    /// Lookups and stores counted since this cache was opened.
    public var statistics: EmbeddingCacheStatistics {
        counters.withLock { $0 }
    }

    /// Entries in the file (for one model id, or all).
    public func entryCount(model modelID: String? = nil) throws(SQLError) -> Int {
        do {
            if let modelID {
                return try database.queryValue("SELECT count(*) FROM embedding_cache WHERE model = ?",
                                               [.text(modelID)], as: Int.self) ?? 0
            }
            return try database.queryValue("SELECT count(*) FROM embedding_cache", as: Int.self) ?? 0
        } catch {
            throw Self.described(error, path: path)
        }
    }

    /// Deletes the entries of one model id (or every entry); returns how many were removed.
    @discardableResult
    public func removeEntries(model modelID: String? = nil) throws(SQLError) -> Int {
        do {
            if let modelID {
                return try database.execute("DELETE FROM embedding_cache WHERE model = ?", [.text(modelID)])
            }
            return try database.execute("DELETE FROM embedding_cache")
        } catch {
            throw Self.described(error, path: path)
        }
    }

    func count(hits: Int, misses: Int, stored: Int) {
        counters.withLock {
            $0.hits += hits
            $0.misses += misses
            $0.stored += stored
        }
    }

    /// `error` with a message that says it concerns the embedding cache at `path` and, for a damaged file,
    /// what the operator can do.
    static func described(_ error: SQLError, path: String) -> SQLError {
        var message = "embedding cache \(path): \(error.message)"
        if error.kind == .corruption {
            message += "; the file is damaged or is not an SQLite database and was left as it is — move it aside "
                + "or delete it to start with an empty cache"
        }
        return SQLError(code: error.code, message: message, sql: error.sql, path: path, kind: error.kind,
                        underlying: error)
    }
}

/// Hits and misses of an ``EmbeddingCache`` since it was opened.
public struct EmbeddingCacheStatistics: Sendable, Hashable, Codable {
    /// Texts found with a vector of the model's dimension.
    public var hits = 0
    /// Texts not found (or found with another dimension).
    public var misses = 0
    /// Vectors written.
    public var stored = 0

    public init(hits: Int = 0, misses: Int = 0, stored: Int = 0) {
        self.hits = hits
        self.misses = misses
        self.stored = stored
    }

    /// Hits over lookups (0 before the first lookup).
    public var hitRate: Double {
        hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses)
    }
}

extension EmbeddingCache {
    /// Deletes the entries of `texts` under every model the cache holds (erasure and retention: no embedding
    /// of a purged text stays behind); returns how many were removed.
    @discardableResult
    public func remove(texts: [String]) throws(SQLError) -> Int {
        guard !texts.isEmpty else { return 0 }
        do {
            let models = try database.query("SELECT DISTINCT model FROM embedding_cache").map { try $0.get(0, as: String.self) }
            return try database.transaction(.immediate) { () throws -> Int in
                var removed = 0
                try database.withStatement("DELETE FROM embedding_cache WHERE key = ?") { statement in
                    for model in models {
                        for text in Set(texts) {
                            removed += try statement.execute([.blob(Self.key(model: model, text: text))])
                        }
                    }
                }
                return removed
            }
        } catch let error as SQLError {
            throw Self.described(error, path: path)
        } catch {
            throw SQLError.invalidArgument("embedding cache \(path): \(error)", path: path)
        }
    }
}
