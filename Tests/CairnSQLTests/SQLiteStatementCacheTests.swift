import CairnSQL
import Testing

@Suite("SQLite statement cache")
struct SQLiteStatementCacheTests {
    @Test("hot SQL is prepared once and reused")
    func reuse() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER)")
        db.clearStatementCache()
        #expect(db.cachedStatementCount == 0)
        for index in 0..<100 {
            try db.execute("INSERT INTO t VALUES (?)", [.int(index)])
        }
        #expect(db.cachedStatementCount == 1)
        #expect(try db.queryValue("SELECT sum(x) FROM t", as: Int.self) == 4950)
        #expect(db.cachedStatementCount == 2)
    }

    @Test("the least recently used statements are evicted at capacity")
    func eviction() throws {
        let db = try SQLiteDatabase(path: ":memory:", options: .init(statementCacheCapacity: 3))
        db.clearStatementCache()
        for index in 0..<10 {
            #expect(try db.queryValue("SELECT \(index)", as: Int.self) == index)
        }
        #expect(db.cachedStatementCount == 3)
        let uncached = try SQLiteDatabase(path: ":memory:", options: .init(statementCacheCapacity: 0))
        #expect(try uncached.queryValue("SELECT 1", as: Int.self) == 1)
        #expect(uncached.cachedStatementCount == 0)
    }

    @Test("the same SQL can run inside its own row loop")
    func reentrant() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER)")
        for index in 1...3 {
            try db.execute("INSERT INTO t VALUES (?)", [.int(index)])
        }
        let sql = "SELECT x FROM t WHERE x >= ? ORDER BY x"
        db.clearStatementCache()
        var pairs: [String] = []
        try db.withStatement(sql) { outer in
            try outer.forEachRow([2]) { row in
                let x = row.int64(at: 0)
                let inner = try db.query(sql, [.integer(x)]).map { try $0.get(0) as Int }
                pairs.append("\(x):\(inner)")
            }
        }
        #expect(pairs == ["2:[2, 3]", "3:[3]"])
        // The outer and the inner run each needed a handle; both are kept for the next use.
        #expect(db.cachedStatementCount == 2)
    }

    @Test("a cached statement keeps no bindings from its last use")
    func bindingsCleared() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (x INTEGER)")
        try db.execute("INSERT INTO t VALUES (?)", [5])
        let statement = "SELECT count(*) FROM t WHERE x = ?"
        #expect(try db.queryValue(statement, [5], as: Int.self) == 1)
        let unbound = try db.withStatement(statement) { cached throws -> Int64 in
            let hasRow = try cached.step()
            #expect(hasRow)
            return cached.int64(at: 0)
        }
        #expect(unbound == 0)  // x = NULL matches nothing
    }
}
