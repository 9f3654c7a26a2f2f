public import CairnSQL
import Foundation
import Synchronization

/// The embedded relational store: materials, their chunks (text, locators, embeddings), provenance and
/// processing jobs, in one SQLite database under the data directory.
///
/// The database runs in WAL mode with foreign keys on and `synchronous = FULL`, so a committed transaction
/// survives `kill -9` and power loss. Migrations (``StoreSchema``) are applied when it opens and recorded in
/// `schema_migrations`; a failed migration stops the open with its error.
///
/// ```swift
/// let store = try MaterialStore(dataDirectory: "index-data")
/// if let existing = try store.completedMaterial(owner: "t1", sha256: hash) { … unchanged … }
/// ```
public final class MaterialStore: Sendable {
    /// The database file's name inside the data directory.
    public static let fileName = "cairn.sqlite3"

    /// The database file.
    public let path: String
    /// The connection (serialised by its own lock; transactions hold it for their whole body).
    public let database: SQLiteDatabase
    /// A second connection for the read paths of searches and listings: in WAL mode it reads the last
    /// committed state without waiting for a transaction that ingestion holds open on ``database``.
    public let reader: SQLiteDatabase
    /// See ``lastChunkStep``.
    let chunkStep = Mutex<ChunkGenerationStep?>(nil)

    /// Opens (creating it and the directory when missing) the store in `dataDirectory` and migrates it.
    public convenience init(dataDirectory: String) throws(IngestError) {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw IngestError(.storage, "cannot create data directory \(dataDirectory): \(error)")
        }
        try self.init(path: dataDirectory + "/" + Self.fileName)
    }

    /// Opens (creating it when missing) the store at `path` and applies pending migrations.
    /// - Throws: ``IngestError`` `.storage` naming the file and, for a failed migration, the migration.
    public init(path: String) throws(IngestError) {
        self.path = path
        do {
            database = try SQLiteDatabase(path: path, options: .init(synchronous: .full))
            try database.migrate(StoreSchema.migrations)
            reader = try SQLiteDatabase(path: path, options: .init(synchronous: .full))
        } catch {
            throw IngestError(.storage, "material store \(path): \(error)")
        }
    }

    /// Runs `body` in one transaction, mapping SQL failures to ``IngestError``.
    func write<T>(_ what: String, _ body: () throws -> T) throws(IngestError) -> T {
        do {
            return try database.transaction(.immediate, body)
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError(.storage, "\(what): \(error)")
        }
    }

    /// Runs a read, mapping SQL failures to ``IngestError``.
    func read<T>(_ what: String, _ body: () throws -> T) throws(IngestError) -> T {
        do {
            return try body()
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError(.storage, "\(what): \(error)")
        }
    }
}

// MARK: - Encoding helpers

extension MaterialStore {
    static func jsonArray(_ values: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: values, options: [.withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A stored JSON list of strings (tags, a heading path); empty when missing or not a list.
    public static func stringArray(_ json: String?) -> [String] {
        guard let json, let array = JSONText.value(json) as? [String] else { return [] }
        return array
    }
}
