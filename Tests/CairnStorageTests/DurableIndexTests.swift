import CairnIndex
import CairnStorage
import CairnVectorMath
import Foundation
import Glibc
import Testing
import TestSupport

/// The durable index: recovery from WAL and checkpoints, refusal of damaged or conflicting data, faults.
@Suite struct DurableIndexTests {
    static let dim = 16
    static let config = IndexConfiguration(dimension: dim, metric: .cosine, m: 8, efConstruction: 32)

    static func vectors(_ n: Int, seed: UInt64 = 1) -> [Float] {
        TestVectors.clustered(n: n, dimension: dim, seed: seed)
    }

    @Test func writesSurviveReopenThroughWALAndCheckpoint() throws {
        let dir = try TemporaryDirectory()
        let data = Self.vectors(600)
        do {
            let store = try DurableIndex.open(directory: dir.path, configuration: Self.config)
            try store.upsert(labels: (0..<300).map(UInt64.init), vectors: Array(data[0..<(300 * Self.dim)]))
            try store.checkpoint()
            try store.upsert(labels: (300..<600).map(UInt64.init), vectors: Array(data[(300 * Self.dim)...]))
            #expect(try store.remove(label: 10))
            #expect(try !store.remove(label: 10))
            try store.upsert(label: 20, vector: TestVectors.row(data, 599, dimension: Self.dim))
        }
        let reopened = try DurableIndex.open(directory: dir.path)
        #expect(reopened.recovery.checkpointLSN == 300)
        #expect(reopened.recovery.replayedRecords == 302)
        let index = reopened.index
        #expect(index.count == 599)
        #expect(!index.contains(10))
        let hits = try index.search(TestVectors.row(data, 599, dimension: Self.dim), options: SearchOptions(k: 2)).hits
        #expect(Set(hits.map(\.label)) == [20, 599])
        let report = try index.checkIntegrity()
        #expect(report.live == 599)
    }

    @Test func aQuantizedIndexKeepsItsQuantizationThroughWALAndCheckpoint() throws {
        let dir = try TemporaryDirectory()
        let data = Self.vectors(400)
        var config = Self.config
        config.quantization = .int8
        do {
            let store = try DurableIndex.open(directory: dir.path, configuration: config)
            try store.upsert(labels: (0..<200).map(UInt64.init), vectors: Array(data[0..<(200 * Self.dim)]))
            try store.checkpoint()
            try store.upsert(labels: (200..<400).map(UInt64.init), vectors: Array(data[(200 * Self.dim)...]))
        }
        let manifest = try String(contentsOfFile: dir.path + "/index.json", encoding: .utf8)
        #expect(manifest.contains("\"quantization\" : \"int8\""))
        // Reopened without a request, and with a request for float32: the index keeps int8.
        for request in [nil, Self.config] {
            let reopened = try DurableIndex.open(directory: dir.path, configuration: request)
            #expect(reopened.configuration.quantization == .int8)
            #expect(reopened.index.count == 400)
            let q = TestVectors.row(data, 399, dimension: Self.dim)
            #expect(try reopened.index.search(q, options: SearchOptions(k: 1)).hits.first?.label == 399)
        }
        // A manifest written before quantization existed (no key) opens as float32.
        let old = try DirectoryWithOldManifest()
        let store = try DurableIndex.open(directory: old.dir.path)
        #expect(store.configuration.quantization == VectorQuantization.none)
    }

    /// A data directory whose index.json predates the quantization key.
    struct DirectoryWithOldManifest {
        let dir: TemporaryDirectory

        init() throws {
            dir = try TemporaryDirectory()
            try """
                {"dimension": 16, "ef_construction": 32, "ef_search": 100, "format_version": 1,
                 "full_scan_threshold": 10000, "m": 8, "metric": "cosine"}
                """.write(toFile: dir.path + "/index.json", atomically: true, encoding: .utf8)
        }
    }

    @Test func conflictingOrMissingConfigurationIsAUserError() throws {
        let dir = try TemporaryDirectory()
        func kind(_ body: () throws -> Void) -> StorageError.Kind? {
            do { try body(); return nil } catch let e as StorageError { return e.kind } catch { return nil }
        }
        #expect(kind { _ = try DurableIndex.open(directory: dir.path) } == .userError)
        _ = try DurableIndex.open(directory: dir.path, configuration: Self.config)
        var other = Self.config
        other.dimension = 32
        #expect(kind { _ = try DurableIndex.open(directory: dir.path, configuration: other) } == .userError)
        other = Self.config
        other.metric = .l2
        #expect(kind { _ = try DurableIndex.open(directory: dir.path, configuration: other) } == .userError)
        other = Self.config
        other.efSearch = 300
        #expect(try DurableIndex.open(directory: dir.path, configuration: other).configuration.efSearch == 300)
    }

    @Test func invalidVectorsAreRefusedBeforeLogging() throws {
        let dir = try TemporaryDirectory()
        let store = try DurableIndex.open(directory: dir.path, configuration: Self.config)
        #expect(throws: StorageError.self) { try store.upsert(label: 1, vector: [1, 2, 3]) }
        var bad = [Float](repeating: 1, count: Self.dim)
        bad[3] = .infinity
        #expect(throws: StorageError.self) { try store.upsert(label: 1, vector: bad) }
        let reopened = try DurableIndex.open(directory: dir.path)
        #expect(reopened.recovery.replayedRecords == 0)
    }

