internal import CSQLite

/// An error raised by SQLite or by the wrapper around it, with the result code, SQLite's message and the SQL.
///
/// Every error is classified by ``kind`` from its result code, so the layers above can react without parsing
/// text:
/// - ``Kind/userError``: the data was refused — a constraint (`UNIQUE`, `FOREIGN KEY`, `CHECK`, `NOT NULL`),
///   a datatype mismatch, or a value too big. Retrying the same request fails again.
/// - ``Kind/serviceError``: SQLite could not do the work — busy or locked past the busy timeout, an I/O
///   error, a full disk, a file that cannot be opened, or a bug in Cairn's SQL. The data is still trustworthy.
/// - ``Kind/corruption``: the file is damaged or not a database (`SQLITE_CORRUPT`, `SQLITE_NOTADB`); nothing
///   read from it may be served.
///
/// ``sql`` is the statement text with its `?` placeholders — never the bound values, which may be user data.
///
/// ```swift
/// do {
///     try db.execute("INSERT INTO materials(id, owner) VALUES (?, ?)", [.integer(id), .text(owner)])
/// } catch let error where error.isConstraintViolation {
///     // a duplicate: the caller's problem
/// }
/// ```
public struct SQLError: Error, CustomStringConvertible, Sendable {
    /// How an error should be treated by the layers above.
    public enum Kind: String, Sendable, Hashable, CustomStringConvertible {
        /// The data or request was refused (constraint violation, type mismatch, too big).
        case userError = "user error"
        /// SQLite could not do the work (busy, I/O, disk full, cannot open, misuse).
        case serviceError = "service error"
        /// The database file is damaged or is not a database.
        case corruption

        public var description: String { rawValue }
    }

    /// The classification of this error.
    public let kind: Kind
    /// SQLite's extended result code (e.g. 2067, `SQLITE_CONSTRAINT_UNIQUE`).
    public let code: Int32
    /// SQLite's message (`sqlite3_errmsg`), or the wrapper's own explanation.
    public let message: String
    /// The SQL being prepared or run, with placeholders only.
    public let sql: String?
    /// The database file, when known.
    public let path: String?
    /// The error that caused this one (e.g. the error a migration's closure threw).
    public let underlying: (any Error & Sendable)?
    /// The Cairn source file (`#fileID`) that raised the error.
    public let sourceFile: String
    /// The line in ``sourceFile`` that raised the error.
    public let sourceLine: Int

    /// Creates an error; ``kind`` defaults to the classification of `code`.
    public init(
        code: Int32, message: String, sql: String? = nil, path: String? = nil, kind: Kind? = nil,
        underlying: (any Error & Sendable)? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.kind = kind ?? SQLError.classify(code: code)
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
        self.underlying = underlying
        self.sourceFile = file
        self.sourceLine = line
    }

    /// The primary result code (the low byte of ``code``), e.g. 19 for every constraint violation.
    public var primaryCode: Int32 { code & 0xFF }

    /// Whether a constraint (`UNIQUE`, `PRIMARY KEY`, `FOREIGN KEY`, `CHECK`, `NOT NULL`) refused the change.
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    /// Whether the database stayed locked by another connection past the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    /// SQLite's name for ``code``, e.g. `SQLITE_CONSTRAINT_UNIQUE` (or `SQLITE_<number>` when unknown).
    public var codeName: String { SQLResultCodeNames.name(of: code) }

    /// The classification SQLite's result `code` maps to.
    public static func classify(code: Int32) -> Kind {
        switch code & 0xFF {
        case SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_TOOBIG: .userError
        case SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_FORMAT: .corruption
        default: .serviceError
        }
    }

    public var description: String {
        var text = "\(kind): \(message) (\(codeName))"
        if let path { text += " in \(path)" }
        if let sql { text += "; SQL: \(sql)" }
        if let underlying { text += "; caused by: \(underlying)" }
        return text + " [\(sourceFile):\(sourceLine)]"
    }
}

