import CairnSQL

/// What a snapshot of state derived from the store was derived from: the store's random id
/// (`mirror_config.store_id`), its content and chunk generations, chunk count and highest chunk id, read in
/// one read transaction.
///
/// The chunk catalog is adopted only when the store reads the same stamp; the keyword index, built from chunk
/// texts alone, when the store id, the chunk generation and the counts match (``sameChunks(as:)``). The
/// generations change with every change of their rows; the id and the counts guard against a store replaced
/// by another whose counters happen to match.
struct StoreStamp: Sendable, Hashable, CustomStringConvertible {
    var storeID: String
    var generation: Int64
    var chunkGeneration: Int64
    var chunks: Int64
    var maxChunkID: Int64

    var description: String {
        "store \(storeID), generation \(generation), chunk generation \(chunkGeneration), \(chunks) chunks, "
            + "max id \(maxChunkID)"
    }

    /// Whether `other` describes the same chunks (metadata and statuses may differ).
    func sameChunks(as other: StoreStamp) -> Bool {
        storeID == other.storeID && chunkGeneration == other.chunkGeneration && chunks == other.chunks
            && maxChunkID == other.maxChunkID
    }

    /// Reads the stamp in one read transaction of the store's reader.
    static func read(_ store: MaterialStore) throws(IngestError) -> StoreStamp {
        try readTogether(store) { (_: StoreStamp) throws(IngestError) in () }.0
    }

    /// Reads the stamp and runs `body` (given the stamp) in the same read transaction of the store's reader,
    /// so that what `body` reads is labelled by exactly this stamp.
    static func readTogether<T>(_ store: MaterialStore, _ body: (StoreStamp) throws(IngestError) -> T)
        throws(IngestError) -> (StoreStamp, T)
    {
        let db = store.reader
        do {
            return try db.transaction(.deferred) { () throws -> (StoreStamp, T) in
                let generation = try store.contentGeneration(database: db)
                let chunkGeneration = try store.chunkGeneration(database: db)
                let storeID = try db.queryValue("SELECT store_id FROM mirror_config WHERE id = 1", as: String.self)
                guard let row = try db.queryFirst("SELECT count(*), coalesce(max(id), 0) FROM material_chunks")
                else { throw IngestError(.storage, "\(store.path): counting chunks returned no row") }
                let stamp = StoreStamp(storeID: storeID ?? "", generation: generation, chunkGeneration: chunkGeneration,
                                       chunks: try row.get(0), maxChunkID: try row.get(1))
                return (stamp, try body(stamp))
            }
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError(.storage, "reading the content stamp of \(store.path): \(error)")
        }
    }
}
