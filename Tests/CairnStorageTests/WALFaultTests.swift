import CairnStorage
import Foundation
import Glibc
import Synchronization
import TestSupport
import Testing

@Suite("Write-ahead log under injected faults")
struct WALFaultTests {
    @Test("a failed fsync fails the append, poisons the log, and loses nothing acknowledged")
    func fsyncFailure() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let wal = try WriteAheadLog(directory: dir.path, io: io)
        for i in 0..<3 { try wal.append(type: 1, payload: walPayload(i, count: 12)) }
        io.inject(.sync, errno: EIO, onCall: 2)
        try wal.append(type: 1, payload: walPayload(3, count: 12))  // LSN 4, first sync: fine
        let error = #expect(throws: StorageError.self) { try wal.append(type: 1, payload: [0xEE]) }
        #expect(error?.kind == .serviceError)
        #expect(error?.errno == EIO)
        #expect(error?.message.contains(dir.file("wal.log")) == true)
        #expect(wal.isPoisoned)
        #expect(wal.durableLSN == 4)

        io.clearFaults()
        let refused = #expect(throws: StorageError.self) { try wal.append(type: 1, payload: [1]) }
        #expect(refused?.kind == .serviceError)
        #expect(refused?.message.contains("refuses appends") == true)
        #expect(throws: StorageError.self) { try wal.reset(startingLSN: 100) }

        let replayed = try replayAll(dir.path)
        #expect(replayed.prefix(4).map(\.lsn) == [1, 2, 3, 4])
        #expect(replayed.count <= 5)
        #expect(!replayed.contains { $0.payload == [0xEE] })  // cut back after the failed sync
    }

    @Test("ENOSPC on a torn write rolls the log back and it carries on")
    func writeFailureRollsBack() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let wal = try WriteAheadLog(directory: dir.path, io: io)
        for i in 0..<2 { try wal.append(type: 1, payload: walPayload(i, count: 40)) }
        let sizeBefore = try StorageTestFiles.size(wal.path)
        io.inject(.write, errno: ENOSPC, tornWrite: true)
        let error = #expect(throws: StorageError.self) { try wal.append(type: 1, payload: walPayload(9, count: 40)) }
        #expect(error?.errno == ENOSPC)
        #expect(error?.kind == .serviceError)
        #expect(!wal.isPoisoned)
        #expect(io.injectedFailures(of: .write) == 1)
        #expect(try StorageTestFiles.size(wal.path) == sizeBefore)
        #expect(wal.nextLSN == 3)

        // Space comes back: the failed LSN is handed out again and nothing of the failed record remains.
        let lsn = try wal.append(type: 2, payload: [7, 7])
        #expect(lsn == 3)
        let reopened = try WriteAheadLog(directory: dir.path)
        #expect(reopened.recoveryReport.bytesTruncated == 0)
        var records: [WALRecord] = []
        try reopened.replay { records.append($0) }
        #expect(records.map(\.lsn) == [1, 2, 3])
        #expect(records.last?.payload == [7, 7])
    }

    @Test("a write failure whose rollback also fails poisons the log")
    func failedRollbackPoisons() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let wal = try WriteAheadLog(directory: dir.path, io: io)
        try wal.append(type: 1, payload: [1])
        io.inject(.write, errno: ENOSPC, tornWrite: true)
        io.inject(.truncate, errno: EIO)
        #expect(throws: StorageError.self) { try wal.append(type: 1, payload: walPayload(1, count: 100)) }
        #expect(wal.isPoisoned)
        io.clearFaults()
        // The torn half-record is still in the file; reopening cuts it off.
        let reopened = try WriteAheadLog(directory: dir.path)
        #expect(reopened.recoveryReport.recordsKept == 1)
        #expect(reopened.recoveryReport.bytesTruncated > 0)
    }

    @Test("when a group's sync fails, every appender of that group gets the error; acknowledged records survive")
    func concurrentFailureReachesWholeGroup() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        io.setLatency(.sync, microseconds: 2_000)
        let wal = try WriteAheadLog(directory: dir.path, io: io)
        io.inject(.sync, errno: EIO, onCall: 4)
        let acknowledged = Mutex<[UInt64: [UInt8]]>([:])
        let failed = Atomic<Int>(0)
        runOnThreads(4) { t in
            for i in 0..<20 {
                let payload = walPayload(t * 100 + i, count: 10)
                do {
                    let lsn = try wal.append(type: UInt8(t), payload: payload)
                    acknowledged.withLock { $0[lsn] = payload }
                } catch {
                    failed.add(1, ordering: .relaxed)
                }
            }
        }
        let acked = acknowledged.withLock { $0 }
        #expect(wal.isPoisoned)
        #expect(failed.load(ordering: .relaxed) + acked.count == 80)
        #expect(Set(acked.keys) == Set(1...wal.durableLSN))

        io.clearFaults()
        let replayed = try replayAll(dir.path)
        let replayedByLSN = Dictionary(uniqueKeysWithValues: replayed.map { ($0.lsn, $0.payload) })
        for (lsn, payload) in acked { #expect(replayedByLSN[lsn] == payload) }
    }

    @Test("a reset whose rename fails leaves the old log in place and usable")
    func resetRenameFailure() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let wal = try WriteAheadLog(directory: dir.path, io: io)
        for i in 0..<3 { try wal.append(type: 1, payload: walPayload(i, count: 5)) }
        io.inject(.rename, errno: EIO)
        #expect(throws: StorageError.self) { try wal.reset(startingLSN: 10) }
        #expect(!wal.isPoisoned)
        #expect(try wal.append(type: 1, payload: [4]) == 4)
        #expect(try replayAll(dir.path).map(\.lsn) == [1, 2, 3, 4])
    }

    @Test("a reset whose directory sync fails poisons the log")
    func resetDirectorySyncFailure() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let wal = try WriteAheadLog(directory: dir.path, io: io)
        try wal.append(type: 1, payload: [1])
        io.inject(.directorySync, errno: EIO)
        #expect(throws: StorageError.self) { try wal.reset(startingLSN: 2) }
        #expect(wal.isPoisoned)
        #expect(throws: StorageError.self) { try wal.append(type: 1, payload: [2]) }
    }
}