    @Test func tornWALTailIsCutAndEverythingBeforeItKept() throws {
        let dir = try TemporaryDirectory()
        let data = Self.vectors(50)
        do {
            let store = try DurableIndex.open(directory: dir.path, configuration: Self.config)
            for i in 0..<50 { try store.upsert(label: UInt64(i), vector: TestVectors.row(data, i, dimension: Self.dim)) }
        }
        let wal = dir.file("wal.log")
        let size = try FileManager.default.attributesOfItem(atPath: wal)[.size] as! Int
        #expect(truncate(wal, off_t(size - 7)) == 0)
        let reopened = try DurableIndex.open(directory: dir.path)
        #expect(reopened.recovery.walBytesTruncated > 0)
        #expect(reopened.index.count == 49)
        #expect(!reopened.index.contains(49))
        try reopened.index.checkIntegrity()
        // The log keeps working after the cut.
        try reopened.upsert(label: 49, vector: TestVectors.row(data, 49, dimension: Self.dim))
        #expect(try DurableIndex.open(directory: dir.path).index.count == 50)
    }

    @Test func corruptCheckpointIsRefusedNamingTheFile() throws {
        let dir = try TemporaryDirectory()
        let path: String
        do {
            let store = try DurableIndex.open(directory: dir.path, configuration: Self.config)
            try store.upsert(labels: (0..<200).map(UInt64.init), vectors: Self.vectors(200))
            path = try store.checkpoint()
        }
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 4096 + 100)
        let byte = try #require(try handle.read(upToCount: 1))
        try handle.seek(toOffset: 4096 + 100)
        try handle.write(contentsOf: Data([byte[0] ^ 0x40]))
        try handle.close()
        do {
            _ = try DurableIndex.open(directory: dir.path)
            Issue.record("a corrupt checkpoint was accepted")
        } catch let error as StorageError {
            #expect(error.kind == .corruption)
            #expect(error.description.contains(path))
        }
    }

    @Test func failedFsyncIsNotAcknowledgedAndLosesNothingAcknowledged() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let data = Self.vectors(40)
        var acknowledged = Set<UInt64>()
        do {
            let store = try DurableIndex.open(directory: dir.path, configuration: Self.config, io: io)
            for i in 0..<20 {
                try store.upsert(label: UInt64(i), vector: TestVectors.row(data, i, dimension: Self.dim))
                acknowledged.insert(UInt64(i))
            }
            io.inject(.sync, errno: EIO, onCall: 1)
            #expect(throws: StorageError.self) {
                try store.upsert(label: 20, vector: TestVectors.row(data, 20, dimension: Self.dim))
            }
            // After an fsync failure the log refuses further writes rather than acknowledging them unsafely.
            #expect(throws: StorageError.self) {
                try store.upsert(label: 21, vector: TestVectors.row(data, 21, dimension: Self.dim))
            }
        }
        io.clearFaults()
        let reopened = try DurableIndex.open(directory: dir.path, io: io)
        for label in acknowledged { #expect(reopened.index.contains(label)) }
        #expect(!reopened.index.contains(21))
        try reopened.index.checkIntegrity()
    }

    @Test func fullDiskFailsTheWriteAndTheIndexRecovers() throws {
        let dir = try TemporaryDirectory()
        let io = FaultInjectingFileIO()
        let data = Self.vectors(30)
        let store = try DurableIndex.open(directory: dir.path, configuration: Self.config, io: io)
        try store.upsert(labels: (0..<10).map(UInt64.init), vectors: Array(data[0..<(10 * Self.dim)]))
        io.inject(.write, errno: ENOSPC, onCall: 1, tornWrite: true)
        #expect(throws: StorageError.self) {
            try store.upsert(labels: (10..<20).map(UInt64.init), vectors: Array(data[(10 * Self.dim)..<(20 * Self.dim)]))
        }
        #expect(store.index.count == 10, "a write that was not logged must not reach the graph")
        try store.upsert(labels: (20..<30).map(UInt64.init), vectors: Array(data[(20 * Self.dim)...]))
        let reopened = try DurableIndex.open(directory: dir.path)
        #expect(reopened.index.count == 20)
        #expect(!reopened.index.contains(15))
    }

    @Test func compactionKeepsConcurrentWritesAndSearches() async throws {
        let dir = try TemporaryDirectory()
        let data = Self.vectors(3000)
        let store = try DurableIndex.open(directory: dir.path, configuration: Self.config)
        try store.upsert(labels: (0..<2000).map(UInt64.init), vectors: Array(data[0..<(2000 * Self.dim)]))
        for i in stride(from: 0, to: 2000, by: 2) { try store.remove(label: UInt64(i)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try store.compact(threads: 1) }
            group.addTask {
                for i in 2000..<3000 {
                    try store.upsert(label: UInt64(i), vector: TestVectors.row(data, i, dimension: Self.dim))
                }
                try store.remove(label: 1)
            }
            group.addTask {
                for i in 0..<300 {
                    let hits = try store.index.search(TestVectors.row(data, 2 * i + 1, dimension: Self.dim),
                                                      options: SearchOptions(k: 3)).hits
                    #expect(hits.allSatisfy { $0.label % 2 == 1 || $0.label >= 2000 })
                }
            }
            try await group.waitForAll()
        }
        #expect(store.index.count == 1999)
        #expect(!store.index.contains(1))
        #expect(store.index.contains(2999))
        let reopened = try DurableIndex.open(directory: dir.path)
        #expect(reopened.index.count == 1999)
        #expect(reopened.index.deletedCount <= 1)
        try reopened.index.checkIntegrity()
    }
}
