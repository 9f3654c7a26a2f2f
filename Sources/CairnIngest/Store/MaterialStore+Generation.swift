public import CairnSQL
import Synchronization

extension MaterialStore {
    /// The store's content generation: advanced by every change to materials, provenance or chunks, in the
    /// changing transaction (see `StoreSchema.contentGeneration`). Read from `database`'s current view.
    ///
    /// Whatever is saved with a generation must read it in the same read transaction as the rows it is built
    /// from; read apart, a commit between the two reads would label the copy with the wrong generation.
    /// - Throws: ``IngestError`` `.storage` when the read fails or the counter's row is missing (a damaged store:
    ///   migration 0005 creates it).
    public func contentGeneration(database: SQLiteDatabase? = nil) throws(IngestError) -> Int64 {
        let db = database ?? reader
        let value: Int64?
        do {
            value = try db.queryValue("SELECT generation FROM content_generation WHERE id = 1", as: Int64.self)
        } catch {
            throw IngestError(.storage, "reading the content generation of \(path): \(error)")
        }
        guard let value else {
            throw IngestError(.storage, "\(path): the content_generation row is missing; the store is damaged")
        }
        return value
    }

    /// The store's chunk generation (migration 0006): advanced only by changes to `material_chunks`. Read
    /// from `database`'s current view.
    public func chunkGeneration(database: SQLiteDatabase? = nil) throws(IngestError) -> Int64 {
        let db = database ?? reader
        let value: Int64?
        do {
            value = try db.queryValue("SELECT chunk_generation FROM content_generation WHERE id = 1", as: Int64.self)
        } catch {
            throw IngestError(.storage, "reading the chunk generation of \(path): \(error)")
        }
        guard let value else {
            throw IngestError(.storage, "\(path): the content_generation row is missing; the store is damaged")
        }
        return value
    }

    /// Runs a write that changes chunks and records the chunk generation before and after it, read inside its
    /// transaction (``lastChunkStep``): the library follows its own changes with it, and a step that does not
    /// start where its copy ended shows that someone else changed chunks in between.
    func writeChunks<T>(_ what: String, _ body: () throws -> T) throws(IngestError) -> T {
        try write(what) { () throws -> T in
            let before = try chunkGeneration(database: database)
            let result = try body()
            let after = try chunkGeneration(database: database)
            chunkStep.withLock { $0 = ChunkGenerationStep(before: before, after: after) }
            return result
        }
    }

    /// The chunk generation before and after the last chunk-changing transaction this store object committed
    /// (``commitMaterials(_:failures:bulkJob:model:)``, a material's deletion); nil before the first.
    public var lastChunkStep: ChunkGenerationStep? { chunkStep.withLock { $0 } }
}

/// A transaction's effect on the chunk generation.
public struct ChunkGenerationStep: Sendable, Hashable {
    public var before: Int64
    public var after: Int64
}
