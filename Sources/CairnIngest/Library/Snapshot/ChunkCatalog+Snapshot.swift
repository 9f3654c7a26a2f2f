extension ChunkCatalog {
    /// What a saved catalog depends on besides the store: the revision of what ``read(store:ids:allChunks:)``
    /// derives. Raise it when that changes.
    static let snapshotFingerprint = "catalog r1"

    /// A catalog of `entries` and every chunk id of the store (ascending), as a snapshot body: the material
    /// count (u64), then per material its id, owner, external id, topic, tags, language, content type, licence
    /// type and chunk labels; then the chunk ids.
    static func snapshotBody(entries: [MaterialID: Entry], allChunks: [ChunkID]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(allChunks.count * 16 + entries.count * 128)
        bytes.appendLE(UInt64(entries.count))
        for (id, e) in entries.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            bytes.appendLE(id.rawValue)
            bytes.appendString(e.owner)
            bytes.appendString(e.externalID)
            bytes.appendString(e.topic)
            bytes.appendLE(UInt32(e.tags.count))
            for tag in e.tags.sorted() { bytes.appendString(tag) }
            bytes.appendString(e.language)
            bytes.appendString(e.contentType)
            bytes.appendString(e.licenseType)
            bytes.appendArray(e.labels)
        }
        bytes.appendArray(allChunks.map(\.rawValue))
        return bytes
    }

    /// Replaces the catalog's content with a snapshot body's.
    /// - Returns: the store's chunk ids the body holds, ascending.
    /// - Throws: ``ByteReader/Overrun`` when the body ends early, runs on, or its chunk ids do not ascend.
    func restore(snapshotBody body: [UInt8]) throws(ByteReader.Overrun) -> [ChunkID] {
        var r = ByteReader(body)
        let count: UInt64 = try r.integer()
        var entries: [MaterialID: Entry] = [:]
        // The smallest material takes 44 bytes: a count beyond that is a damaged file, not a reservation.
        entries.reserveCapacity(Int(min(count, UInt64(body.count / 44))))
        for _ in 0..<count {
            let id = MaterialID(rawValue: try r.integer())
            let owner = try r.string()
            let externalID = try r.optionalString()
            let topic = try r.optionalString()
            let tagCount: UInt32 = try r.integer()
            var tags = Set<String>()
            for _ in 0..<tagCount { tags.insert(try r.string()) }
            entries[id] = Entry(owner: owner, externalID: externalID, topic: topic, tags: tags,
                                language: try r.optionalString(), contentType: try r.optionalString(),
                                licenseType: try r.optionalString(), labels: try r.array(of: UInt64.self))
        }
        let chunks = try r.array(of: Int64.self).map(ChunkID.init(rawValue:))
        guard r.atEnd, zip(chunks, chunks.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ByteReader.Overrun(offset: r.offset)
        }
        replace(with: entries)
        return chunks
    }
}
