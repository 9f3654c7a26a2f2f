import CairnIndex
import CairnKeyword
import CairnSQL
import CairnStorage
import Foundation
import Logging
import Synchronization

/// What ``MaterialLibrary/saveSnapshots()`` wrote.
public struct SnapshotSaveReport: Sendable, Hashable {
    /// Whether the chunk catalog was saved.
    public var catalog = false
    /// Whether the keyword index was saved.
    public var keywords = false
    /// Why the keyword index was not saved, when it was not.
    public var keywordsSkipped: String?
    /// Bytes written.
    public var bytes = 0
    public var seconds = 0.0
}

extension MaterialLibrary {
    /// The folder of the snapshots inside the data directory.
    public static let snapshotDirectoryName = "snapshots"

    static func catalogSnapshot(in dataDirectory: String) -> SnapshotFile {
        SnapshotFile(path: "\(dataDirectory)/\(snapshotDirectoryName)/chunk-catalog.snapshot")
    }

    static func keywordSnapshot(in dataDirectory: String) -> SnapshotFile {
        SnapshotFile(path: "\(dataDirectory)/\(snapshotDirectoryName)/keyword-index.snapshot")
    }

    var catalogSnapshot: SnapshotFile { Self.catalogSnapshot(in: dataDirectory) }
    var keywordSnapshot: SnapshotFile { Self.keywordSnapshot(in: dataDirectory) }

    /// Saves the chunk catalog and the keyword index, stamped with the store's generations, so that the next
    /// open adopts them instead of deriving them from the store again. Call at a clean shutdown, after the
    /// last write: any later change to the store's content makes them stale, and a stale snapshot is never
    /// adopted.
    ///
    /// The catalog and every chunk id are read from the store here, in the same read transaction as the stamp,
    /// so the saved catalog is what a start would derive whatever happened while the library ran. The keyword
    /// index, which cannot be re-derived that cheaply, is saved only when the library followed every change of
    /// the store's chunks since it was built (each chunk-changing transaction of its own started at the chunk
    /// generation the index was at, and was applied to it); otherwise its old snapshot is removed.
    @discardableResult
    public func saveSnapshots() throws(IngestError) -> SnapshotSaveReport {
        try writeLock.withLock { _ throws(IngestError) -> SnapshotSaveReport in
            let started = Date()
            var report = SnapshotSaveReport()
            // Files saved for exactly this store content (a start that adopted them and wrote nothing) stay.
            let saved = try? catalogSnapshot.header()
            let savedKeywords = try? keywordSnapshot.header()
            let (stamp, fresh) = try StoreStamp.readTogether(store) {
                (stamp: StoreStamp) throws(IngestError) -> ([MaterialID: ChunkCatalog.Entry], [ChunkID])? in
                if let saved, saved.stamp == stamp, saved.fingerprint == ChunkCatalog.snapshotFingerprint { return nil }
                var all: [ChunkID] = []
                let entries = try ChunkCatalog.read(store: store, ids: nil, allChunks: &all)
                return (entries, all.sorted())
            }
            if let (entries, allChunks) = fresh {
                let catalogBody = ChunkCatalog.snapshotBody(entries: entries, allChunks: allChunks)
                try catalogSnapshot.write(kind: .chunkCatalog, stamp: stamp,
                                          fingerprint: ChunkCatalog.snapshotFingerprint, body: catalogBody)
                report.bytes += catalogBody.count
            }
            report.catalog = true
            let followed = keywordGeneration.withLock { $0 }
            let savedStillCurrent = savedKeywords.map {
                $0.stamp.sameChunks(as: stamp) && $0.fingerprint == keywords.imageFingerprint
            } ?? false
            if keywordBuildReport == nil {
                // Never loaded here: a file saved for these very chunks stays usable.
                report.keywords = savedStillCurrent
                if !savedStillCurrent { report.keywordsSkipped = "the keyword index was not built" }
            } else if followed != stamp.chunkGeneration {
                report.keywordsSkipped = "the keyword index did not follow every change of the store's chunks (a "
                    + "change outside this library, or one the indexes failed to apply): the store is at chunk "
                    + "generation \(stamp.chunkGeneration), the index at \(followed.map(String.init) ?? "unknown")"
            } else if keywords.count != stamp.chunks {
                report.keywordsSkipped = "the keyword index holds \(keywords.count) chunks, the store \(stamp.chunks)"
            }
            if let skipped = report.keywordsSkipped {
                keywordSnapshot.remove()
                if keywordBuildReport != nil {
                    logger.warning("keyword index not saved; the next start builds it from the store",
                                   metadata: ["reason": "\(skipped)"])
                }
            } else if report.keywords || savedStillCurrent {
                report.keywords = true
            } else {
                let body = Self.keywordBody(keywords.image())
                try keywordSnapshot.write(kind: .keywordIndex, stamp: stamp, fingerprint: keywords.imageFingerprint,
                                          body: body)
                report.keywords = true
                report.bytes += body.count
            }
            report.seconds = Date().timeIntervalSince(started)
            return report
        }
    }

