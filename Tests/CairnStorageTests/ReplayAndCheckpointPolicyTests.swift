import CairnIndex
import CairnStorage
import CairnVectorMath
import Foundation
import Testing
import TestSupport

/// Replay inserts runs of upserts in parallel and still ends in the log's state; checkpoints come by record
/// count as well as by bytes; the directory lock names its holder.
@Suite struct ReplayAndCheckpointPolicyTests {
    static let dim = 16
    static let config = IndexConfiguration(dimension: dim, metric: .cosine, m: 8, efConstruction: 32)

    @Test func replayOfMixedUpsertsRemovesAndRepeatsEndsInTheLoggedState() throws {
        let dir = try TemporaryDirectory()
        let data = TestVectors.clustered(n: 9_000, dimension: Self.dim, seed: 7)
        var expected: [UInt64: Int] = [:]  // label → row of its last vector
        do {
            let store = try DurableIndex.open(directory: dir.path, configuration: Self.config)
            // A long run of distinct upserts (parallel on replay), then repeats, removes and re-adds.
            try store.upsert(labels: (0..<5_000).map(UInt64.init), vectors: Array(data[0..<(5_000 * Self.dim)]))
            for label in 0..<5_000 { expected[UInt64(label)] = label }
            for i in 0..<200 {
                let label = UInt64(i * 7 % 5_000)
                let row = 5_000 + i
                try store.upsert(label: label, vector: TestVectors.row(data, row, dimension: Self.dim))
                expected[label] = row
                if i % 3 == 0 {
                    let gone = UInt64(i * 11 % 5_000)
                    try store.remove(label: gone)
                    expected[gone] = nil
                }
            }
            try store.upsert(labels: (6_000..<7_000).map(UInt64.init), vectors: Array(data[(6_000 * Self.dim)..<(7_000 * Self.dim)]))
            for label in 6_000..<7_000 { expected[UInt64(label)] = label }
        }
        let reopened = try DurableIndex.open(directory: dir.path)
        #expect(reopened.recovery.checkpointLSN == 0)
        let index = reopened.index
        #expect(Set(index.allLabels()) == Set(expected.keys))
        for (label, row) in expected {
            let stored = try #require(index.vector(for: label))
            var want = TestVectors.row(data, row, dimension: Self.dim)
            let norm = sqrt(want.reduce(0) { $0 + $1 * $1 })
            want = want.map { $0 / norm }
            #expect(zip(stored, want).allSatisfy { abs($0 - $1) < 1e-5 }, "label \(label)")
        }
        #expect(try index.checkIntegrity().live == expected.count)
    }

    @Test func aLongLogIsCheckpointedByRecordCountNotOnlyByBytes() throws {
        let dir = try TemporaryDirectory()
        let data = TestVectors.clustered(n: 3_000, dimension: Self.dim, seed: 3)
        let store = try DurableIndex.open(directory: dir.path, configuration: Self.config)
        store.checkpointThresholdRecords = 1_000
        #expect(store.checkpointThresholdBytes > 10 << 20)
        // 1,000 records of 16 floats are far below the byte threshold; the record count triggers the checkpoint.
        try store.upsert(labels: (0..<999).map(UInt64.init), vectors: Array(data[0..<(999 * Self.dim)]))
        #expect(store.walRecords == 999)
        try store.upsert(label: 999, vector: TestVectors.row(data, 999, dimension: Self.dim))
        #expect(store.walRecords == 0)
        // Past the record threshold, a checkpoint also waits for an eighth of the index's vectors in the log.
        store.checkpointThresholdRecords = 100
        try store.upsert(labels: (1_000..<1_200).map(UInt64.init), vectors: Array(data[(1_000 * Self.dim)..<(1_200 * Self.dim)]))
        #expect(store.walRecords == 0, "1,200 vectors: 200 records are an eighth")
        try store.upsert(labels: (1_200..<1_300).map(UInt64.init), vectors: Array(data[(1_200 * Self.dim)..<(1_300 * Self.dim)]))
        #expect(store.walRecords == 100, "1,300 vectors: 100 records are under an eighth")
        #expect(!store.checkpointIsDue)
        // On a large index the ceiling bounds the log short of the eighth.
        store.checkpointCeilingRecords = 150
        try store.upsert(labels: (1_300..<1_349).map(UInt64.init), vectors: Array(data[(1_300 * Self.dim)..<(1_349 * Self.dim)]))
        #expect(store.walRecords == 149, "149 records: under the ceiling of 150")
        try store.upsert(label: 1_349, vector: TestVectors.row(data, 1_349, dimension: Self.dim))
        #expect(store.walRecords == 0, "150 records reach the ceiling although an eighth of 1,350 is 168")
        try store.upsert(labels: (1_350..<1_450).map(UInt64.init), vectors: Array(data[(1_350 * Self.dim)..<(1_450 * Self.dim)]))
        #expect(store.walRecords == 100, "100 records: the threshold, but under the eighth (181) and the ceiling")
        let reopened = try DurableIndex.open(directory: dir.path)
        #expect(reopened.recovery.replayedRecords == 100)
    }

    @Test func theLockFileNamesItsHolderAndAnotherOpenerSeesIt() throws {
        let dir = try TemporaryDirectory()
        #expect(DirectoryLock.holder(of: dir.path) == nil)
        let lock = try DirectoryLock(directory: dir.path, holder: LockHolder(command: "serve", url: "http://127.0.0.1:1"))
        lock.update(LockHolder(command: "serve", url: "http://127.0.0.1:8080"))
        let text = try String(contentsOfFile: dir.file("LOCK"), encoding: .utf8)
        let holder = try JSONDecoder().decode(LockHolder.self, from: Data(text.utf8))
        #expect(holder == LockHolder(pid: getpid(), command: "serve", url: "http://127.0.0.1:8080"))
        #expect(holder.description == "cairn serve (pid \(getpid()), http://127.0.0.1:8080)")
        #expect(LockHolder(pid: 12, command: nil, url: nil).description == "another Cairn process (pid 12)")
        // Within this process the lock is shared; holder(of:) reports this process.
        #expect(DirectoryLock.holder(of: dir.path)?.pid == getpid())
    }
}
