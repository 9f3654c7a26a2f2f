import CairnSQL
import TestSupport
import Testing

struct TestFailure: Error, Equatable {
    let reason: String
}

@Suite("SQLite transactions and threads")
struct SQLiteTransactionTests {
    func makeDatabase(_ dir: TemporaryDirectory) throws -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: dir.file("tx.sqlite3"))
        try db.executeScript("""
            CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
            INSERT INTO counter VALUES (1, 0);
            """)
        return db
    }

    func count(_ db: SQLiteDatabase) throws -> Int {
        try db.queryValue("SELECT count(*) FROM items", as: Int.self) ?? -1
    }

    @Test("a transaction commits what its body did and returns its value")
    func commits() throws {
        let dir = try TemporaryDirectory()
        let db = try makeDatabase(dir)
        let id = try db.transaction {
            try db.execute("INSERT INTO items (name) VALUES (?)", ["a"])
            #expect(db.isInTransaction)
            return db.lastInsertRowID
        }
        #expect(id == 1)
        #expect(!db.isInTransaction)
        // Another connection sees the commit.
        #expect(try count(SQLiteDatabase(path: dir.file("tx.sqlite3"))) == 1)
    }

    @Test("a throwing body rolls back and its error comes out unchanged")
    func rollsBack() throws {
        let dir = try TemporaryDirectory()
        let db = try makeDatabase(dir)
        #expect(throws: TestFailure(reason: "stop")) {
            try db.transaction {
                try db.execute("INSERT INTO items (name) VALUES (?)", ["a"])
                throw TestFailure(reason: "stop")
            }
        }
        #expect(try count(db) == 0)
        #expect(!db.isInTransaction)
        // A failing statement inside rolls back the statements before it too.
        #expect(throws: SQLError.self) {
            try db.transaction {
                try db.execute("INSERT INTO items (name) VALUES (?)", ["b"])
                try db.execute("INSERT INTO items (name) VALUES (?)", [nil])
            }
        }
        #expect(try count(db) == 0)
    }

    @Test("a nested transaction is a savepoint: its failure undoes only its own work")
    func nested() throws {
        let dir = try TemporaryDirectory()
        let db = try makeDatabase(dir)
        try db.transaction {
            try db.execute("INSERT INTO items (name) VALUES (?)", ["outer"])
            do {
                try db.transaction {
                    try db.execute("INSERT INTO items (name) VALUES (?)", ["inner"])
                    throw TestFailure(reason: "inner")
                }
            } catch let failure as TestFailure {
                #expect(failure.reason == "inner")
            }
            try db.transaction {
                try db.execute("INSERT INTO items (name) VALUES (?)", ["inner 2"])
            }
        }
        let names = try db.query("SELECT name FROM items ORDER BY id").map { try $0.get(0) as String }
        #expect(names == ["outer", "inner 2"])
    }

    @Test("transactions from many threads never interleave")
    func concurrentTransactions() async throws {
        let dir = try TemporaryDirectory()
        let db = try makeDatabase(dir)
        let tasks = 4
        let rounds = 50
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for round in 0..<rounds {
                        try db.transaction {
                            // Read-modify-write: a lost update would show up in the final count.
                            let value = try db.queryValue("SELECT value FROM counter", as: Int.self) ?? 0
                            try db.execute("INSERT INTO items (name) VALUES (?)", [.text("\(task)-\(round)")])
                            try db.execute("UPDATE counter SET value = ?", [.int(value + 1)])
                        }
                    }
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<rounds {
                        let counter = try db.queryValue("SELECT value FROM counter", as: Int.self) ?? -1
                        #expect((0...(tasks * rounds)).contains(counter))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try db.queryValue("SELECT value FROM counter", as: Int.self) == tasks * rounds)
        #expect(try count(db) == tasks * rounds)
    }

    @Test("two connections on one file serialise their writes through the busy timeout")
    func twoConnections() async throws {
        let dir = try TemporaryDirectory()
        let first = try makeDatabase(dir)
        let second = try SQLiteDatabase(path: dir.file("tx.sqlite3"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for db in [first, second] {
                group.addTask {
                    for _ in 0..<40 {
                        try db.transaction {
                            let value = try db.queryValue("SELECT value FROM counter", as: Int.self) ?? 0
                            try db.execute("UPDATE counter SET value = ?", [.int(value + 1)])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try first.queryValue("SELECT value FROM counter", as: Int.self) == 80)
    }
}
