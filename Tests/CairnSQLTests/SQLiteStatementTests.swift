import CairnSQL
import Testing

@Suite("SQLite statements")
struct SQLiteStatementTests {
    func makeDatabase() throws -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB)")
        return db
    }

    @Test("every storage class round-trips through bindings and columns")
    func roundTrip() throws {
        let db = try makeDatabase()
        let rows: [[SQLValue]] = [
            [.integer(.max), .real(-0.125), .text("héllo 한국어 中文 🙂"), .blob([0, 1, 2, 255])],
            [.integer(.min), .real(.greatestFiniteMagnitude), .text(""), .blob([])],
            [.null, .null, .null, .null],
            [0, 1e-300, "nul\u{0}inside", .blob(Array(repeating: 7, count: 100_000))],
        ]
        for values in rows {
            try db.execute("INSERT INTO v (i, r, t, b) VALUES (?, ?, ?, ?)", values)
        }
        let read = try db.query("SELECT i, r, t, b FROM v ORDER BY id")
        #expect(read.map(\.values) == rows)
        #expect(read[0].columns == ["i", "r", "t", "b"])
        // An empty text or blob stays empty, never NULL.
        #expect(read[1]["t"] == .text(""))
        #expect(read[1]["b"] == .blob([]))
    }

    @Test("typed reads by index and name, NULL only into optionals")
    func typedReads() throws {
        let db = try makeDatabase()
        try db.execute("INSERT INTO v (i, r, t, b) VALUES (?, ?, ?, ?)", [.int(42), 2.5, "title", nil])
        let row = try #require(try db.queryFirst("SELECT id, i, r, t, b FROM v"))
        #expect(try row.get("i") as Int == 42)
        #expect(try row.get("I", as: Int64.self) == 42)  // column names match case-insensitively
        #expect(try row.get(2) as Double == 2.5)
        #expect(try row.get("i") as Double == 42)  // integers read as doubles
        #expect(try row.get("t") as String == "title")
        #expect(try row.get("b") as [UInt8]? == nil)
        #expect(try row.get("t") as String? == "title")

        let wrongType = #expect(throws: SQLError.self) { _ = try row.get("t") as Int }
        #expect(wrongType?.message.contains("TEXT") == true)
        #expect(throws: SQLError.self) { _ = try row.get("b") as [UInt8] }
        let missing = #expect(throws: SQLError.self) { _ = try row.get("nope") as Int }
        #expect(missing?.message.contains("nope") == true)
        #expect(row["nope"] == nil)
    }

    @Test("queryValue and queryFirst answer nil when there is no row")
    func emptyResults() throws {
        let db = try makeDatabase()
        #expect(try db.queryFirst("SELECT * FROM v") == nil)
        #expect(try db.queryValue("SELECT i FROM v WHERE id = ?", [1], as: Int.self) == nil)
        #expect(try db.queryValue("SELECT count(*) FROM v", as: Int.self) == 0)
    }

    @Test("execute reports the rows changed")
    func changes() throws {
        let db = try makeDatabase()
        for index in 0..<5 {
            try db.execute("INSERT INTO v (i) VALUES (?)", [.int(index)])
        }
        #expect(try db.execute("UPDATE v SET t = ? WHERE i >= ?", ["big", 2]) == 3)
        #expect(try db.execute("DELETE FROM v") == 5)
    }

    @Test("a prepared statement binds, steps and reads columns by index and name")
    func preparedStatement() throws {
        let db = try makeDatabase()
        let insert = try db.prepare("INSERT INTO v (i, t) VALUES (:number, :label)")
        #expect(insert.parameterCount == 2)
        for index in 0..<3 {
            try insert.bind(.int(index), named: ":number")
            try insert.bind(.text("row \(index)"), named: ":label")
            #expect(try insert.step() == false)
            insert.reset()
        }
        let select = try db.prepare("SELECT i, t FROM v WHERE i >= ? ORDER BY i")
        try select.bind([1])
        var seen: [String] = []
        while try select.step() {
            #expect(select.columnCount == 2)
            #expect(select.columnNames == ["i", "t"])
            #expect(select.columnIndex(named: "t") == 1)
            seen.append("\(select.int64(at: 0)):\(select.string(at: 1) ?? "-")")
            #expect(try select.get("t") as String == select.string(at: 1))
        }
        #expect(seen == ["1:row 1", "2:row 2"])
        // Rebinding resets: the statement runs again from the start.
        try select.bind([2])
        #expect(try select.step())
        #expect(select.value(at: 0) == .integer(2))
    }

    @Test("forEachRow reads blobs in place")
    func forEachRowBlobs() throws {
        let db = try makeDatabase()
        try db.execute("INSERT INTO v (b) VALUES (?)", [.blob([1, 2, 3])])
        try db.execute("INSERT INTO v (b) VALUES (?)", [nil])
        let select = try db.prepare("SELECT b FROM v ORDER BY id")
        var sums: [Int] = []
        try select.forEachRow { row in
            sums.append(row.withBlob(at: 0) { $0.reduce(0) { $0 + Int($1) } })
            #expect(row.isNull(at: 0) == (sums.count == 2))
        }
        #expect(sums == [6, 0])
    }

    @Test("the wrong number of bindings is refused")
    func bindingCount() throws {
        let db = try makeDatabase()
        let error = #expect(throws: SQLError.self) {
            try db.execute("INSERT INTO v (i, t) VALUES (?, ?)", [1])
        }
        #expect(error?.message.contains("1 values bound to 2 parameters") == true)
        #expect(error?.sql == "INSERT INTO v (i, t) VALUES (?, ?)")
    }

    @Test("execute takes one statement; scripts take many")
    func oneStatement() throws {
        let db = try makeDatabase()
        #expect(throws: SQLError.self) { try db.execute("INSERT INTO v (i) VALUES (1); INSERT INTO v (i) VALUES (2)") }
        #expect(try db.queryValue("SELECT count(*) FROM v", as: Int.self) == 0)
        try db.execute("INSERT INTO v (i) VALUES (1); -- a trailing comment is fine")
        try db.executeScript("""
            INSERT INTO v (i) VALUES (2);
            -- comment between statements
            INSERT INTO v (i) VALUES (3);
            """)
        #expect(try db.queryValue("SELECT sum(i) FROM v", as: Int.self) == 6)
    }

    @Test("a failing script statement is named in the error")
    func scriptError() throws {
        let db = try makeDatabase()
        let error = #expect(throws: SQLError.self) {
            try db.executeScript("INSERT INTO v (i) VALUES (1);\nINSERT INTO missing_table VALUES (2);")
        }
        #expect(error?.sql == "INSERT INTO missing_table VALUES (2);")
        #expect(error?.message.contains("no such table") == true)
        #expect(error?.kind == .serviceError)
    }

    @Test("a borrowed statement cannot be used after its scope")
    func borrowedScope() throws {
        let db = try makeDatabase()
        let escaped = try db.withStatement("SELECT count(*) FROM v") { statement throws -> SQLiteStatement in
            let hasRow = try statement.step()
            #expect(hasRow)
            #expect(statement.int64(at: 0) == 0)
            return statement
        }
        let error = #expect(throws: SQLError.self) { _ = try escaped.step() }
        #expect(error?.message.contains("after its withStatement scope") == true)
    }
}