extension SQLError {
    /// An invalid argument to a layer built on this one (mismatched array lengths, a vector of the wrong size…),
    /// reported with `SQLITE_MISUSE` as a ``Kind/userError`` of that layer's caller.
    public static func invalidArgument(
        _ message: String, path: String? = nil, file: String = #fileID, line: Int = #line
    ) -> SQLError {
        SQLError(code: SQLITE_MISUSE, message: message, path: path, kind: .userError, file: file, line: line)
    }

    /// A misuse of the wrapper detected before SQLite was called (wrong argument count, a statement used
    /// after its scope ended…): always a bug in the caller, reported as a service error.
    static func misuse(
        _ message: String, sql: String? = nil, path: String? = nil, file: String = #fileID, line: Int = #line
    ) -> SQLError {
        SQLError(code: SQLITE_MISUSE, message: message, sql: sql, path: path, kind: .serviceError,
                 file: file, line: line)
    }
}

/// Names of SQLite's result codes for messages and logs.
enum SQLResultCodeNames {
    static let primary: [Int32: String] = [
        0: "OK", 1: "ERROR", 2: "INTERNAL", 3: "PERM", 4: "ABORT", 5: "BUSY", 6: "LOCKED", 7: "NOMEM",
        8: "READONLY", 9: "INTERRUPT", 10: "IOERR", 11: "CORRUPT", 12: "NOTFOUND", 13: "FULL",
        14: "CANTOPEN", 15: "PROTOCOL", 16: "EMPTY", 17: "SCHEMA", 18: "TOOBIG", 19: "CONSTRAINT",
        20: "MISMATCH", 21: "MISUSE", 22: "NOLFS", 23: "AUTH", 24: "FORMAT", 25: "RANGE", 26: "NOTADB",
        27: "NOTICE", 28: "WARNING", 100: "ROW", 101: "DONE",
    ]

    /// Extended codes that Cairn is likely to meet; others print as the primary name plus the number.
    static let extended: [Int32: String] = [
        275: "CONSTRAINT_CHECK", 531: "CONSTRAINT_COMMITHOOK", 787: "CONSTRAINT_FOREIGNKEY",
        1043: "CONSTRAINT_FUNCTION", 1299: "CONSTRAINT_NOTNULL", 1555: "CONSTRAINT_PRIMARYKEY",
        1811: "CONSTRAINT_TRIGGER", 2067: "CONSTRAINT_UNIQUE", 2323: "CONSTRAINT_VTAB",
        2579: "CONSTRAINT_ROWID", 261: "BUSY_RECOVERY", 517: "BUSY_SNAPSHOT", 773: "BUSY_TIMEOUT",
        262: "LOCKED_SHAREDCACHE", 266: "IOERR_READ", 522: "IOERR_SHORT_READ", 778: "IOERR_WRITE",
        1034: "IOERR_FSYNC", 1290: "IOERR_DIR_FSYNC", 1546: "IOERR_TRUNCATE", 3338: "IOERR_ACCESS",
        4618: "IOERR_SHMOPEN", 4874: "IOERR_SHMSIZE", 267: "CORRUPT_VTAB", 523: "CORRUPT_SEQUENCE",
        779: "CORRUPT_INDEX", 270: "CANTOPEN_NOTEMPDIR", 526: "CANTOPEN_ISDIR", 782: "CANTOPEN_FULLPATH",
        264: "READONLY_RECOVERY", 520: "READONLY_CANTLOCK", 776: "READONLY_ROLLBACK",
        1032: "READONLY_DBMOVED", 513: "ERROR_RETRY", 257: "ERROR_MISSING_COLLSEQ",
    ]

    static func name(of code: Int32) -> String {
        if let name = extended[code] { return "SQLITE_" + name }
        let base = primary[code & 0xFF].map { "SQLITE_" + $0 } ?? "SQLITE_\(code & 0xFF)"
        return code > 0xFF ? "\(base) (extended \(code))" : base
    }
}
