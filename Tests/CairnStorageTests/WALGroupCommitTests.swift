import CairnStorage
import Foundation
import Synchronization
import TestSupport
import Testing

/// Runs `body(t)` on `threads` dedicated threads at once and waits for all of them.
func runOnThreads(_ threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let done = DispatchSemaphore(value: 0)
    for t in 0..<threads {
        let thread = Thread {
            body(t)
            done.signal()
        }
        thread.start()
    }
    for _ in 0..<threads { done.wait() }
}

@Suite("Write-ahead log group commit")
struct WALGroupCommitTests {
    @Test("concurrent appenders share syncs and every acknowledged record is replayed")
    func concurrentAppendsGroup() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        io.setLatency(.sync, microseconds: 2_000)  // a slow disk, so appenders pile up behind a sync
        let wal = try WriteAheadLog(directory: dir.path, io: io)
        let threads = 4
        let perThread = 25
        let acknowledged = Mutex<[UInt64: [UInt8]]>([:])
        let failures = Atomic<Int>(0)
        runOnThreads(threads) { t in
            for i in 0..<perThread {
                let payload = walPayload(t * 1_000 + i, count: 8 + i)
                do {
                    let lsn = try wal.append(type: UInt8(t), payload: payload)
                    acknowledged.withLock { $0[lsn] = payload }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        let total = threads * perThread
        #expect(failures.load(ordering: .relaxed) == 0)
        let stats = wal.statistics
        #expect(stats.recordsAppended == total)
        #expect(stats.appendCalls == total)
        #expect(stats.syncs < total)
        #expect(stats.largestGroup > 1)
        #expect(wal.durableLSN == UInt64(total))

        let acked = acknowledged.withLock { $0 }
        #expect(acked.keys.sorted() == Array(1...UInt64(total)))
        let replayed = try replayAll(dir.path)
        #expect(replayed.map(\.lsn) == Array(1...UInt64(total)))
        for record in replayed { #expect(acked[record.lsn] == record.payload) }
    }

    @Test("a bulk load from two threads in batches syncs once per group, not once per record")
    func twoThreadBulkLoad() throws {
        let dir = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: dir.path)
        runOnThreads(2) { t in
            for b in 0..<4 {
                let batch = (0..<25).map { (type: UInt8(1), payload: walPayload(t * 100 + b * 25 + $0, count: 64)) }
                _ = try? wal.append(batch)
            }
        }
        let stats = wal.statistics
        #expect(stats.recordsAppended == 200)
        #expect(stats.syncs <= 8)
        #expect(stats.syncs == stats.writes)
        #expect(try replayAll(dir.path).count == 200)
    }

    @Test("batches from concurrent appenders keep their records contiguous")
    func concurrentBatches() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        io.setLatency(.sync, microseconds: 1_000)
        let wal = try WriteAheadLog(directory: dir.path, io: io)
        let ranges = Mutex<[Range<UInt64>]>([])
        runOnThreads(3) { t in
            for i in 0..<10 {
                let batch = (0..<5).map { (type: UInt8(t), payload: walPayload(t * 100 + i * 5 + $0, count: 4)) }
                if let range = try? wal.append(batch) { ranges.withLock { $0.append(range) } }
            }
        }
        let all = ranges.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(all.count == 30)
        #expect(all.allSatisfy { $0.count == 5 })
        let replayed = try replayAll(dir.path)
        for range in all {
            let types = Set(replayed.filter { range.contains($0.lsn) }.map(\.type))
            #expect(types.count == 1)
        }
        #expect(wal.statistics.syncs < 30)
    }

    @Test("replay while appends continue sees a consistent durable prefix")
    func replayDuringAppends() throws {
        let dir = try TemporaryDirectory()
        let wal = try WriteAheadLog(directory: dir.path)
        for i in 0..<10 { try wal.append(type: 1, payload: walPayload(i, count: 16)) }
        let seen = Atomic<Int>(0)
        runOnThreads(2) { t in
            if t == 0 {
                for i in 0..<50 { _ = try? wal.append(type: 2, payload: walPayload(i, count: 16)) }
            } else {
                for _ in 0..<20 {
                    var last: UInt64 = 0
                    var ordered = true
                    try? wal.replay { record in
                        ordered = ordered && record.lsn == last + 1
                        last = record.lsn
                    }
                    if ordered && last >= 10 { seen.add(1, ordering: .relaxed) }
                }
            }
        }
        #expect(seen.load(ordering: .relaxed) == 20)
    }
}
