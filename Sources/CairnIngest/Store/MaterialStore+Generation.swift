public import CairnSQL

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
}
