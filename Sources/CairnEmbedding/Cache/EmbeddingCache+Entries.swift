import CairnSQL
import CairnVectorMath
import Foundation

extension EmbeddingCache {
    /// A cached embedding.
    struct Entry: Sendable, Equatable {
        var vector: [Float]
        var tokenCount: Int?
    }

    /// Keys and entries of one batch lookup, in input order.
    struct Lookup: Sendable {
        var keys: [[UInt8]]
        var entries: [Entry?]
    }

    /// Keys looked up by one statement at most; the statement for a smaller batch uses the next power of two
    /// of placeholders (padded with NULL, which matches nothing), so at most nine statements are ever cached.
    static let keysPerQuery = 256

    /// Looks every text up (one query per ``keysPerQuery`` distinct keys), counts the found ones as hits.
    func entries(model: EmbeddingModelInfo, texts: [String]) throws(SQLError) -> Lookup {
        let keys = texts.map { Self.key(model: model.id, text: $0) }
        var distinct: [[UInt8]] = []
        var seen = Set<[UInt8]>()
        for key in keys where seen.insert(key).inserted {
            distinct.append(key)
        }
        var found: [[UInt8]: Entry] = [:]
        do {
            var start = 0
            while start < distinct.count {
                let batch = Array(distinct[start..<min(start + Self.keysPerQuery, distinct.count)])
                try fetch(batch, dimension: model.dimension, into: &found)
                start += batch.count
            }
            if !found.isEmpty {
                try recordHits(Array(found.keys))
            }
        } catch {
            throw Self.described(error, path: path)
        }
        let entries = keys.map { found[$0] }
        let hits = entries.count { $0 != nil }
        count(hits: hits, misses: entries.count - hits, stored: 0)
        return Lookup(keys: keys, entries: entries)
    }

    /// Stores one vector per key in one transaction (see ``store(model:texts:vectors:tokenCounts:)``).
    func store(model: EmbeddingModelInfo, keys: [[UInt8]], vectors: [[Float]], tokenCounts: [Int]?) throws(SQLError) {
        guard vectors.count == keys.count, tokenCounts.map({ $0.count == keys.count }) ?? true else {
            throw SQLError.invalidArgument(
                "embedding cache \(path): \(keys.count) texts, \(vectors.count) vectors and "
                    + "\(tokenCounts.map { String($0.count) } ?? "no") token counts", path: path)
        }
        if let wrong = vectors.first(where: { $0.count != model.dimension }) {
            throw SQLError.invalidArgument(
                "embedding cache \(path): a vector of \(wrong.count) floats for \(model.id), whose dimension is "
                    + "\(model.dimension)", path: path)
        }
        guard !keys.isEmpty else { return }
        let now = Int64(Date().timeIntervalSince1970)
        let sql = """
            INSERT INTO embedding_cache (key, model, dimension, vector, token_count, created_at, hits)
            VALUES (?, ?, ?, ?, ?, ?, 0)
            ON CONFLICT (key) DO UPDATE SET model = excluded.model, dimension = excluded.dimension,
                vector = excluded.vector, token_count = excluded.token_count, created_at = excluded.created_at,
                hits = 0
            """
        do {
            try database.transaction {
                try database.withStatement(sql) { insert in
                    for (index, key) in keys.enumerated() {
                        try insert.execute([
                            .blob(key), .text(model.id), .int(model.dimension), .blob(Float32Blob.encode(vectors[index])),
                            tokenCounts.map { .int($0[index]) } ?? .null, .integer(now),
                        ])
                    }
                }
            }
        } catch let error as SQLError {
            throw Self.described(error, path: path)
        } catch {
            throw SQLError(code: 1 /* SQLITE_ERROR */, message: "embedding cache \(path): \(error)", path: path,
                           kind: .serviceError, underlying: error)
        }
        count(hits: 0, misses: 0, stored: keys.count)
    }

    private func fetch(_ keys: [[UInt8]], dimension: Int, into found: inout [[UInt8]: Entry]) throws(SQLError) {
        let placeholders = Self.placeholderCount(keys.count)
        let sql = "SELECT key, dimension, vector, token_count FROM embedding_cache WHERE key IN ("
            + Array(repeating: "?", count: placeholders).joined(separator: ", ") + ")"
        var bindings = keys.map { SQLValue.blob($0) }
        bindings += Array(repeating: .null, count: placeholders - keys.count)
        for row in try database.query(sql, bindings) {
            // Another dimension, or a vector of the wrong length, is a miss: the next store overwrites it.
            guard let key = row[0].bytes, row[1].int64 == Int64(dimension),
                let bytes = row[2].bytes, bytes.count == dimension * MemoryLayout<Float>.size
            else { continue }
            found[key] = Entry(vector: Float32Blob.decode(bytes, dimension: dimension), tokenCount: row[3].int64.map(Int.init))
        }
    }

    private func recordHits(_ keys: [[UInt8]]) throws(SQLError) {
        var start = 0
        while start < keys.count {
            let batch = keys[start..<min(start + Self.keysPerQuery, keys.count)]
            let placeholders = Self.placeholderCount(batch.count)
            let sql = "UPDATE embedding_cache SET hits = hits + 1 WHERE key IN ("
                + Array(repeating: "?", count: placeholders).joined(separator: ", ") + ")"
            let padding = [SQLValue](repeating: .null, count: placeholders - batch.count)
            try database.execute(sql, batch.map { .blob($0) } + padding)
            start += batch.count
        }
    }

    /// The next power of two ≥ `count` (1…``keysPerQuery``).
    static func placeholderCount(_ count: Int) -> Int {
        var size = 1
        while size < count { size *= 2 }
        return min(size, keysPerQuery)
    }
}
