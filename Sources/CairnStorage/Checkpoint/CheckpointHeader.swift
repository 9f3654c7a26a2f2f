import CairnVectorMath

/// The header page of a checkpoint file; see ``CheckpointFile`` for the layout.
struct CheckpointHeader: Equatable {
    var lsn: UInt64
    var metadata: [UInt8]
    var sections: [CheckpointSectionInfo]

    /// The 4096-byte header page, checksum included.
    func encode() -> [UInt8] {
        typealias F = CheckpointFile
        var page = F.magic
        page.reserveCapacity(F.pageSize)
        page.appendLittleEndian(F.version)
        page.appendLittleEndian(UInt32(F.pageSize))
        page.appendLittleEndian(lsn)
        page.appendLittleEndian(UInt32(metadata.count))
        page.appendLittleEndian(UInt32(0))
        page.append(contentsOf: metadata)
        page.append(contentsOf: repeatElement(0, count: F.sectionCountOffset - page.count))
        page.appendLittleEndian(UInt32(sections.count))
        page.appendLittleEndian(UInt32(0))
        for section in sections {
            page.appendLittleEndian(section.kind)
            page.appendLittleEndian(section.index)
            page.appendLittleEndian(UInt64(section.offset))
            page.appendLittleEndian(UInt64(section.length))
            page.appendLittleEndian(section.checksum)
            page.appendLittleEndian(UInt32(0))
        }
        page.append(contentsOf: repeatElement(0, count: F.checksumOffset - page.count))
        page.appendLittleEndian(page.crc32c(in: 0..<F.checksumOffset))
        return page
    }

    /// Parses and checks a header page against a file of `fileSize` bytes.
    ///
    /// Checks the magic, version, header length and checksum, then that every section lies page-aligned
    /// inside the file without overlapping another and that no (kind, index) pair repeats.
    /// - Throws: ``StorageError/Kind/corruption`` naming `path` and what is wrong.
    static func decode(_ page: UnsafeRawBufferPointer, fileSize: Int, path: String) throws(StorageError) -> Self {
        typealias F = CheckpointFile
        let name = "checkpoint \(path)"
        guard page.count >= F.pageSize else {
            throw .corruption("\(name): file is \(page.count) bytes, shorter than the \(F.pageSize)-byte header")
        }
        guard page.prefix(8).elementsEqual(F.magic) else {
            throw .corruption("\(name): bad magic (not a Cairn checkpoint)")
        }
        let version = page.loadLittleEndian(UInt32.self, at: 8)
        guard version == F.version else {
            throw .corruption("\(name): unsupported format version \(version) (expected \(F.version))")
        }
        let stored = page.loadLittleEndian(UInt32.self, at: F.checksumOffset)
        let computed = crc32c(UnsafeRawBufferPointer(rebasing: page[0..<F.checksumOffset]))
        guard stored == computed else {
            throw .corruption(
                "\(name): header checksum mismatch (expected \(hex32(stored)), found \(hex32(computed)))")
        }
        let headerLength = page.loadLittleEndian(UInt32.self, at: 12)
        guard headerLength == F.pageSize else {
            throw .corruption("\(name): header length \(headerLength), expected \(F.pageSize)")
        }
        let metadataLength = Int(page.loadLittleEndian(UInt32.self, at: 24))
        guard metadataLength <= F.maxMetadataLength else {
            throw .corruption("\(name): metadata length \(metadataLength) exceeds \(F.maxMetadataLength)")
        }
        let count = Int(page.loadLittleEndian(UInt32.self, at: F.sectionCountOffset))
        guard count <= F.maxSections else {
            throw .corruption("\(name): section count \(count) exceeds \(F.maxSections)")
        }
        var sections: [CheckpointSectionInfo] = []
        var seen = Set<UInt64>()
        var end = F.pageSize
        for i in 0..<count {
            let at = F.sectionTableOffset + i * F.sectionEntrySize
            let kind = page.loadLittleEndian(UInt32.self, at: at)
            let index = page.loadLittleEndian(UInt32.self, at: at + 4)
            let offset = page.loadLittleEndian(UInt64.self, at: at + 8)
            let length = page.loadLittleEndian(UInt64.self, at: at + 16)
            let label = "\(name): section \(i) (kind \(kind), index \(index))"
            guard seen.insert(UInt64(kind) << 32 | UInt64(index)).inserted else {
                throw .corruption("\(label) appears twice")
            }
            guard offset % UInt64(F.pageSize) == 0, offset >= UInt64(end), offset <= UInt64(fileSize),
                length <= UInt64(fileSize) - offset
            else {
                throw .corruption(
                    "\(label): range \(offset)+\(length) is misaligned, overlaps another section or lies "
                        + "outside the \(fileSize)-byte file")
            }
            end = Int(offset + length)
            sections.append(
                CheckpointSectionInfo(
                    kind: kind, index: index, offset: Int(offset), length: Int(length),
                    checksum: page.loadLittleEndian(UInt32.self, at: at + 24)))
        }
        let metadata = Array(page[F.metadataOffset..<(F.metadataOffset + metadataLength)])
        return CheckpointHeader(lsn: page.loadLittleEndian(UInt64.self, at: 16), metadata: metadata, sections: sections)
    }
}
