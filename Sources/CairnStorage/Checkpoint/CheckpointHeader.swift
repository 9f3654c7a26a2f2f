import CairnVectorMath

/// The header page of a checkpoint file; see ``CheckpointFile`` for the layout.
struct CheckpointHeader: Equatable {
    var lsn: UInt64
    var metadata: [UInt8]
    var sections: [CheckpointSectionInfo]

    /// The section table: 32 bytes per section.
    func encodeTable() -> [UInt8] {
        var table: [UInt8] = []
        table.reserveCapacity(sections.count * CheckpointFile.sectionEntrySize)
        for section in sections {
            table.appendLittleEndian(section.kind)
            table.appendLittleEndian(section.index)
            table.appendLittleEndian(UInt64(section.offset))
            table.appendLittleEndian(UInt64(section.length))
            table.appendLittleEndian(section.checksum)
            table.appendLittleEndian(UInt32(0))
        }
        return table
    }

    /// The 4096-byte header page (format 2), checksum included; the table it describes is `table`.
    func encode(table: [UInt8]) -> [UInt8] {
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
        page.appendLittleEndian(table.withUnsafeBytes { crc32c($0) })
        page.appendLittleEndian(UInt64(F.pageSize))
        page.appendLittleEndian(UInt64(table.count))
        page.append(contentsOf: repeatElement(0, count: F.checksumOffset - page.count))
        page.appendLittleEndian(page.crc32c(in: 0..<F.checksumOffset))
        return page
    }

    /// Parses and checks a header page against a file of `fileSize` bytes.
    ///
    /// Checks the magic, version, header length and checksum, then that every section lies page-aligned
    /// inside the file without overlapping another and that no (kind, index) pair repeats.
    /// - Throws: ``StorageError/Kind/corruption`` naming `path` and what is wrong.
    static func decode(_ file: UnsafeRawBufferPointer, path: String) throws(StorageError) -> Self {
        typealias F = CheckpointFile
        let name = "checkpoint \(path)"
        let fileSize = file.count
        guard file.count >= F.pageSize else {
            throw .corruption("\(name): file is \(file.count) bytes, shorter than the \(F.pageSize)-byte header")
        }
        let page = UnsafeRawBufferPointer(rebasing: file[0..<F.pageSize])
        guard page.count >= F.pageSize else {
            throw .corruption("\(name): file is \(page.count) bytes, shorter than the \(F.pageSize)-byte header")
        }
        guard page.prefix(8).elementsEqual(F.magic) else {
            throw .corruption("\(name): bad magic (not a Cairn checkpoint)")
        }
        let version = page.loadLittleEndian(UInt32.self, at: 8)
        guard F.readableVersions.contains(version) else {
            throw .corruption("\(name): unsupported format version \(version) (expected 1 or \(F.version))")
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
        // Format 1 keeps the table in the header page; format 2 right after it, with its own checksum.
        let table: UnsafeRawBufferPointer
        var end = F.pageSize
        if version == 1 {
            guard count <= F.maxInlineSections else {
                throw .corruption("\(name): section count \(count) exceeds \(F.maxInlineSections)")
            }
            table = UnsafeRawBufferPointer(rebasing: page[F.sectionTableOffset..<(F.sectionTableOffset + count * F.sectionEntrySize)])
        } else {
            guard count <= F.maxSections else {
                throw .corruption("\(name): section count \(count) exceeds \(F.maxSections)")
            }
            let offset = page.loadLittleEndian(UInt64.self, at: F.tableOffsetOffset)
            let length = page.loadLittleEndian(UInt64.self, at: F.tableOffsetOffset + 8)
            guard offset == UInt64(F.pageSize), length == UInt64(count * F.sectionEntrySize),
                  length <= UInt64(fileSize) - offset else {
                throw .corruption("\(name): section table \(offset)+\(length) does not follow the header for \(count) "
                    + "sections inside the \(fileSize)-byte file")
            }
            table = UnsafeRawBufferPointer(rebasing: file[Int(offset)..<Int(offset + length)])
            let stored = page.loadLittleEndian(UInt32.self, at: F.sectionCountOffset + 4)
            let computed = crc32c(table)
            guard stored == computed else {
                throw .corruption("\(name): section table checksum mismatch (expected \(hex32(stored)), found "
                    + "\(hex32(computed)))")
            }
            end = Int(offset + length)
        }
        var sections: [CheckpointSectionInfo] = []
        sections.reserveCapacity(count)
        var seen = Set<UInt64>()
        for i in 0..<count {
            let at = i * F.sectionEntrySize
            let kind = table.loadLittleEndian(UInt32.self, at: at)
            let index = table.loadLittleEndian(UInt32.self, at: at + 4)
            let offset = table.loadLittleEndian(UInt64.self, at: at + 8)
            let length = table.loadLittleEndian(UInt64.self, at: at + 16)
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
                    checksum: table.loadLittleEndian(UInt32.self, at: at + 24)))
        }
        let metadata = Array(page[F.metadataOffset..<(F.metadataOffset + metadataLength)])
        return CheckpointHeader(lsn: page.loadLittleEndian(UInt64.self, at: 16), metadata: metadata, sections: sections)
    }
}
