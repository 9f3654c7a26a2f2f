import CairnStorage
import Logging
import Synchronization
import TestSupport
import Testing

/// A log handler that keeps every message, so tests can check what recovery reported.
final class CapturedLog: Sendable {
    struct Handler: LogHandler {
        let sink: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            sink.entries.withLock { $0.append((event.level, "\(event.message)")) }
        }
    }

    let entries = Mutex<[(Logger.Level, String)]>([])

    var logger: Logger { Logger(label: "test") { _ in Handler(sink: self) } }

    func messages(at level: Logger.Level) -> [String] {
        entries.withLock { $0.filter { $0.0 == level }.map(\.1) }
    }
}

@Suite("Write-ahead log recovery")
struct WALRecoveryTests {
    /// Writes `count` records of 10 + i bytes and returns the file offsets where each record starts.
    func makeLog(_ dir: TemporaryDirectory, count: Int) throws -> [Int] {
        let wal = try WriteAheadLog(directory: dir.path)
        var offsets: [Int] = []
        var offset = 32
        for i in 0..<count {
            offsets.append(offset)
            try wal.append(type: 3, payload: walPayload(i, count: 10 + i))
            offset += 17 + 10 + i
        }
        #expect(try StorageTestFiles.size(wal.path) == offset)
        return offsets
    }

    @Test("a log cut mid-record keeps the good prefix and drops the rest with a warning")
    func truncatedMidRecord() throws {
        let dir = try TemporaryDirectory()
        let offsets = try makeLog(dir, count: 5)
        try StorageTestFiles.truncate(dir.file("wal.log"), to: offsets[4] + 20)
        let log = CapturedLog()
        let wal = try WriteAheadLog(directory: dir.path, logger: log.logger)
        #expect(wal.recoveryReport.recordsKept == 4)
        #expect(wal.recoveryReport.bytesTruncated == 20)
        #expect(wal.recoveryReport.truncatedAt == Int64(offsets[4]))
        #expect(try StorageTestFiles.size(dir.file("wal.log")) == offsets[4])
        let warnings = log.messages(at: .warning)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains(dir.file("wal.log")) == true)
        #expect(warnings.first?.contains("offset \(offsets[4])") == true)
        #expect(warnings.first?.contains("20 bytes") == true)
        // The log carries on from the last good record.
        #expect(try wal.append(type: 9, payload: [1]) == 5)
        #expect(try replayAll(dir.path).map(\.lsn) == [1, 2, 3, 4, 5])
    }

    @Test("a short record header at the tail is dropped")
    func truncatedInRecordHeader() throws {
        let dir = try TemporaryDirectory()
        let offsets = try makeLog(dir, count: 3)
        try StorageTestFiles.truncate(dir.file("wal.log"), to: offsets[2] + 5)
        let wal = try WriteAheadLog(directory: dir.path)
        #expect(wal.recoveryReport.recordsKept == 2)
        #expect(wal.recoveryReport.bytesTruncated == 5)
    }

    @Test("a flipped byte in the last record drops that record only")
    func flippedByteInLastRecord() throws {
        let dir = try TemporaryDirectory()
        let offsets = try makeLog(dir, count: 6)
        let size = try StorageTestFiles.size(dir.file("wal.log"))
        try StorageTestFiles.flipByte(dir.file("wal.log"), at: offsets[5] + 20)
        let wal = try WriteAheadLog(directory: dir.path)
        #expect(wal.recoveryReport.recordsKept == 5)
        #expect(wal.recoveryReport.bytesTruncated == Int64(size - offsets[5]))
        #expect(wal.recoveryReport.reason?.contains("checksum") == true)
        #expect(try replayAll(dir.path).map(\.lsn) == [1, 2, 3, 4, 5])
    }

    @Test("an impossible length in the last record header is a torn tail")
    func badLength() throws {
        let dir = try TemporaryDirectory()
        let offsets = try makeLog(dir, count: 3)
        var bytes = try StorageTestFiles.bytes(dir.file("wal.log"))
        bytes[offsets[2] + 3] = 0xFF  // payload length becomes > 4 GiB / 64 MiB limit
        try StorageTestFiles.write(bytes, to: dir.file("wal.log"))
        let wal = try WriteAheadLog(directory: dir.path)
        #expect(wal.recoveryReport.recordsKept == 2)
        #expect(wal.recoveryReport.reason?.contains("limit") == true)
    }

    @Test("trailing zeros after the last record are dropped")
    func trailingZeros() throws {
        let dir = try TemporaryDirectory()
        _ = try makeLog(dir, count: 2)
        let bytes = try StorageTestFiles.bytes(dir.file("wal.log"))
        try StorageTestFiles.write(bytes + [UInt8](repeating: 0, count: 4096), to: dir.file("wal.log"))
        let wal = try WriteAheadLog(directory: dir.path)
        #expect(wal.recoveryReport.recordsKept == 2)
        #expect(wal.recoveryReport.bytesTruncated == 4096)
    }

    @Test(
        "a damaged header is corruption, and the file is left alone",
        arguments: [
            (0, "bad magic"), (8, "unsupported format version"), (17, "header checksum"), (29, "header checksum"),
        ])
    func headerCorruption(offset: Int, expected: String) throws {
        let dir = try TemporaryDirectory()
        _ = try makeLog(dir, count: 2)
        try StorageTestFiles.flipByte(dir.file("wal.log"), at: offset)
        let before = try StorageTestFiles.bytes(dir.file("wal.log"))
        let error = #expect(throws: StorageError.self) { try WriteAheadLog(directory: dir.path) }
        #expect(error?.kind == .corruption)
        #expect(error?.message.contains(expected) == true)
        #expect(error?.message.contains(dir.file("wal.log")) == true)
        #expect(try StorageTestFiles.bytes(dir.file("wal.log")) == before)
    }

    @Test("a header cut short is corruption, not a fresh log")
    func shortHeader() throws {
        let dir = try TemporaryDirectory()
        _ = try makeLog(dir, count: 1)
        try StorageTestFiles.truncate(dir.file("wal.log"), to: 20)
        let error = #expect(throws: StorageError.self) { try WriteAheadLog(directory: dir.path) }
        #expect(error?.kind == .corruption)
        #expect(try StorageTestFiles.size(dir.file("wal.log")) == 20)
    }

    @Test("a valid record with an out-of-sequence LSN is corruption")
    func lsnOutOfSequence() throws {
        let dir = try TemporaryDirectory()
        let offsets = try makeLog(dir, count: 3)
        // Move record 3 (LSN 3) to start where record 2 was: it is well-formed but carries the wrong LSN.
        let bytes = try StorageTestFiles.bytes(dir.file("wal.log"))
        try StorageTestFiles.write(Array(bytes[0..<offsets[1]] + bytes[offsets[2]...]), to: dir.file("wal.log"))
        let error = #expect(throws: StorageError.self) { try WriteAheadLog(directory: dir.path) }
        #expect(error?.kind == .corruption)
        #expect(error?.message.contains("LSN 3, expected 2") == true)
    }
}
