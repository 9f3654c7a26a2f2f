internal import CLibPQ
import Foundation

/// One connection to PostgreSQL through libpq; owns its `PGconn` (closed in `deinit`).
///
/// Statements take ``PostgresValue`` parameters in binary format (`PQexecParams`), so values never become SQL
/// text. Every libpq status is turned into a ``PostgresError`` where it is returned: a broken connection is
/// ``PostgresError/Kind/connection`` (retry later), a refused statement ``PostgresError/Kind/query`` with
/// its SQLSTATE. Server notices (`NOTICE: schema "cairn" already exists`) are dropped rather than printed.
///
/// ```swift
/// let pg = try PostgresConnection(url: PostgresURL("postgresql://postgres@127.0.0.1:5432/cairn"))
/// try pg.transaction {
///     try pg.execute("DELETE FROM cairn.material_chunks WHERE id = ANY($1)", [.int8Array([4, 9])])
/// }
/// let count = try pg.execute("SELECT count(*) FROM cairn.materials").int64(0, 0)
/// ```
///
/// A connection is `Sendable`: one lock serialises its calls, and ``transaction(_:)`` holds it throughout.
public final class PostgresConnection: @unchecked Sendable {
    public let url: PostgresURL
    let handle: OpaquePointer
    private let lock = NSRecursiveLock()
    private var inTransaction = false

    /// Connects (at most `connectTimeout` seconds) and checks the connection.
    /// - Throws: ``PostgresError`` `.connection` with libpq's reason and the redacted URL.
    public init(url: PostgresURL, applicationName: String = "cairn", connectTimeout: Int = 5) throws(PostgresError) {
        self.url = url
        // TCP keepalives and a user timeout first, so a connection whose peer vanished fails within about a
        // minute instead of hanging a drain (and the shutdown that waits for it); the URL may override them.
        let keys = ["keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                    "dbname", "application_name", "connect_timeout", "client_encoding"]
        let values = ["1", "30", "10", "3", "60000", url.raw, applicationName, String(max(1, connectTimeout)), "UTF8"]
        let connection = Self.withCStrings(keys) { keyPointers in
            Self.withCStrings(values) { valuePointers in PQconnectdbParams(keyPointers, valuePointers, 1) }
        }
        guard let connection else {
            throw PostgresError(.connection, "libpq could not allocate a connection to \(url.redacted)")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = url.scrubbing(Self.message(PQerrorMessage(connection)))
            PQfinish(connection)
            throw PostgresError(.connection, "cannot connect to \(url.redacted): \(reason)")
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
    }

    deinit { PQfinish(handle) }

    /// Whether the connection is still up (a server restart breaks it; open a new one then).
    public var isConnected: Bool { withLock { PQstatus(handle) == CONNECTION_OK } }

    /// The server's version number (180006 for 18.6).
    public var serverVersion: Int { withLock { Int(PQserverVersion(handle)) } }

    /// Runs one statement with binary parameters `$1…$n`.
    /// - Parameter binaryResults: ask for cells in binary format (see ``PostgresResult``).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue] = [], binaryResults: Bool = false)
        throws(PostgresError) -> PostgresResult {
        let encoded = try parameters.map { value throws(PostgresError) in try value.binary() }
        let oids = parameters.map(\.oid)
        return try withLock { () throws(PostgresError) -> PostgresResult in
            let result = Self.withBuffers(encoded) { pointers, lengths in
                let formats = [Int32](repeating: 1, count: encoded.count)
                return PQexecParams(handle, sql, Int32(encoded.count), oids, pointers, lengths, formats,
                                    binaryResults ? 1 : 0)
            }
            return try check(result, sql: sql)
        }
    }

    /// Runs a script of statements separated by semicolons, without parameters (migrations).
    public func executeScript(_ sql: String) throws(PostgresError) {
        try withLock { () throws(PostgresError) in
            _ = try check(PQexec(handle, sql), sql: sql)
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws. Nested calls join
    /// the outer transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if inTransaction { return try body() }
        try execute("BEGIN")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if PQstatus(handle) == CONNECTION_OK { _ = try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Streams rows into `COPY … FROM STDIN`: `body` writes them through the ``PostgresCopyWriter`` it is given,
    /// which sends its buffer whenever it fills. Returns the rows copied.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (inout PostgresCopyWriter) throws -> Void) throws -> Int {
        try withLock { () throws -> Int in
            let started = try check(PQexec(handle, sql), sql: sql, expecting: PGRES_COPY_IN)
            _ = started
            var writer = PostgresCopyWriter { bytes throws(PostgresError) in try self.putCopyData(bytes, sql: sql) }
            do {
                try body(&writer)
                try writer.finish()
            } catch {
                PQputCopyEnd(handle, "cancelled by the client")
                while let pending = PQgetResult(handle) { PQclear(pending) }
                throw error
            }
            guard PQputCopyEnd(handle, nil) == 1 else {
                throw PostgresError(.connection, Self.message(PQerrorMessage(handle)), sql: sql)
            }
            var rows = 0
            var failure: PostgresError?
            while let result = PQgetResult(handle) {
                do {
                    rows += try check(result, sql: sql).affectedRows
                } catch let error as PostgresError {
                    failure = failure ?? error
                }
            }
            if let failure { throw failure }
            return rows
        }
    }

    private func putCopyData(_ bytes: [UInt8], sql: String) throws(PostgresError) {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                PQputCopyData(handle, $0, Int32(buffer.count))
            }
        }
        guard sent == 1 else {
            throw PostgresError(.connection, "COPY data was not sent: \(Self.message(PQerrorMessage(handle)))", sql: sql)
        }
    }

    /// Turns a `PGresult` into a ``PostgresResult`` or the error it carries.
    private func check(_ result: OpaquePointer?, sql: String, expecting: ExecStatusType? = nil)
        throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(PQstatus(handle) == CONNECTION_OK ? .protocolViolation : .connection,
                                Self.message(PQerrorMessage(handle)), sql: sql)
        }
        let status = PQresultStatus(result)
        if let expecting {
            if status == expecting { return PostgresResult(result) }
        } else if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY {
            return PostgresResult(result)
        }
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let text = Self.message(PQresultErrorMessage(result))
        PQclear(result)
        let broken = PQstatus(handle) != CONNECTION_OK || (state?.hasPrefix("08") ?? false)
        throw PostgresError(broken ? .connection : .query,
                            text.isEmpty ? "unexpected result status \(status.rawValue)" : text, sqlState: state, sql: sql)
    }

    private func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    static func message(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// Calls `body` with NUL-terminated copies of `strings` (and a trailing NULL pointer).
    static func withCStrings<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) } + [nil])
    }

    /// Calls `body` with pointers to and lengths of the encoded parameters (NULL for SQL NULL).
    static func withBuffers<T>(_ buffers: [[UInt8]?], _ body: ([UnsafePointer<CChar>?], [Int32]) -> T) -> T {
        var pointers: [UnsafePointer<CChar>?] = []
        var allocations: [UnsafeMutablePointer<CChar>] = []
        defer { allocations.forEach { $0.deallocate() } }
        for buffer in buffers {
            guard let buffer else { pointers.append(nil); continue }
            let memory = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, buffer.count))
            buffer.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(memory).copyMemory(from: raw.baseAddress ?? UnsafeRawPointer(memory), byteCount: raw.count)
            }
            allocations.append(memory)
            pointers.append(UnsafePointer(memory))
        }
        return body(pointers, buffers.map { Int32($0?.count ?? 0) })
    }
}
