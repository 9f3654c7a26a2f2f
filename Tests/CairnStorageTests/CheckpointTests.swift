import CairnStorage
import Glibc
import TestSupport
import Testing

/// Deterministic section contents of `count` bytes.
func sectionBytes(_ seed: Int, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 131) ^ (seed &* 17) ^ ($0 >> 8)) }
}

/// Writes a checkpoint with sections of the given sizes (kind 1 + i % 3, index i) and returns its path.
@discardableResult
func writeCheckpoint(
    _ dir: TemporaryDirectory, lsn: UInt64, sizes: [Int], metadata: [UInt8] = [1, 2, 3],
    io: any FileIO = SystemFileIO()
) throws -> String {
    let contents = sizes.enumerated().map { sectionBytes($0.offset, count: $0.element) }
    return try writeCheckpoint(dir.path, lsn: lsn, contents: contents, metadata: metadata, io: io)
}

private func writeCheckpoint(
    _ directory: String, lsn: UInt64, contents: [[UInt8]], metadata: [UInt8], io: any FileIO
) throws -> String {
    // Keep every array pinned while the sections point into it.
    func nest(_ i: Int, _ sections: [CheckpointSection]) throws -> String {
        guard i < contents.count else {
            return try CheckpointFile.write(
                directory: directory, lsn: lsn, metadata: metadata, sections: sections, io: io)
        }
        return try contents[i].withUnsafeBytes { raw in
            try nest(i + 1, sections + [CheckpointSection(kind: UInt32(1 + i % 3), index: UInt32(i), bytes: raw)])
        }
    }
    return try nest(0, [])
}

@Suite("Checkpoint files")
struct CheckpointTests {
    static let oddSizes = [0, 1, 4095, 4096, 4097, 10_001, 3]

