import CairnPostgres
import Foundation
import TestSupport
import Testing

/// libpq behind `PostgresConnection`, against a real PostgreSQL 18 with pgvector.
@Suite(.serialized) struct PostgresConnectionTests {
    static func connect() throws -> PostgresConnection {
        try PostgresConnection(url: PostgresURL(try TestPostgres.shared().createDatabase("conn")))
    }

    @Test func binaryParametersRoundTrip() throws {
        let pg = try Self.connect()
        let when: Int64 = 1_764_894_000_123_456  // 2025-12-05T00:20:00.123456Z
        let row = try pg.execute("""
            SELECT $1::bigint, $2::integer, $3::boolean, $4::double precision, $5::text, $6::jsonb ->> 'a',
                   to_char($7::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), $8::vector::text,
                   array_to_string($9::bigint[], ','), $10::text IS NULL
            """, [.int8(-9_007_199_254_740_991), .int4(42), .bool(true), .float8(0.1), .text("ü 한국어 'x' \\ \"q\""),
                  .jsonb(#"{"a": "b"}"#), .timestamptz(microsecondsSince1970: when), .vector([0.5, -1, 3.25]),
                  .int8Array([3, 1, 2]), .null])
        #expect(row.rowCount == 1)
        #expect(row.string(0, 0) == "-9007199254740991")
        #expect(row.string(0, 1) == "42")
        #expect(row.string(0, 2) == "t")
        #expect(row.string(0, 3) == "0.1")
        #expect(row.string(0, 4) == "ü 한국어 'x' \\ \"q\"")
        #expect(row.string(0, 5) == "b")
        #expect(row.string(0, 6) == "2025-12-05T00:20:00.123456")
        #expect(row.string(0, 7) == "[0.5,-1,3.25]")
        #expect(row.string(0, 8) == "3,1,2")
        #expect(row.string(0, 9) == "t")
        let binary = try pg.execute("SELECT $1::vector, $2::bigint, $3::integer", [.vector([1.5, -2]), .int8(7), .int4(-3)],
                                    binaryResults: true)
        #expect(try binary.binaryVector(0, 0) == [1.5, -2])
        #expect(binary.binaryInt64(0, 1) == 7 && binary.binaryInt64(0, 2) == -3)
    }

    @Test func hostileTextIsStoredLiterallyAndNULIsRefused() throws {
        let pg = try Self.connect()
        try pg.execute("CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL)")
        let hostile = ["'; DROP TABLE notes; --", "a\\'b\\\\c", "\"quoted\"", "$1 $$ $tag$", "\u{FEFF}\u{200B}x"]
        for (i, text) in hostile.enumerated() {
            try pg.execute("INSERT INTO notes VALUES ($1, $2)", [.int8(Int64(i)), .text(text)])
        }
        let rows = try pg.execute("SELECT body FROM notes ORDER BY id")
        #expect((0..<rows.rowCount).map { rows.string($0, 0) } == hostile)
        let nul = Self.failure { () throws(PostgresError) in try pg.execute("INSERT INTO notes VALUES (9, $1)", [.text("a\u{0}b")]) }
        #expect(nul?.kind == .invalidArgument && nul?.message.contains("NUL") == true, "\(String(describing: nul))")
        #expect(try pg.execute("SELECT count(*) FROM notes").int64(0, 0) == 5)
    }

    @Test func serverErrorsCarryTheirSQLState() throws {
        let pg = try Self.connect()
        let missing = try #require(Self.failure { () throws(PostgresError) in try pg.execute("SELECT * FROM no_such_table") })
        #expect(missing.kind == .query && missing.sqlState == "42P01" && !missing.isTransient, "\(missing)")
        #expect(missing.description.contains("no_such_table"))
        try pg.execute("CREATE TABLE u (id int PRIMARY KEY)")
        try pg.execute("INSERT INTO u VALUES (1)")
        #expect(Self.failure { () throws(PostgresError) in try pg.execute("INSERT INTO u VALUES (1)") }?.sqlState == "23505")
        // The connection is usable after errors.
        #expect(try pg.execute("SELECT 1").int64(0, 0) == 1)
    }

    @Test func aTransactionRollsBackWhenItsBodyThrows() throws {
        let pg = try Self.connect()
        try pg.execute("CREATE TABLE t (id int)")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try pg.transaction {
                try pg.execute("INSERT INTO t VALUES (1)")
                throw Stop()
            }
        }
        _ = try pg.transaction { try pg.execute("INSERT INTO t VALUES (2)") }
        #expect(try pg.execute("SELECT string_agg(id::text, ',') FROM t").string(0, 0) == "2")
    }

