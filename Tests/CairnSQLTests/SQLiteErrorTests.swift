import CairnSQL
import TestSupport
import Testing

@Suite("SQLite errors")
struct SQLiteErrorTests {
    @Test("constraint violations are user errors with SQLite's code, message and the SQL")
    func constraints() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0))")
        try db.execute("INSERT INTO t (email, n) VALUES (?, ?)", ["a@example.org", 1])

        let unique = #expect(throws: SQLError.self) {
            try db.execute("INSERT INTO t (email, n) VALUES (?, ?)", ["a@example.org", 2])
        }
        #expect(unique?.kind == .userError)
        #expect(unique?.code == 2067)
        #expect(unique?.codeName == "SQLITE_CONSTRAINT_UNIQUE")
        #expect(unique?.message.contains("UNIQUE constraint failed: t.email") == true)
        #expect(unique?.sql == "INSERT INTO t (email, n) VALUES (?, ?)")
        // Bound values never appear in the error.
        #expect(unique?.description.contains("a@example.org") == false)

        let notNull = #expect(throws: SQLError.self) { try db.execute("INSERT INTO t (email) VALUES (?)", [nil]) }
        #expect(notNull?.codeName == "SQLITE_CONSTRAINT_NOTNULL")
        #expect(notNull?.kind == .userError)

        let check = #expect(throws: SQLError.self) { try db.execute("INSERT INTO t (email, n) VALUES ('b', 0)") }
        #expect(check?.codeName == "SQLITE_CONSTRAINT_CHECK")
    }

    @Test("SQL mistakes are service errors naming the SQL")
    func syntax() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        let error = #expect(throws: SQLError.self) { _ = try db.query("SELEKT 1") }
        #expect(error?.kind == .serviceError)
        #expect(error?.primaryCode == 1)
        #expect(error?.sql == "SELEKT 1")
        #expect(error?.description.contains("syntax error") == true)
    }

    @Test("a database locked by another connection past the busy timeout is a busy service error")
    func busy() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("busy.sqlite3")
        let holder = try SQLiteDatabase(path: path)
        try holder.execute("CREATE TABLE t (x INTEGER)")
        let waiter = try SQLiteDatabase(path: path, options: .init(busyTimeoutMilliseconds: 50))
        try holder.execute("BEGIN IMMEDIATE")
        try holder.execute("INSERT INTO t VALUES (1)")
        let error = #expect(throws: SQLError.self) {
            try waiter.transaction { try waiter.execute("INSERT INTO t VALUES (2)") }
        }
        #expect(error?.kind == .serviceError)
        #expect(error?.isBusy == true)
        // Readers are not blocked by the writer (WAL) and see the last commit.
        #expect(try waiter.queryValue("SELECT count(*) FROM t", as: Int.self) == 0)
        try holder.execute("COMMIT")
        try waiter.transaction { try waiter.execute("INSERT INTO t VALUES (2)") }
        #expect(try holder.queryValue("SELECT count(*) FROM t", as: Int.self) == 2)
    }

    @Test("result codes are classified", arguments: [
        (19 as Int32, SQLError.Kind.userError), (2067, .userError), (20, .userError), (18, .userError),
        (11, .corruption), (26, .corruption), (5, .serviceError), (6, .serviceError), (10, .serviceError),
        (778, .serviceError), (13, .serviceError), (14, .serviceError), (1, .serviceError), (21, .serviceError),
    ])
    func classification(code: Int32, kind: SQLError.Kind) {
        #expect(SQLError.classify(code: code) == kind)
    }

    @Test("the description carries kind, message, code name, file and SQL")
    func description() {
        let error = SQLError(code: 2067, message: "UNIQUE constraint failed: t.x", sql: "INSERT INTO t VALUES (?)",
                             path: "/data/cairn.sqlite3")
        let text = error.description
        #expect(text.hasPrefix("user error: UNIQUE constraint failed: t.x (SQLITE_CONSTRAINT_UNIQUE)"))
        #expect(text.contains("in /data/cairn.sqlite3"))
        #expect(text.contains("SQL: INSERT INTO t VALUES (?)"))
        #expect(SQLError(code: 1034, message: "x").codeName == "SQLITE_IOERR_FSYNC")
        #expect(SQLError(code: 10 | (99 << 8), message: "x").codeName == "SQLITE_IOERR (extended 25354)")
    }
}
