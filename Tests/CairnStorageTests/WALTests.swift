import CairnStorage
import Foundation
import TestSupport
import Testing

/// Raw file surgery for the storage tests: read, overwrite, truncate and flip bytes behind the code's back.
enum StorageTestFiles {
    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func size(_ path: String) throws -> Int {
        try bytes(path).count
    }

    static func truncate(_ path: String, to count: Int) throws {
        try write(Array(try bytes(path).prefix(count)), to: path)
    }

    static func flipByte(_ path: String, at offset: Int) throws {
        var data = try bytes(path)
        data[offset] ^= 0x5A
        try write(data, to: path)
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }
}

/// A payload that differs per `seed`, of `count` bytes.
func walPayload(_ seed: Int, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: seed &* 31 &+ $0 &* 7) }
}

/// Every record of the log in `directory`, read by a freshly opened log.
func replayAll(_ directory: String) throws -> [WALRecord] {
    let wal = try WriteAheadLog(directory: directory)
    var records: [WALRecord] = []
    try wal.replay { records.append($0) }
    return records
}

@Suite("Write-ahead log")
struct WALTests {
    @Test("a new log is created with only its header")
    func createsEmptyLog() throws {
        let dir = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: dir.path)
        #expect(wal.recoveryReport.created)
        #expect(wal.nextLSN == 1)
        #expect(wal.durableLSN == 0)
        #expect(try StorageTestFiles.size(wal.path) == 32)
        #expect(try dir.contents() == ["wal.log"])
        #expect(try replayAll(dir.path).isEmpty)
    }

    @Test("records survive a reopen byte for byte")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let sizes = [0, 1, 17, 100, 4096, 70_000]
        var written: [WALRecord] = []
        do {
            let wal = try WriteAheadLog(directory: dir.path)
            for (i, size) in sizes.enumerated() {
                let payload = walPayload(i, count: size)
                let lsn = try wal.append(type: UInt8(i + 1), payload: payload)
                written.append(WALRecord(lsn: lsn, type: UInt8(i + 1), payload: payload))
            }
            #expect(wal.durableLSN == UInt64(sizes.count))
        }
        let reopened = try WriteAheadLog(directory: dir.path)
        #expect(!reopened.recoveryReport.created)
        #expect(reopened.recoveryReport.recordsKept == sizes.count)
        #expect(reopened.recoveryReport.bytesTruncated == 0)
        #expect(reopened.nextLSN == UInt64(sizes.count + 1))
        var replayed: [WALRecord] = []
        try reopened.replay { replayed.append($0) }
        #expect(replayed == written)
    }

    @Test("replay visits records in LSN order and can skip a checkpointed prefix")
    func replayOrder() throws {
        let dir = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: dir.path)
        for i in 0..<20 { try wal.append(type: 7, payload: walPayload(i, count: i)) }
        var lsns: [UInt64] = []
        try wal.replay { lsns.append($0.lsn) }
        #expect(lsns == Array(1...20))
        lsns = []
        try wal.replay(after: 12) { lsns.append($0.lsn) }
        #expect(lsns == Array(13...20))
    }

    @Test("a batch gets consecutive LSNs and a single sync")
    func batchAppend() throws {
        let dir = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: dir.path)
        try wal.append(type: 1, payload: [1])
        let batch = (0..<50).map { (type: UInt8(2), payload: walPayload($0, count: 10)) }
        let lsns = try wal.append(batch)
        #expect(lsns == 2..<52)
        #expect(wal.statistics.syncs == 2)
        #expect(wal.statistics.recordsAppended == 51)
        #expect(try wal.append([]) == 52..<52)
        #expect(try replayAll(dir.path).map(\.lsn) == Array(1...51))
    }

    @Test("an oversized payload is a user error")
    func oversizedPayload() throws {
        let dir = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: dir.path)
        let error = #expect(throws: StorageError.self) {
            try wal.append(type: 1, payload: [UInt8](repeating: 0, count: WriteAheadLog.maxPayloadLength + 1))
        }
        #expect(error?.kind == .userError)
        #expect(wal.nextLSN == 1)
    }

    @Test("reset replaces the log by an empty one that continues the LSNs")
    func reset() throws {
        let dir = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: dir.path)
        for i in 0..<5 { try wal.append(type: 1, payload: walPayload(i, count: 8)) }
        try wal.reset(startingLSN: wal.nextLSN)
        #expect(wal.firstLSN == 6)
        #expect(wal.nextLSN == 6)
        #expect(try StorageTestFiles.size(wal.path) == 32)
        #expect(try wal.append(type: 2, payload: [9]) == 6)
        #expect(try dir.contents() == ["wal.log"])
        let records = try replayAll(dir.path)
        #expect(records == [WALRecord(lsn: 6, type: 2, payload: [9])])
    }

    @Test("reset may skip LSNs ahead but never drop records")
    func resetBounds() throws {
        let dir = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: dir.path)
        for i in 0..<3 { try wal.append(type: 1, payload: walPayload(i, count: 4)) }
        let error = #expect(throws: StorageError.self) { try wal.reset(startingLSN: 3) }
        #expect(error?.kind == .userError)
        #expect(try replayAll(dir.path).count == 3)
        try wal.reset(startingLSN: 100)
        #expect(try wal.append(type: 1, payload: []) == 100)
        let reopened = try WriteAheadLog(directory: dir.path)
        #expect(reopened.firstLSN == 100)
        #expect(reopened.nextLSN == 101)
    }

    @Test("a new log can start at a chosen LSN, and a leftover temporary log is removed")
    func initialLSNAndLeftover() throws {
        let dir = try TemporaryDirectory()
        try StorageTestFiles.write([1, 2, 3], to: dir.file("wal.log.tmp"))
        let wal = try WriteAheadLog(directory: dir.path, initialLSN: 1_000)
        #expect(try wal.append(type: 1, payload: [1]) == 1_000)
        #expect(try dir.contents() == ["wal.log"])
    }

    @Test("a missing directory is a service error naming the path")
    func missingDirectory() throws {
        let dir = try TemporaryDirectory()
        let error = #expect(throws: StorageError.self) {
            try WriteAheadLog(directory: dir.file("absent"))
        }
        #expect(error?.kind == .serviceError)
        #expect(error?.message.contains(dir.file("absent")) == true)
    }
}
