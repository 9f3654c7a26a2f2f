import CairnVectorMath

/// A verified checkpoint file, mapped privately into memory for as long as the object lives.
///
/// Opening checks the header checksum and the checksum of every section before anything is returned,
/// so a `MappedCheckpoint` never serves bytes that differ from what was written. The mapping is
/// `MAP_PRIVATE` with read and write access: callers may modify section memory in place (for example to
/// keep updating a loaded graph), the changes are copy-on-write and never reach the file.
///
/// ```swift
/// let checkpoint = try MappedCheckpoint.open(path)
/// let metadata = checkpoint.metadata
/// guard let links = checkpoint.section(kind: 2, index: 0) else { ... }
/// ```
public final class MappedCheckpoint: @unchecked Sendable {
    /// The file the mapping was made from.
    public let path: String
    /// The LSN of the last log record the checkpoint includes.
    public let lsn: UInt64
    /// The caller metadata stored in the header.
    public let metadata: [UInt8]
    /// The section table, in file order.
    public let sections: [CheckpointSectionInfo]

    private let region: UnsafeMutableRawBufferPointer
    private let io: any FileIO

    private init(path: String, header: CheckpointHeader, region: UnsafeMutableRawBufferPointer, io: any FileIO) {
        self.path = path
        self.lsn = header.lsn
        self.metadata = header.metadata
        self.sections = header.sections
        self.region = region
        self.io = io
    }

    deinit { io.unmap(region) }

    /// The size of the mapped file in bytes.
    public var fileSize: Int { region.count }

    /// Maps and verifies the checkpoint at `path`.
    ///
    /// - Throws: ``StorageError``: corruption naming the file (and section) when the file is short, has a
    ///   bad magic, version or header checksum, a section outside the file, a checksum mismatch, or an LSN
    ///   that disagrees with its name; a service error when a system call fails.
    public static func open(_ path: String, io: any FileIO = SystemFileIO()) throws -> MappedCheckpoint {
        let size: Int
        let region: UnsafeMutableRawBufferPointer
        do {
            let file = try OpenFile(path, mode: .readOnly, io: io)
            size = Int(try file.size())
            guard size >= CheckpointFile.pageSize else {
                throw StorageError.corruption(
                    "checkpoint \(path): file is \(size) bytes, shorter than the \(CheckpointFile.pageSize)-byte header")
            }
            region = try io.mapPrivate(file.descriptor, length: size)
        }
        do {
            let header = try verify(UnsafeRawBufferPointer(region), path: path)
            return MappedCheckpoint(path: path, header: header, region: region, io: io)
        } catch {
            io.unmap(region)
            throw error
        }
    }

    /// Checks the header and every section checksum of a mapped file.
    private static func verify(_ bytes: UnsafeRawBufferPointer, path: String) throws(StorageError) -> CheckpointHeader {
        let header = try CheckpointHeader.decode(bytes, path: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let named = CheckpointFile.lsn(fromFileName: name), named != header.lsn {
            throw .corruption("checkpoint \(path): header records LSN \(header.lsn) but the file name says \(named)")
        }
        for (i, section) in header.sections.enumerated() {
            let computed = crc32c(UnsafeRawBufferPointer(rebasing: bytes[section.offset..<(section.offset + section.length)]))
            guard computed == section.checksum else {
                throw .corruption(
                    "checkpoint \(path): section \(i) (kind \(section.kind), index \(section.index)) checksum "
                        + "mismatch (expected \(hex32(section.checksum)), found \(hex32(computed)))")
            }
        }
        return header
    }

    /// The memory of the section with this kind and index, or nil if the checkpoint has none.
    ///
    /// The base address is page-aligned. The memory lives as long as this object; writes to it are
    /// private copy-on-write changes.
    public func section(kind: UInt32, index: UInt32 = 0) -> UnsafeMutableRawBufferPointer? {
        guard let info = sections.first(where: { $0.kind == kind && $0.index == index }) else { return nil }
        return UnsafeMutableRawBufferPointer(rebasing: region[info.offset..<(info.offset + info.length)])
    }

    /// All sections of one kind with their memory, ordered by index.
    public func sections(kind: UInt32) -> [(index: UInt32, bytes: UnsafeMutableRawBufferPointer)] {
        sections.filter { $0.kind == kind }.sorted { $0.index < $1.index }.map { info in
            (info.index, UnsafeMutableRawBufferPointer(rebasing: region[info.offset..<(info.offset + info.length)]))
        }
    }
}
