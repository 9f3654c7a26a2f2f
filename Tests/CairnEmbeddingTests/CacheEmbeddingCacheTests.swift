import CairnEmbedding
import CairnSQL
import Foundation
import TestSupport
import Testing

/// Raw file helpers for the cache tests.
enum CacheTestFiles {
    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Overwrites everything from `offset` to the end with a pattern SQLite cannot parse.
    static func scribble(_ path: String, from offset: Int) throws {
        var data = try bytes(path)
        for index in offset..<data.count {
            data[index] = UInt8(truncatingIfNeeded: 0xA5 &+ index &* 3)
        }
        try write(data, to: path)
    }
}

@Suite("Embedding cache")
struct CacheEmbeddingCacheTests {
    let model = EmbeddingModelInfo(id: "all-MiniLM-L6-v2", dimension: 4, maxTokens: 256, provider: .builtin)

    @Test("stored vectors come back bit for bit, misses as nil, in input order")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.path)
        #expect(cache.path == dir.file("embedding-cache.sqlite3"))
        let vectors: [[Float]] = [
            [1, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude],
            [0.1, 0.2, 0.3, -.infinity],
        ]
        try cache.store(model: model, texts: ["alpha", "beta"], vectors: vectors)
        let found = try cache.lookup(model: model, texts: ["beta", "gamma", "alpha", ""])
        #expect(found.count == 4)
        #expect(found[0].map { $0.map(\.bitPattern) } == vectors[1].map(\.bitPattern))
        #expect(found[1] == nil)
        #expect(found[2].map { $0.map(\.bitPattern) } == vectors[0].map(\.bitPattern))
        #expect(found[3] == nil)
        #expect(try dir.contents().contains("embedding-cache.sqlite3"))
    }

    @Test("entries survive reopening the file")
    func persisted() throws {
        let dir = try TemporaryDirectory()
        try EmbeddingCache(dataDirectory: dir.path).store(model: model, texts: ["kept"], vectors: [[1, 2, 3, 4]])
        let reopened = try EmbeddingCache(dataDirectory: dir.path + "/")
        #expect(try reopened.lookup(model: model, texts: ["kept"]) == [[1, 2, 3, 4]])
        #expect(try reopened.entryCount() == 1)
    }

    @Test("the data directory is created when missing")
    func createsDirectory() throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.file("index-data/nested"))
        try cache.store(model: model, texts: ["a"], vectors: [[0, 0, 0, 1]])
        #expect(FileManager.default.fileExists(atPath: dir.file("index-data/nested/embedding-cache.sqlite3")))
    }

    @Test("another dimension under the same model id is a miss, and storing overwrites it")
    func dimensionChange() throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.path)
        let narrow = EmbeddingModelInfo(id: "openai/text-embedding-3-small", dimension: 3, maxTokens: 8191, provider: .openai)
        var wide = narrow
        wide.dimension = 5
        try cache.store(model: narrow, texts: ["t"], vectors: [[1, 2, 3]])
        #expect(try cache.lookup(model: wide, texts: ["t"]) == [nil])
        try cache.store(model: wide, texts: ["t"], vectors: [[1, 2, 3, 4, 5]])
        #expect(try cache.lookup(model: wide, texts: ["t"]) == [[1, 2, 3, 4, 5]])
        #expect(try cache.lookup(model: narrow, texts: ["t"]) == [nil])
        #expect(try cache.entryCount() == 1)
    }

    @Test("large batches with duplicates are looked up and stored in bulk")
    func largeBatch() throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.path)
        let texts = (0..<700).map { "chunk \($0 % 600)" }  // 600 distinct, 100 repeated
        let vectors = texts.map { text in (0..<4).map { Float(text.utf8.count * 10 + $0) } }
        let before = try cache.lookup(model: model, texts: texts)
        #expect(before.allSatisfy { $0 == nil })
        try cache.store(model: model, texts: texts, vectors: vectors)
        #expect(try cache.entryCount(model: model.id) == 600)
        let after = try cache.lookup(model: model, texts: texts)
        #expect(after == vectors.map { Optional($0) })
        #expect(cache.statistics == EmbeddingCacheStatistics(hits: 700, misses: 700, stored: 700))
        #expect(cache.statistics.hitRate == 0.5)
    }

    @Test("hits are counted per entry in the file")
    func hitsColumn() throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.path)
        try cache.store(model: model, texts: ["a", "b"], vectors: [[1, 1, 1, 1], [2, 2, 2, 2]])
        for _ in 0..<3 { _ = try cache.lookup(model: model, texts: ["a", "a", "c"]) }
        let db = try SQLiteDatabase(path: cache.path)
        let rows = try db.query("SELECT hits, dimension, token_count, created_at FROM embedding_cache ORDER BY hits DESC")
        #expect(try rows.map { try $0.get(0) as Int } == [3, 0])
        #expect(try rows[0].get(1) as Int == 4)
        #expect(try rows[0].get(2) as Int? == nil)
        #expect(try rows[0].get(3) as Int64 > 1_600_000_000)
        #expect(try db.migrationRecords().map(\.name) == ["0001_embedding_cache"])
    }

    @Test("mismatched arguments are refused as user errors")
    func invalidArguments() throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.path)
        let counts = #expect(throws: SQLError.self) {
            try cache.store(model: model, texts: ["a", "b"], vectors: [[1, 2, 3, 4]])
        }
        #expect(counts?.kind == .userError)
        let dimension = #expect(throws: SQLError.self) {
            try cache.store(model: model, texts: ["a"], vectors: [[1, 2, 3]])
        }
        #expect(dimension?.kind == .userError)
        #expect(dimension?.message.contains("dimension is 4") == true)
        #expect(try cache.entryCount() == 0)
    }

    @Test("a file that is not a database is reported with its path and never deleted")
    func notADatabase() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file(EmbeddingCache.fileName)
        let garbage = Array("this is not an SQLite database, but the operator's file\n".utf8) + [UInt8](repeating: 0x42, count: 4096)
        try CacheTestFiles.write(garbage, to: path)
        let error = #expect(throws: SQLError.self) { try EmbeddingCache(dataDirectory: dir.path) }
        #expect(error?.kind == .corruption)
        #expect(error?.message.contains("embedding cache \(path)") == true)
        #expect(error?.message.contains("move it aside") == true)
        #expect(try CacheTestFiles.bytes(path) == garbage)
    }

    @Test("a damaged page is reported on lookup with the file's path")
    func damagedPage() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file(EmbeddingCache.fileName)
        let wide = EmbeddingModelInfo(id: "wide", dimension: 384, maxTokens: 256, provider: .builtin)
        let texts = (0..<300).map { "entry \($0)" }
        do {
            let cache = try EmbeddingCache(path: path)
            try cache.store(model: wide, texts: texts, vectors: texts.map { _ in [Float](repeating: 0.5, count: 384) })
        }
        try CacheTestFiles.scribble(path, from: try CacheTestFiles.bytes(path).count / 2)
        let cache = try EmbeddingCache(path: path)
        let error = #expect(throws: SQLError.self) { _ = try cache.lookup(model: wide, texts: texts) }
        #expect(error?.kind == .corruption)
        #expect(error?.message.contains(path) == true)
    }

    @Test("lookups and stores from many threads")
    func concurrent() async throws {
        let dir = try TemporaryDirectory()
        let cache = try EmbeddingCache(dataDirectory: dir.path)
        let model = self.model
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for round in 0..<25 {
                        let texts = (0..<8).map { "w\(worker) r\(round) \($0)" }
                        let vectors = texts.indices.map { index in [Float](repeating: Float(worker * 1000 + round * 10 + index), count: 4) }
                        try cache.store(model: model, texts: texts, vectors: vectors)
                        let found = try cache.lookup(model: model, texts: texts)
                        #expect(found == vectors.map { Optional($0) })
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try cache.entryCount() == 4 * 25 * 8)
        #expect(cache.statistics.hits == 4 * 25 * 8)
    }
}
