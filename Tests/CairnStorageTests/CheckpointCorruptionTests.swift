import CairnStorage
import TestSupport
import Testing

@Suite("Checkpoint corruption is detected")
struct CheckpointCorruptionTests {
    /// Opens `path` expecting corruption and returns the error.
    func expectCorruption(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> StorageError? {
        let error = #expect(throws: StorageError.self, sourceLocation: sourceLocation) {
            try MappedCheckpoint.open(path)
        }
        #expect(error?.kind == .corruption, sourceLocation: sourceLocation)
        #expect(error?.message.contains(path) == true, sourceLocation: sourceLocation)
        return error
    }

    @Test("a flipped byte in any section is caught and named")
    func flippedSectionByte() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCheckpoint(dir, lsn: 42, sizes: [100, 5000, 7])
        let healthy = try MappedCheckpoint.open(path)
        let target = healthy.sections[1]
        try StorageTestFiles.flipByte(path, at: target.offset + 4321)
        let error = expectCorruption(path)
        #expect(error?.message.contains("section 1") == true)
        #expect(error?.message.contains("checksum mismatch") == true)
        #expect(throws: StorageError.self) { try CheckpointFile.latest(in: dir.path) }
    }

    @Test("a flipped byte in the last byte of the last section is caught")
    func flippedLastByte() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCheckpoint(dir, lsn: 1, sizes: [10, 10])
        try StorageTestFiles.flipByte(path, at: try StorageTestFiles.size(path) - 1)
        let error = expectCorruption(path)
        #expect(error?.message.contains("section 1") == true)
    }

    @Test(
        "damage to the header page is caught",
        arguments: [
            (0, "bad magic"), (9, "unsupported format version"), (40, "header checksum"),
            (1064, "header checksum"), (2000, "header checksum"), (4093, "header checksum"),
        ])
    func headerDamage(offset: Int, expected: String) throws {
        let dir = try TemporaryDirectory()
        let path = try writeCheckpoint(dir, lsn: 5, sizes: [300, 200])
        try StorageTestFiles.flipByte(path, at: offset)
        let error = expectCorruption(path)
        #expect(error?.message.contains(expected) == true)
    }

    @Test("a file cut short is caught")
    func truncatedFile() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCheckpoint(dir, lsn: 5, sizes: [300, 9000])
        try StorageTestFiles.truncate(path, to: try StorageTestFiles.size(path) - 10)
        let error = expectCorruption(path)
        #expect(error?.message.contains("outside") == true)

        try StorageTestFiles.truncate(path, to: 1000)
        let short = expectCorruption(path)
        #expect(short?.message.contains("shorter than") == true)
    }

    @Test("a checkpoint renamed to another LSN is caught")
    func nameMismatch() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCheckpoint(dir, lsn: 5, sizes: [10])
        let renamed = dir.file(CheckpointFile.fileName(lsn: 6))
        try StorageTestFiles.write(try StorageTestFiles.bytes(path), to: renamed)
        let error = expectCorruption(renamed)
        #expect(error?.message.contains("file name") == true)
    }

    @Test("invalid arguments are user errors and write nothing")
    func invalidArguments() throws {
        let dir = try TemporaryDirectory()
        let tooMuch = #expect(throws: StorageError.self) {
            try writeCheckpoint(dir, lsn: 1, sizes: [1], metadata: [UInt8](repeating: 1, count: 1025))
        }
        #expect(tooMuch?.kind == .userError)
        let bytes: [UInt8] = [1, 2, 3]
        let duplicate = #expect(throws: StorageError.self) {
            try bytes.withUnsafeBytes { raw in
                try CheckpointFile.write(
                    directory: dir.path, lsn: 1, metadata: [],
                    sections: [
                        CheckpointSection(kind: 1, index: 0, bytes: raw), CheckpointSection(kind: 1, index: 0, bytes: raw),
                    ])
            }
        }
        #expect(duplicate?.kind == .userError)
        #expect(try dir.contents().isEmpty)
    }

    @Test("a damaged section table is caught")
    func tableDamage() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCheckpoint(dir, lsn: 5, sizes: [300, 200, 100])
        try StorageTestFiles.flipByte(path, at: CheckpointFile.pageSize + 40)
        let error = expectCorruption(path)
        #expect(error?.message.contains("section table checksum mismatch") == true, "\(String(describing: error))")
    }

    @Test("the error description carries kind, message and source location")
    func errorDescription() throws {
        let dir = try TemporaryDirectory()
        let path = try writeCheckpoint(dir, lsn: 5, sizes: [10])
        try StorageTestFiles.flipByte(path, at: 0)
        let error = try #require(expectCorruption(path))
        #expect(error.description.hasPrefix("corruption: checkpoint \(path): bad magic"))
        #expect(error.description.hasSuffix("[CairnStorage/CheckpointHeader.swift:\(error.sourceLine)]"))
    }
}
