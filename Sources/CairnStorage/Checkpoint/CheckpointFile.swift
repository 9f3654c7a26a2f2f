/// Immutable, checksummed snapshot files `checkpoint-<20-digit LSN>.cairn`, written atomically and
/// served from one private memory mapping.
///
/// ## Format
/// All integers are little-endian. The file starts with a 4096-byte header page:
///
/// | offset | size     | field                                                   |
/// |-------:|---------:|---------------------------------------------------------|
/// |      0 |        8 | magic `"CAIRNIDX"`                                      |
/// |      8 |        4 | format version (`2`)                                    |
/// |     12 |        4 | header length (`4096`)                                  |
/// |     16 |        8 | checkpoint LSN (matches the file name)                  |
/// |     24 |        4 | metadata length `m` (at most 1024)                      |
/// |     28 |        4 | reserved (`0`)                                          |
/// |     32 |     1024 | caller metadata: `m` bytes, then zeros                  |
/// |   1056 |        4 | section count `n` (at most 2^24)                        |
/// |   1060 |        4 | CRC32C of the section table                             |
/// |   1064 |        8 | section table offset (`4096`)                           |
/// |   1072 |        8 | section table length (`32 × n`)                         |
/// |   1080 |          | zeros                                                   |
/// |   4092 |        4 | CRC32C of bytes 0..<4092                                |
///
/// The section table follows the header page: one 32-byte entry per section — kind `u32`, index `u32`,
/// file offset `u64`, length `u64`, CRC32C of the section's bytes `u32`, reserved `u32`. Sections start at
/// 4096-byte aligned offsets after the table, in table order, with zero padding between them, so each one is
/// page-aligned inside a mapping of the whole file. The file ends where the last section ends.
///
/// Format 1 (still read) kept the table inside the header page, at 1064 with the reserved word at 1060,
/// which limited a checkpoint to 94 sections (about 590,000 vectors of the index).
///
/// The metadata is opaque here but covered by the header checksum; the index stores its dimension,
/// metric, graph parameters, counts, entry point and LSN in it.
///
/// ## Atomicity
/// A checkpoint is written to `checkpoint-<lsn>.cairn.tmp`, synced, renamed into place and the directory
/// synced; only then are older checkpoints and stale temporary files removed. A crash therefore leaves the
/// previous checkpoint or the new one, never a partial file under a checkpoint name.
///
/// ```swift
/// let path = try vectors.withUnsafeBytes { raw in
///     try CheckpointFile.write(
///         directory: dir, lsn: 42, metadata: header,
///         sections: [CheckpointSection(kind: 1, index: 0, bytes: raw)])
/// }
/// if let checkpoint = try CheckpointFile.latest(in: dir) {
///     let vectors = checkpoint.section(kind: 1, index: 0)!   // page-aligned, copy-on-write
/// }
/// ```
public enum CheckpointFile {
    /// The first eight bytes of every checkpoint.
    static let magic: [UInt8] = Array("CAIRNIDX".utf8)
    /// The format this code writes.
    static let version: UInt32 = 2
    /// The formats this code reads (1: the section table inside the header page, at most 94 sections).
    static let readableVersions: ClosedRange<UInt32> = 1...2
    /// The size of the header page and the alignment of every section.
    public static let pageSize = 4096
    /// The most metadata bytes a checkpoint can carry.
    public static let maxMetadataLength = 1024
    /// The most sections a checkpoint can hold (a 512 MiB table; the index writes 5 per 32,768 vectors).
    public static let maxSections = 1 << 24
    /// The most sections a format-1 checkpoint held (its table lived in the header page).
    static let maxInlineSections = 94

    static let metadataOffset = 32
    static let sectionCountOffset = 1056
    static let sectionTableOffset = 1064
    static let tableOffsetOffset = 1064
    static let sectionEntrySize = 32
    static let checksumOffset = 4092

    static let namePrefix = "checkpoint-"
    static let nameSuffix = ".cairn"
    static let temporarySuffix = ".tmp"

    /// The file name of the checkpoint at `lsn`, e.g. `checkpoint-00000000000000000042.cairn`.
    public static func fileName(lsn: UInt64) -> String {
        let digits = String(lsn)
        return namePrefix + String(repeating: "0", count: 20 - digits.count) + digits + nameSuffix
    }

    /// The LSN in a checkpoint file name, or nil if `name` is not one (temporary files are not).
    public static func lsn(fromFileName name: String) -> UInt64? {
        guard name.hasPrefix(namePrefix), name.hasSuffix(nameSuffix) else { return nil }
        let digits = name.dropFirst(namePrefix.count).dropLast(nameSuffix.count)
        guard digits.count == 20, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }

    /// Whether `name` is a temporary file left by an interrupted ``write(directory:lsn:metadata:sections:io:logger:)``.
    static func isTemporary(_ name: String) -> Bool {
        name.hasSuffix(nameSuffix + temporarySuffix) && lsn(fromFileName: String(name.dropLast(temporarySuffix.count))) != nil
    }

    /// The checkpoints in `directory`, oldest first. Temporary files are ignored.
    public static func list(in directory: String, io: any FileIO = SystemFileIO())
        throws(StorageError) -> [(lsn: UInt64, path: String)]
    {
        try io.contentsOfDirectory(directory)
            .compactMap { name in lsn(fromFileName: name).map { (lsn: $0, path: joinPath(directory, name)) } }
            .sorted { $0.lsn < $1.lsn }
    }

    /// Opens and fully verifies the newest checkpoint in `directory`, or returns nil if there is none.
    ///
    /// Temporary files left by an interrupted write are ignored (the next write removes them).
    /// - Throws: ``StorageError``: corruption naming the file when the newest checkpoint fails
    ///   verification; older checkpoints are never used in its place.
    public static func latest(in directory: String, io: any FileIO = SystemFileIO()) throws -> MappedCheckpoint? {
        guard let newest = try list(in: directory, io: io).last else { return nil }
        return try MappedCheckpoint.open(newest.path, io: io)
    }
}

/// One region of caller memory to store in a checkpoint.
///
/// The memory is read during ``CheckpointFile/write(directory:lsn:metadata:sections:io:logger:)`` and
/// must stay alive and unchanged until that call returns.
public struct CheckpointSection {
    /// What the section holds (caller-defined, e.g. vectors or links).
    public var kind: UInt32
    /// Which one of several sections of the same kind.
    public var index: UInt32
    /// The bytes to store.
    public var bytes: UnsafeRawBufferPointer

    /// Describes a section.
    public init(kind: UInt32, index: UInt32 = 0, bytes: UnsafeRawBufferPointer) {
        self.kind = kind
        self.index = index
        self.bytes = bytes
    }
}

/// A section-table entry: where a section lives in the file and its checksum.
public struct CheckpointSectionInfo: Sendable, Hashable {
    /// The section's kind.
    public var kind: UInt32
    /// The section's index among sections of its kind.
    public var index: UInt32
    /// Byte offset in the file, a multiple of ``CheckpointFile/pageSize``.
    public var offset: Int
    /// Length in bytes.
    public var length: Int
    /// CRC32C of the section's bytes.
    public var checksum: UInt32

    /// Creates an entry.
    public init(kind: UInt32, index: UInt32, offset: Int, length: Int, checksum: UInt32) {
        self.kind = kind
        self.index = index
        self.offset = offset
        self.length = length
        self.checksum = checksum
    }
}