    @Test("sections of odd sizes and the metadata come back intact and page-aligned")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let metadata = Array(0..<200).map { UInt8($0) }
        let path = try writeCheckpoint(dir, lsn: 42, sizes: Self.oddSizes, metadata: metadata)
        #expect(path == dir.file("checkpoint-00000000000000000042.cairn"))
        let checkpoint = try #require(try CheckpointFile.latest(in: dir.path))
        #expect(checkpoint.path == path)
        #expect(checkpoint.lsn == 42)
        #expect(checkpoint.metadata == metadata)
        #expect(checkpoint.sections.count == Self.oddSizes.count)
        for (i, size) in Self.oddSizes.enumerated() {
            let section = try #require(checkpoint.section(kind: UInt32(1 + i % 3), index: UInt32(i)))
            #expect(section.count == size)
            #expect(Int(bitPattern: section.baseAddress) % 4096 == 0)
            #expect(Array(section) == sectionBytes(i, count: size))
        }
        #expect(checkpoint.section(kind: 9, index: 0) == nil)
        #expect(checkpoint.section(kind: 1, index: 1) == nil)
        #expect(checkpoint.sections(kind: 1).map(\.index) == [0, 3, 6])
        let last = checkpoint.sections.last!
        #expect(checkpoint.fileSize == last.offset + last.length)
    }

    @Test("a checkpoint with no sections and no metadata is valid")
    func empty() throws {
        let dir = try TemporaryDirectory()
        try writeCheckpoint(dir, lsn: 0, sizes: [], metadata: [])
        let checkpoint = try #require(try CheckpointFile.latest(in: dir.path))
        #expect(checkpoint.sections.isEmpty)
        #expect(checkpoint.metadata.isEmpty)
        #expect(checkpoint.fileSize == 4096)
    }

    @Test("an empty directory has no checkpoint")
    func none() throws {
        let dir = try TemporaryDirectory()
        #expect(try CheckpointFile.latest(in: dir.path) == nil)
    }

    @Test("writes to mapped sections are private copy-on-write changes")
    func copyOnWrite() throws {
        let dir = try TemporaryDirectory()
        try writeCheckpoint(dir, lsn: 7, sizes: [5000])
        do {
            let checkpoint = try #require(try CheckpointFile.latest(in: dir.path))
            let section = try #require(checkpoint.section(kind: 1, index: 0))
            section.storeBytes(of: 0xFF, toByteOffset: 10, as: UInt8.self)
            #expect(section[10] == 0xFF)
        }
        let reopened = try #require(try CheckpointFile.latest(in: dir.path))
        #expect(Array(reopened.section(kind: 1, index: 0)!) == sectionBytes(0, count: 5000))
    }

    @Test("only the newest checkpoint is kept")
    func keepsNewest() throws {
        let dir = try TemporaryDirectory()
        try writeCheckpoint(dir, lsn: 5, sizes: [10])
        try writeCheckpoint(dir, lsn: 9, sizes: [20])
        try writeCheckpoint(dir, lsn: 12, sizes: [30])
        #expect(try dir.contents() == ["checkpoint-00000000000000000012.cairn"])
        #expect(try CheckpointFile.list(in: dir.path).map(\.lsn) == [12])
        #expect(try CheckpointFile.latest(in: dir.path)?.lsn == 12)
    }

    @Test("temporary leftovers of a crashed write are ignored, then removed by the next write")
    func temporaryLeftovers() throws {
        let dir = try TemporaryDirectory()
        try writeCheckpoint(dir, lsn: 3, sizes: [100])
        let leftover = dir.file("checkpoint-00000000000000000008.cairn.tmp")
        try StorageTestFiles.write([UInt8](repeating: 0xAB, count: 9000), to: leftover)
        #expect(try CheckpointFile.latest(in: dir.path)?.lsn == 3)
        try writeCheckpoint(dir, lsn: 4, sizes: [100])
        #expect(try dir.contents() == ["checkpoint-00000000000000000004.cairn"])
    }

    @Test("unrelated files in the directory are left alone")
    func unrelatedFiles() throws {
        let dir = try TemporaryDirectory()
        try StorageTestFiles.write([1], to: dir.file("wal.log"))
        try StorageTestFiles.write([1], to: dir.file("checkpoint-12.cairn"))
        try writeCheckpoint(dir, lsn: 1, sizes: [1])
        try writeCheckpoint(dir, lsn: 2, sizes: [1])
        #expect(try dir.contents() == ["checkpoint-00000000000000000002.cairn", "checkpoint-12.cairn", "wal.log"])
    }

    @Test("a failed write leaves the previous checkpoint and no temporary file", arguments: [
        (FaultInjectingFileIO.Operation.write, ENOSPC), (.sync, EIO), (.rename, EIO),
    ])
    func failedWrite(operation: FaultInjectingFileIO.Operation, code: Int32) throws {
        let dir = try TemporaryDirectory()
        try writeCheckpoint(dir, lsn: 10, sizes: [1000])
        let io = FaultInjectingFileIO()
        io.inject(operation, errno: code, tornWrite: true)
        let error = #expect(throws: StorageError.self) {
            try writeCheckpoint(dir, lsn: 20, sizes: [50_000, 7], io: io)
        }
        #expect(error?.kind == .serviceError)
        #expect(error?.errno == code)
        #expect(try dir.contents() == ["checkpoint-00000000000000000010.cairn"])
        #expect(try CheckpointFile.latest(in: dir.path)?.lsn == 10)
    }

    @Test("large sections are written in several chunks")
    func chunkedWrite() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let size = (8 << 20) * 2 + 123
        try writeCheckpoint(dir, lsn: 1, sizes: [size], io: io)
        #expect(io.calls(of: .write) == 5)  // three chunks, the section table and the header
        let checkpoint = try #require(try CheckpointFile.latest(in: dir.path))
        #expect(checkpoint.section(kind: 1, index: 0)?.count == size)
    }

    @Test("file names carry the LSN in 20 digits")
    func fileNames() {
        #expect(CheckpointFile.fileName(lsn: 42) == "checkpoint-00000000000000000042.cairn")
        #expect(CheckpointFile.lsn(fromFileName: "checkpoint-18446744073709551615.cairn") == UInt64.max)
        #expect(CheckpointFile.lsn(fromFileName: "checkpoint-00000000000000000042.cairn.tmp") == nil)
        #expect(CheckpointFile.lsn(fromFileName: "checkpoint-42.cairn") == nil)
    }
}
