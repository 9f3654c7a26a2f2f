import CairnStorage
import CairnVectorMath
import TestSupport
import Testing

/// Format 2 holds any number of sections; format 1 files (the table inside the header page) are still read.
@Suite("Checkpoint format versions")
struct CheckpointFormatTests {
    @Test("more sections than format 1 could hold come back intact")
    func manySections() throws {
        let dir = try TemporaryDirectory()
        let sizes = (0..<1_000).map { $0 % 7 == 0 ? 0 : 1 + $0 % 5_000 }
        let path = try writeCheckpoint(dir, lsn: 77, sizes: sizes)
        let checkpoint = try MappedCheckpoint.open(path)
        #expect(checkpoint.sections.count == 1_000)
        for (i, size) in sizes.enumerated() {
            let bytes = try #require(checkpoint.section(kind: UInt32(1 + i % 3), index: UInt32(i)))
            #expect(bytes.count == size)
            #expect(Array(bytes) == sectionBytes(i, count: size), "section \(i)")
        }
        // The first section starts on the page after the table (32 bytes per section).
        #expect(checkpoint.sections[0].offset == 4096 + 32_768)
    }

    @Test("a format-1 checkpoint (table inside the header page) is read")
    func formatOne() throws {
        let dir = try TemporaryDirectory()
        let contents = [sectionBytes(0, count: 5_000), sectionBytes(1, count: 17)]
        var file = [UInt8](repeating: 0, count: 4096)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { for (k, b) in $0.enumerated() { file[offset + k] = b } }
        }
        for (k, b) in Array("CAIRNIDX".utf8).enumerated() { file[k] = b }
        put(UInt32(1), at: 8)
        put(UInt32(4096), at: 12)
        put(UInt64(9), at: 16)
        put(UInt32(3), at: 24)
        file[32] = 7; file[33] = 8; file[34] = 9
        put(UInt32(contents.count), at: 1056)
        var offset = 4096
        var body: [UInt8] = []
        for (i, section) in contents.enumerated() {
            let at = 1064 + 32 * i
            put(UInt32(1), at: at)
            put(UInt32(i), at: at + 4)
            put(UInt64(offset), at: at + 8)
            put(UInt64(section.count), at: at + 16)
            put(section.withUnsafeBytes { crc32c($0) }, at: at + 24)
            body += section
            let end = offset + section.count
            let next = (end + 4095) / 4096 * 4096
            if i < contents.count - 1 { body += [UInt8](repeating: 0, count: next - end) }
            offset = next
        }
        put(file.withUnsafeBytes { crc32c(UnsafeRawBufferPointer(rebasing: $0[0..<4092])) }, at: 4092)
        let path = dir.file(CheckpointFile.fileName(lsn: 9))
        try StorageTestFiles.write(file + body, to: path)
        let checkpoint = try MappedCheckpoint.open(path)
        #expect(checkpoint.lsn == 9 && checkpoint.metadata == [7, 8, 9])
        #expect(Array(try #require(checkpoint.section(kind: 1, index: 0))) == contents[0])
        #expect(Array(try #require(checkpoint.section(kind: 1, index: 1))) == contents[1])
    }
}