    /// The catalog saved for exactly `stamp`, loaded into `catalog`; nil otherwise. A stale file is removed; a
    /// damaged one is logged with its path and removed.
    /// - Returns: the store's chunk ids, ascending, as the snapshot holds them.
    static func adoptCatalogSnapshot(_ file: SnapshotFile, into catalog: ChunkCatalog, stamp: StoreStamp,
                                     logger: Logger) -> [ChunkID]? {
        do {
            guard let header = try file.header() else { return nil }
            guard header.kind == .chunkCatalog, header.stamp == stamp,
                  header.fingerprint == ChunkCatalog.snapshotFingerprint,
                  let (_, body) = try file.read()
            else {
                file.remove()
                return nil
            }
            do {
                return try catalog.restore(snapshotBody: body)
            } catch {
                throw IngestError(.storage, "snapshot \(file.path) is damaged: \(error)")
            }
        } catch {
            damaged(file, error, logger: logger)
            return nil
        }
    }

    /// Whether the keyword snapshot describes the chunks of `stamp` for a tokenizer of `fingerprint`; a stale
    /// file is removed, a damaged one logged and removed.
    static func keywordSnapshotMatches(_ file: SnapshotFile, stamp: StoreStamp, fingerprint: String,
                                       logger: Logger) -> Bool {
        do {
            guard let header = try file.header() else { return false }
            guard header.kind == .keywordIndex, header.stamp.sameChunks(as: stamp), header.fingerprint == fingerprint
            else {
                file.remove()
                return false
            }
            return true
        } catch {
            damaged(file, error, logger: logger)
            return false
        }
    }

    /// Loads the keyword snapshot into ``keywords`` when it describes the store's chunks as they are now.
    /// - Returns: the chunk generation the loaded index follows, or nil when it was not loaded.
    func adoptKeywordSnapshot() throws(IngestError) -> Int64? {
        let file = keywordSnapshot
        let stamp = try StoreStamp.read(store)
        guard Self.keywordSnapshotMatches(file, stamp: stamp, fingerprint: keywords.imageFingerprint, logger: logger)
        else { return nil }
        do {
            guard let (header, body) = try file.read(), header.stamp.sameChunks(as: stamp) else { return nil }
            do {
                try keywords.restore(try Self.keywordImage(body))
            } catch {
                throw IngestError(.storage, "snapshot \(file.path) is damaged: \(error)")
            }
            return stamp.chunkGeneration
        } catch {
            Self.damaged(file, error, logger: logger)
            keywords.removeAll()
            return nil
        }
    }

    private static func damaged(_ file: SnapshotFile, _ error: any Error, logger: Logger) {
        logger.warning("a snapshot is damaged; deriving it from the store", metadata: [
            "file": "\(file.path)", "error": "\(error)"])
        file.remove()
    }

    /// A keyword image as a snapshot body: its arrays in declaration order, then the total length.
    static func keywordBody(_ m: KeywordIndexImage) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(m.termBytes.count + m.postingSlots.count * 12 + m.labels.count * 29 + m.termOffsets.count * 20)
        bytes.appendArray(m.termBytes)
        bytes.appendArray(m.termOffsets)
        bytes.appendArray(m.documentFrequency)
        bytes.appendArray(m.postingOffsets)
        bytes.appendArray(m.postingSlots)
        bytes.appendArray(m.postingFrequencies)
        bytes.appendArray(m.labels)
        bytes.appendArray(m.lengths)
        bytes.appendArray(m.alive)
        bytes.appendArray(m.slotTermOffsets)
        bytes.appendArray(m.slotTermIDs)
        bytes.appendLE(m.totalLength.bitPattern)
        return bytes
    }

    static func keywordImage(_ body: [UInt8]) throws(ByteReader.Overrun) -> KeywordIndexImage {
        var r = ByteReader(body)
        var m = KeywordIndexImage()
        m.termBytes = try r.array()
        m.termOffsets = try r.array()
        m.documentFrequency = try r.array()
        m.postingOffsets = try r.array()
        m.postingSlots = try r.array()
        m.postingFrequencies = try r.array()
        m.labels = try r.array()
        m.lengths = try r.array()
        m.alive = try r.array()
        m.slotTermOffsets = try r.array()
        m.slotTermIDs = try r.array()
        m.totalLength = Double(bitPattern: try r.integer())
        guard r.atEnd else { throw ByteReader.Overrun(offset: r.offset) }
        return m
    }
}