    @Test func binaryCopyLoadsRowsWithVectors() throws {
        let pg = try Self.connect()
        try pg.execute("CREATE TABLE items (id bigint PRIMARY KEY, label text, at timestamptz, meta jsonb, v vector(3))")
        let count = 5_000
        let copied = try pg.copyIn("COPY items FROM STDIN (FORMAT binary)") { writer in
            for i in 0..<count {
                try writer.row(fields: 5)
                try writer.field(.int8(Int64(i)))
                try writer.field(i % 7 == 0 ? .null : .text("item \(i) 'q'"))
                try writer.field(.timestamptz(microsecondsSince1970: 1_700_000_000_000_000 + Int64(i)))
                try writer.field(.jsonb(#"{"i": \#(i)}"#))
                try writer.field(.vector([Float(i), 0.5, -1]))
            }
        }
        #expect(copied == count)
        let summary = try pg.execute("""
            SELECT count(*), count(label), sum((meta->>'i')::bigint), (SELECT v::text FROM items WHERE id = 4999),
                   (SELECT extract(epoch FROM at) * 1000000 FROM items WHERE id = 3)::bigint
            FROM items
            """)
        #expect(summary.int64(0, 0) == Int64(count))
        #expect(summary.int64(0, 1) == Int64(count - (count + 6) / 7))
        #expect(summary.int64(0, 2) == Int64(count * (count - 1) / 2))
        #expect(summary.string(0, 3) == "[4999,0.5,-1]")
        #expect(summary.int64(0, 4) == 1_700_000_000_000_003)
        // A COPY that fails on the server (a duplicate key) is an error and leaves the table as it was.
        #expect(throws: PostgresError.self) {
            try pg.copyIn("COPY items FROM STDIN (FORMAT binary)") { writer in
                try writer.row(fields: 5)
                for value in [PostgresValue.int8(1), .null, .null, .null, .null] { try writer.field(value) }
            }
        }
        #expect(try pg.execute("SELECT count(*) FROM items").int64(0, 0) == Int64(count))
    }

    @Test func migrationsApplyOnceEvenFromTwoConnectionsAtOnce() throws {
        let url = try TestPostgres.shared().createDatabase("migr")
        let migrations = [
            PostgresMigration("0001_a", sql: "CREATE TABLE app.a (id int); INSERT INTO app.a VALUES (1);"),
            PostgresMigration("0002_b", sql: "CREATE TABLE app.b (id int);"),
        ]
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            results.append(Result { try PostgresConnection(url: PostgresURL(url)).migrate(schema: "app", migrations) })
        }
        let applied = try results.values.map { try $0.get() }
        #expect(applied.map(\.count).sorted() == [0, 2], "\(applied)")
        let pg = try PostgresConnection(url: PostgresURL(url))
        #expect(try pg.migrate(schema: "app", migrations).isEmpty)
        #expect(try pg.execute("SELECT count(*) FROM app.a").int64(0, 0) == 1)
        // A failing migration leaves nothing behind: neither its tables nor its record.
        let bad = migrations + [PostgresMigration("0003_bad", sql: "CREATE TABLE app.c (id int); SELECT 1/0;")]
        #expect(throws: PostgresError.self) { try pg.migrate(schema: "app", bad) }
        #expect(try pg.execute("SELECT to_regclass('app.c') IS NULL").string(0, 0) == "t")
        #expect(try pg.execute("SELECT count(*) FROM app.schema_migrations").int64(0, 0) == 2)
    }

    @Test func anUnreachableServerIsAConnectionErrorWithoutThePassword() throws {
        let url = PostgresURL("postgresql://cairn:s3cret-pw@127.0.0.1:1/cairn?password=other-secret")
        let error = try #require(Self.failure { () throws(PostgresError) in _ = try PostgresConnection(url: url, connectTimeout: 2) })
        #expect(error.kind == .connection && error.isTransient)
        #expect(!error.description.contains("s3cret-pw") && !error.description.contains("other-secret"), "\(error)")
        #expect(url.redacted == "postgresql://cairn:***@127.0.0.1:1/cairn?password=***")
        #expect(PostgresURL("host=db password=abc dbname=x").redacted == "host=db password=*** dbname=x")
        #expect(PostgresURL("postgresql://u@h/db").redacted == "postgresql://u@h/db")
    }

    /// The error `body` throws, or nil.
    static func failure(_ body: () throws(PostgresError) -> Void) -> PostgresError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Result<[String], any Error>] = []
        func append(_ value: Result<[String], any Error>) {
            lock.lock()
            values.append(value)
            lock.unlock()
        }
    }
}

/// Connection strings: another database of the same server.
struct PostgresURLTests {
    @Test func aURLNamesAnotherDatabaseKeepingEverythingElse() {
        #expect(PostgresURL("postgresql://u:p@h:5432/cairn?sslmode=require").database("x").raw
            == "postgresql://u:p@h:5432/x?sslmode=require")
        #expect(PostgresURL("postgresql://u@h:5432").database("x").raw == "postgresql://u@h:5432/x")
        #expect(PostgresURL("host=h dbname=cairn user=u").database("x").raw == "host=h user=u dbname=x")
    }

    @Test func passwordsAreRedactedInEveryFormLibpqReads() {
        #expect(PostgresURL("postgresql://u:pa?ss#w@h:5432/db").redacted == "postgresql://u:***@h:5432/db")
        #expect(PostgresURL("postgresql://u:p@ss@h/db?sslmode=require&password=x2").redacted
            == "postgresql://u:***@h/db?sslmode=require&password=***")
        #expect(PostgresURL("host=h password = 'a b\\' c' user=u").redacted == "host=h password = *** user=u")
        #expect(PostgresURL("host=h PASSWORD=plain dbname=d").redacted == "host=h PASSWORD=*** dbname=d")
        let url = PostgresURL("postgresql://u:s3cr%25t@h/db")
        #expect(url.scrubbing("invalid token: \"s3cr%25t\" or s3cr%t") == "invalid token: \"***\" or ***")
    }
}
