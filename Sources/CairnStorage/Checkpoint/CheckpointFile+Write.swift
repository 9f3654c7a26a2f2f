import CairnVectorMath
public import Logging

extension CheckpointFile {
    /// Bytes handed to one `pwrite` (and checksummed while still in cache).
    static let writeChunk = 8 << 20

    /// Writes a checkpoint at `lsn` atomically and returns its path; then removes older checkpoints.
    ///
    /// Section bytes are written straight from the caller's memory in large chunks, never copied.
    /// Once the new file is durable, older checkpoints and temporary files left by interrupted writes
    /// are removed; failing to remove them is logged, not thrown, because the checkpoint itself is safe.
    /// One writer per directory at a time: a concurrent write's temporary file would be removed.
    ///
    /// - Parameters:
    ///   - directory: An existing directory.
    ///   - lsn: The last log record the snapshot includes; it names the file.
    ///   - metadata: Up to ``maxMetadataLength`` bytes, stored in the checksummed header.
    ///   - sections: Up to ``maxSections`` regions, each (kind, index) at most once; stored in this order.
    ///   - io: The file layer.
    ///   - logger: Receives a warning if old files cannot be removed.
    /// - Returns: The path of the new checkpoint file.
    /// - Throws: ``StorageError``: a user error for invalid arguments, a service error if the file cannot
    ///   be made durable (the previous checkpoint is then untouched).
    @discardableResult
    public static func write(
        directory: String, lsn: UInt64, metadata: [UInt8], sections: [CheckpointSection],
        io: any FileIO = SystemFileIO(), logger: Logger = Logger(label: "cairn.storage.checkpoint")
    ) throws -> String {
        let path = joinPath(directory, fileName(lsn: lsn))
        try validate(path: path, metadata: metadata, sections: sections)
        let temporary = path + temporarySuffix
        do throws(StorageError) {
            let file = try OpenFile(temporary, mode: .createOrTruncate, io: io)
            let header = try writeSections(sections, lsn: lsn, metadata: metadata, to: file)
            let table = header.encodeTable()
            try file.write(table, at: Int64(pageSize))
            try file.write(header.encode(table: table), at: 0)
            try file.sync()
            try io.rename(temporary, to: path)
        } catch {
            try? io.removeIfPresent(temporary)
            throw error
        }
        try io.syncDirectory(directory)
        removeSuperseded(in: directory, keeping: lsn, io: io, logger: logger)
        return path
    }

    private static func validate(path: String, metadata: [UInt8], sections: [CheckpointSection]) throws(StorageError) {
        guard metadata.count <= maxMetadataLength else {
            throw .userError(
                "checkpoint \(path): metadata of \(metadata.count) bytes exceeds the \(maxMetadataLength)-byte limit")
        }
        guard sections.count <= maxSections else {
            throw .userError("checkpoint \(path): \(sections.count) sections exceed the limit of \(maxSections)")
        }
        var seen = Set<UInt64>()
        for section in sections where !seen.insert(UInt64(section.kind) << 32 | UInt64(section.index)).inserted {
            throw .userError("checkpoint \(path): section kind \(section.kind) index \(section.index) given twice")
        }
    }

    /// Writes every section at its page-aligned offset, sets the file length, and returns the header
    /// describing them.
    private static func writeSections(
        _ sections: [CheckpointSection], lsn: UInt64, metadata: [UInt8], to file: OpenFile
    ) throws(StorageError) -> CheckpointHeader {
        var header = CheckpointHeader(lsn: lsn, metadata: metadata, sections: [])
        // The first section starts on the page after the header and the section table.
        var offset = roundUp(Int64(pageSize + sections.count * sectionEntrySize), toMultipleOf: Int64(pageSize))
        var end = offset
        for section in sections {
            var checksum: UInt32 = 0
            var done = 0
            while done < section.bytes.count {
                let chunk = UnsafeRawBufferPointer(
                    rebasing: section.bytes[done..<min(done + writeChunk, section.bytes.count)])
                checksum = crc32c(chunk, continuing: checksum)
                try file.write(chunk, at: offset + Int64(done))
                done += chunk.count
            }
            header.sections.append(
                CheckpointSectionInfo(
                    kind: section.kind, index: section.index, offset: Int(offset), length: section.bytes.count,
                    checksum: checksum))
            end = offset + Int64(section.bytes.count)
            offset = roundUp(end, toMultipleOf: Int64(pageSize))
        }
        // Sets the exact length: pads an empty last section's offset and drops leftovers of a reused name.
        try file.truncate(to: end)
        return header
    }

    /// Removes checkpoints older than `newest` and temporary files of interrupted writes, best effort.
    private static func removeSuperseded(in directory: String, keeping newest: UInt64, io: any FileIO, logger: Logger) {
        do throws(StorageError) {
            var removed = 0
            for name in try io.contentsOfDirectory(directory) {
                let old = lsn(fromFileName: name).map { $0 < newest } ?? false
                guard old || isTemporary(name) else { continue }
                try io.removeIfPresent(joinPath(directory, name))
                removed += 1
            }
            if removed > 0 { try io.syncDirectory(directory) }
        } catch {
            logger.warning(
                "checkpoint directory \(directory): could not remove superseded files: \(error)",
                metadata: ["directory": "\(directory)"])
        }
    }
}
