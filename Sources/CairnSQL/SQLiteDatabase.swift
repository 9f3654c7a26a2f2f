internal import CSQLite
import Foundation

/// One connection to an SQLite database file: the embedded relational store and the embedding cache.
///
/// Opening sets WAL journal mode, turns foreign keys on, installs a busy timeout and applies
/// ``Options/synchronous``. Every statement is parameterised (``SQLValue`` bindings), prepared statements of
/// hot SQL are kept in a statement cache, and every SQLite result code becomes an ``SQLError`` where it is
/// returned.
///
/// ```swift
/// let db = try SQLiteDatabase(path: dataDirectory + "/cairn.sqlite3")
/// try db.migrate([
///     Migration("0001_materials", sql: "CREATE TABLE materials(id INTEGER PRIMARY KEY, title TEXT NOT NULL)"),
/// ])
/// try db.transaction {
///     try db.execute("INSERT INTO materials(title) VALUES (?)", ["Algebra I"])
/// }
/// let titles = try db.query("SELECT title FROM materials ORDER BY id").map { try $0.get("title") as String }
/// ```
///
/// ## Threads
/// A database is `Sendable` and may be shared by many threads: every call, and every call on its
/// statements, takes one recursive lock, so calls are serialised on the single connection (SQLite is opened
/// `NOMUTEX` because this lock already guards it). ``transaction(_:_:)`` holds the lock for its whole body,
/// so no other thread's statements can slip into a transaction. For reads in parallel, open several
/// `SQLiteDatabase` values on the same file: WAL lets readers run beside one writer, and the busy timeout
/// covers the short waits between connections (and between processes).
public final class SQLiteDatabase: @unchecked Sendable {
    /// The database file (or `:memory:`).
    public let path: String
    /// The options the connection was opened with.
    public let options: Options
    /// The journal mode in force: `wal` for files, `memory` for in-memory databases.
    public let journalMode: String

    /// The `sqlite3 *` handle; used only while ``lock`` is held.
    let handle: OpaquePointer
    /// Serialises every use of ``handle`` and its statements (recursive: a transaction body calls back in).
    let lock = NSRecursiveLock()
    /// Idle prepared statements by SQL; guarded by ``lock``.
    var statementCache: StatementCache
    /// Nesting depth of ``transaction(_:_:)`` calls (savepoints inside the outer transaction); guarded by ``lock``.
    var transactionDepth = 0

    /// Opens (creating unless ``Options/readOnly``) the database at `path` and configures the connection.
    ///
    /// - Throws: ``SQLError`` naming the file: ``SQLError/Kind/serviceError`` when it cannot be opened (a
    ///   missing directory, permissions), ``SQLError/Kind/corruption`` when it is not a database.
    public init(path: String, options: Options = Options()) throws(SQLError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= options.readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var opened: OpaquePointer?
        let rc = sqlite3_open_v2(path, &opened, flags, nil)
        guard rc == SQLITE_OK, let db = opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(opened)
            throw SQLError(code: rc, message: "cannot open \(path): \(message)", path: path)
        }
        do {
            journalMode = try Self.configure(db, path: path, options: options)
        } catch {
            sqlite3_close_v2(db)
            throw error
        }
        self.handle = db
        self.path = path
        self.options = options
        self.statementCache = StatementCache(capacity: options.statementCacheCapacity)
    }

    deinit {
        for statement in statementCache.removeAll() {
            sqlite3_finalize(statement)
        }
        // close_v2 defers the close until statements still alive elsewhere are finalized.
        sqlite3_close_v2(handle)
    }

    /// Applies the connection settings; returns the journal mode in force.
    private static func configure(_ db: OpaquePointer, path: String, options: Options) throws(SQLError) -> String {
        sqlite3_busy_timeout(db, Int32(clamping: options.busyTimeoutMilliseconds))
        // Reading the schema first makes a file that is not a database fail here, with its name.
        _ = try rawScalar(db, "SELECT count(*) FROM sqlite_schema", path: path)
        let mode: String
        if options.readOnly {
            mode = try rawScalar(db, "PRAGMA journal_mode", path: path) ?? ""
        } else {
            mode = try rawScalar(db, "PRAGMA journal_mode=WAL", path: path) ?? ""
            guard mode == "wal" || (mode == "memory" && path.hasPrefix(":memory:")) || path.isEmpty else {
                throw SQLError(code: SQLITE_ERROR, message: "journal mode stayed \(mode), WAL was requested",
                               sql: "PRAGMA journal_mode=WAL", path: path, kind: .serviceError)
            }
        }
        _ = try rawScalar(db, "PRAGMA foreign_keys=ON", path: path)
        guard try rawScalar(db, "PRAGMA foreign_keys", path: path) == "1" else {
            throw SQLError(code: SQLITE_ERROR, message: "this SQLite cannot enforce foreign keys",
                           sql: "PRAGMA foreign_keys=ON", path: path, kind: .serviceError)
        }
        _ = try rawScalar(db, "PRAGMA synchronous=\(options.synchronous.rawValue)", path: path)
        return mode
    }

    /// Runs one statement on a raw handle (before the database object exists); returns column 0 of its first
    /// row as text.
    private static func rawScalar(_ db: OpaquePointer, _ sql: String, path: String) throws(SQLError) -> String? {
        var statement: OpaquePointer?
        var rc = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        defer { sqlite3_finalize(statement) }
        guard rc == SQLITE_OK, let statement else {
            throw SQLError(code: rc, message: String(cString: sqlite3_errmsg(db)), sql: sql, path: path)
        }
        var result: String?
        repeat {
            rc = sqlite3_step(statement)
            if rc == SQLITE_ROW, result == nil, let text = sqlite3_column_text(statement, 0) {
                result = String(cString: text)
            }
        } while rc == SQLITE_ROW
        guard rc == SQLITE_DONE else {
            throw SQLError(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)),
                           sql: sql, path: path)
        }
        return result
    }

    /// Runs `body` holding the connection lock.
    @inline(__always)
    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Takes the connection lock (for callers that cannot use ``withLock(_:)``, e.g. `rethrows` functions).
    func acquireLock() { lock.lock() }

    /// Releases the connection lock taken with ``acquireLock()``.
    func releaseLock() { lock.unlock() }

    /// The error SQLite reports for the last failed call on this connection (call with the lock held).
    func lastError(_ code: Int32, sql: String?, file: String = #fileID, line: Int = #line) -> SQLError {
        let extended = sqlite3_extended_errcode(handle)
        // The connection's code is the extended form of `code` unless another call replaced it meanwhile.
        let effective = (extended & 0xFF) == (code & 0xFF) ? extended : code
        return SQLError(code: effective, message: String(cString: sqlite3_errmsg(handle)), sql: sql, path: path,
                        file: file, line: line)
    }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool {
        withLock { sqlite3_get_autocommit(handle) == 0 }
    }

    /// The rowid of the last row inserted on this connection; read it inside the same ``transaction(_:_:)``
    /// as the insert (or use `RETURNING`) so another thread's insert cannot come between.
    public var lastInsertRowID: Int64 {
        withLock { sqlite3_last_insert_rowid(handle) }
    }

    /// Idle prepared statements currently held by the statement cache.
    public var cachedStatementCount: Int {
        withLock { statementCache.idleCount }
    }

    /// Finalizes every idle cached statement (e.g. before a schema change or to release memory).
    public func clearStatementCache() {
        withLock {
            for statement in statementCache.removeAll() {
                sqlite3_finalize(statement)
            }
        }
    }
}
