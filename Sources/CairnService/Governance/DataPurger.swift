public import CairnDialogue
import CairnEmbedding
public import CairnIngest
public import Foundation

/// What a retention run or an erasure removed.
public struct PurgeReport: Sendable, Hashable {
    public var materials = 0
    public var chunks = 0
    public var embeddingCacheEntries = 0
    public var dialogues = 0
    public var retrievals = 0
    /// The audit record written (nil when there was nothing to purge).
    public var auditID: Int64?
    /// The days whose rollups counted erased answers (rolled up again by the caller).
    public var days: [String] = []

    public init() {}
}

/// Retention and erasure over one data directory: materials leave the index, the store (and so the mirror,
/// through the outbox) and the embedding cache; dialogue records of an erased user and the retrievals they
/// joined leave the store; each run leaves one audit record (see `PurgeLedger`). Used by `cairn serve` and
/// by `cairn retention run`.
public struct DataPurger: Sendable {
    public let library: MaterialLibrary
    public let ledger: PurgeLedger
    public let dataDirectory: String

    public init(library: MaterialLibrary, ledger: PurgeLedger, dataDirectory: String) {
        self.library = library
        self.ledger = ledger
        self.dataDirectory = dataDirectory
    }

    /// Deletes every material whose retention has ended by `now`; dialogue records that cited them keep their
    /// provenance snapshots.
    public func retention(now: Date = Date()) throws(ServiceError) -> PurgeReport {
        let due = try ServiceError.catching { () throws(DialogueError) in try ledger.expiredMaterials(now: now) }
        guard !due.isEmpty else { return PurgeReport() }
        var report = try purge(due)
        report.auditID = try ServiceError.catching { () throws(DialogueError) in
            try ledger.recordRetention(due, chunks: report.chunks, cacheEntries: report.embeddingCacheEntries, now: now)
        }
        return report
    }

    /// Erases a user's dialogue records (with the retrievals they joined) and the materials they own. Running it
    /// again finishes an erasure a crash cut short.
    public func erase(userID: String, requestedBy keyID: Int64?) throws(ServiceError) -> PurgeReport {
        let owned = try ServiceError.catching { () throws(DialogueError) in try ledger.materials(owner: userID) }
        var report = try purge(owned)
        let (erasure, auditID) = try ServiceError.catching { () throws(DialogueError) in
            try ledger.eraseDialogues(userID: userID, materials: owned, chunks: report.chunks,
                                      cacheEntries: report.embeddingCacheEntries, requestedBy: keyID)
        }
        report.dialogues = erasure.dialogues
        report.retrievals = erasure.retrievals
        report.auditID = auditID
        report.days = erasure.days
        return report
    }

    /// Deletes materials from store, index and catalog, then their chunks' texts from the embedding cache.
    private func purge(_ materials: [PurgeLedger.Material]) throws(ServiceError) -> PurgeReport {
        var report = PurgeReport()
        for material in materials {
            let removed: Int?
            do {
                removed = try library.delete(MaterialID(rawValue: material.id))
            } catch {
                throw ServiceError(error)
            }
            if let removed {
                report.materials += 1
                report.chunks += removed
            }
        }
        let texts = materials.flatMap(\.chunkTexts)
        if !texts.isEmpty {
            do {
                report.embeddingCacheEntries = try EmbeddingCache(dataDirectory: dataDirectory).remove(texts: texts)
            } catch {
                throw .failure("removing purged texts from the embedding cache: \(error)")
            }
        }
        return report
    }

}
