import CairnSQL
import TestSupport
import Testing

@Suite("SQLite migrations")
struct SQLiteMigrationTests {
    static let first = Migration("0001_materials", sql: """
        CREATE TABLE materials (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
        CREATE INDEX materials_title ON materials (title);
        """)
    static let second = Migration("0002_chunks", sql: """
        CREATE TABLE chunks (id INTEGER PRIMARY KEY,
                             material_id INTEGER NOT NULL REFERENCES materials(id) ON DELETE CASCADE);
        """)
    static let brokenThird = Migration("0003_tags", sql: """
        CREATE TABLE tags (material_id INTEGER NOT NULL, tag TEXT NOT NULL);
        INSERT INTO no_such_table VALUES (1);
        """)
    static let fixedThird = Migration("0003_tags", sql: """
        CREATE TABLE tags (material_id INTEGER NOT NULL, tag TEXT NOT NULL);
        """)
    static let fourth = Migration("0004_backfill") { db in
        try db.execute("INSERT INTO materials (title) VALUES (?)", ["seed"])
    }

    func tables(_ db: SQLiteDatabase) throws -> [String] {
        try db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").map { try $0.get(0) }
    }

    @Test("migrations apply in order once and are recorded")
    func appliesInOrder() throws {
        let dir = try TemporaryDirectory()
        let db = try SQLiteDatabase(path: dir.file("m.sqlite3"))
        #expect(try db.migrationRecords().isEmpty)
        let applied = try db.migrate([Self.first, Self.second])
        #expect(applied == ["0001_materials", "0002_chunks"])
        #expect(try tables(db) == ["chunks", "materials", "schema_migrations"])

        let records = try db.migrationRecords()
        #expect(records.map(\.name) == ["0001_materials", "0002_chunks"])
        for record in records {
            #expect(record.success)
            #expect(record.errorMessage == nil)
            #expect(record.executionTimeMilliseconds >= 0)
            #expect(try #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/#.wholeMatch(in: record.executedAt) != nil)
        }

        // A second start applies nothing; a later version adds only what is new.
        #expect(try db.migrate([Self.first, Self.second]).isEmpty)
        let reopened = try SQLiteDatabase(path: dir.file("m.sqlite3"))
        #expect(try reopened.migrate([Self.first, Self.second, Self.fixedThird]) == ["0003_tags"])
        #expect(try reopened.migrationRecords().count == 3)
    }

    @Test("a failing migration rolls back, is recorded as failed and stops the run with its error")
    func failureRollsBack() throws {
        let dir = try TemporaryDirectory()
        let db = try SQLiteDatabase(path: dir.file("m.sqlite3"))
        let error = #expect(throws: SQLError.self) {
            try db.migrate([Self.first, Self.second, Self.brokenThird, Self.fourth])
        }
        #expect(error?.message.contains("migration 0003_tags failed") == true)
        #expect(error?.message.contains("no such table: no_such_table") == true)
        #expect(error?.sql == "INSERT INTO no_such_table VALUES (1);")
        #expect(error?.kind == .serviceError)
        #expect(error?.underlying is SQLError)

        // Its CREATE TABLE was rolled back; earlier migrations stay; later ones did not run.
        #expect(try tables(db) == ["chunks", "materials", "schema_migrations"])
        #expect(try db.queryValue("SELECT count(*) FROM materials", as: Int.self) == 0)
        let records = try db.migrationRecords()
        #expect(records.map(\.name) == ["0001_materials", "0002_chunks", "0003_tags"])
        let failed = try #require(records.last)
        #expect(!failed.success)
        #expect(failed.errorMessage?.contains("no such table: no_such_table") == true)

        // The next start retries it; a fixed version succeeds and the record says so.
        #expect(try db.migrate([Self.first, Self.second, Self.fixedThird, Self.fourth]) == ["0003_tags", "0004_backfill"])
        let retried = try #require(try db.migrationRecords().first { $0.name == "0003_tags" })
        #expect(retried.success)
        #expect(retried.errorMessage == nil)
        #expect(try db.queryValue("SELECT title FROM materials", as: String.self) == "seed")
    }

    @Test("a Swift migration's own error is kept as the cause")
    func swiftMigrationError() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        let failing = Migration("0002_swift") { db in
            try db.execute("INSERT INTO materials (title) VALUES ('x')")
            throw TestFailure(reason: "backfill source missing")
        }
        let error = #expect(throws: SQLError.self) { try db.migrate([Self.first, failing]) }
        #expect(error?.underlying as? TestFailure == TestFailure(reason: "backfill source missing"))
        #expect(error?.message.contains("migration 0002_swift failed") == true)
        #expect(try db.queryValue("SELECT count(*) FROM materials", as: Int.self) == 0)
        #expect(try db.migrationRecords().last?.success == false)
    }

    @Test("duplicate names and unknown applied migrations are refused")
    func refusals() throws {
        let db = try SQLiteDatabase(path: ":memory:")
        let duplicate = #expect(throws: SQLError.self) { try db.migrate([Self.first, Self.first]) }
        #expect(duplicate?.kind == .userError)
        #expect(duplicate?.message.contains("0001_materials is listed twice") == true)

        try db.migrate([Self.first, Self.second])
        let newer = #expect(throws: SQLError.self) { try db.migrate([Self.first]) }
        #expect(newer?.kind == .serviceError)
        #expect(newer?.message.contains("0002_chunks") == true)
    }
}
