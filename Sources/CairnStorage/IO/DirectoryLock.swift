import Foundation
public import Glibc
import Synchronization

/// Who holds a locked directory, as the lock file says: the process, what it runs and, for a server, where
/// it listens.
public struct LockHolder: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The holder's process id.
    public var pid: Int32?
    /// What the holder runs (`serve`, `index`, `vectors add`, …).
    public var command: String?
    /// The base URL a server holder answers on.
    public var url: String?

    public init(pid: Int32? = getpid(), command: String? = nil, url: String? = nil) {
        self.pid = pid
        self.command = command
        self.url = url
    }

    /// Reads a lock file's content: this type's JSON, or (written by older versions) a bare pid.
    init(lockFileContent text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines.union(.controlCharacters))
        if let data = trimmed.data(using: .utf8), let decoded = try? JSONDecoder().decode(LockHolder.self, from: data) {
            self = decoded
        } else {
            self.init(pid: Int32(trimmed), command: nil, url: nil)
        }
    }

    /// `cairn serve (pid 12, http://127.0.0.1:8080)`, or `another Cairn process (pid 12)`.
    public var description: String {
        let pidText = pid.map { "pid \($0)" } ?? "pid ?"
        guard let command else { return "another Cairn process (\(pidText))" }
        return "cairn \(command) (\(pidText)\(url.map { ", \($0)" } ?? ""))"
    }
}

/// An exclusive advisory lock on a directory (`flock` on `<directory>/LOCK`), held while the owner lives.
///
/// Two processes appending to one write-ahead log would interleave records and corrupt it; the second one
/// to open a directory is refused instead, with the holder's pid, command and (for a server) URL, which the
/// lock file holds as JSON (`{"pid":12,"command":"serve","url":"http://127.0.0.1:8080"}`). The lock belongs
/// to the open file, so it goes away when the process dies (`kill -9` included): no stale lock files to
/// clean up. Within one process the lock is shared (counted): reopening a directory there is the caller's
/// business (tests reopen to simulate a restart).
///
/// ```swift
/// let lock = try DirectoryLock(directory: "index-data", holder: LockHolder(command: "index"))
/// // … the directory is ours until `lock` is released …
/// ```
public final class DirectoryLock: @unchecked Sendable {
    /// The lock file's name inside the directory.
    public static let fileName = "LOCK"

    /// Lock files this process holds: path → (descriptor, holders).
    private static let held = Mutex<[String: (fd: Int32, holders: Int)]>([:])

    /// The lock file.
    public let path: String

    /// Takes the lock, writing `holder` into the lock file.
    /// - Throws: ``StorageError`` of kind user error with ``StorageError/lockHolder`` set when another process
    ///   holds the directory; a service error when the lock file cannot be opened.
    public init(directory: String, holder: LockHolder = LockHolder()) throws {
        let path = ((directory as NSString).standardizingPath as NSString).appendingPathComponent(Self.fileName)
        self.path = path
        try Self.held.withLock { held in
            if var entry = held[path] {
                entry.holders += 1
                held[path] = entry
                return
            }
            held[path] = (try Self.acquire(path, directory: directory, holder: holder), 1)
        }
    }

    deinit {
        Self.held.withLock { held in
            guard var entry = held[path] else { return }
            entry.holders -= 1
            if entry.holders > 0 {
                held[path] = entry
            } else {
                held[path] = nil
                flock(entry.fd, LOCK_UN)
                close(entry.fd)
            }
        }
    }

    /// Rewrites the lock file's holder description (a server that learned its port after binding).
    public func update(_ holder: LockHolder) {
        guard let fd = Self.held.withLock({ $0[path]?.fd }) else { return }
        Self.write(holder, to: fd)
    }

    /// Who holds `directory`'s lock now, or nil when nobody does (or the directory has no lock file).
    public static func holder(of directory: String) -> LockHolder? {
        let path = ((directory as NSString).standardizingPath as NSString).appendingPathComponent(fileName)
        if held.withLock({ $0[path] != nil }) { return LockHolder() }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return LockHolder(lockFileContent: readAll(fd))
    }

    private static func readAll(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = pread(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }

    private static func acquire(_ path: String, directory: String, holder: LockHolder) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StorageError.serviceError("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let other = LockHolder(lockFileContent: readAll(fd))
            close(fd)
            guard code == EWOULDBLOCK else {
                throw StorageError.serviceError("cannot lock \(path): \(String(cString: strerror(code)))")
            }
            throw StorageError.locked(directory: directory, by: other)
        }
        write(holder, to: fd)
        return fd
    }

    private static func write(_ holder: LockHolder, to fd: Int32) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = Array(((try? encoder.encode(holder)) ?? Data("\(getpid())".utf8)) + Data("\n".utf8))
        if ftruncate(fd, 0) == 0 { _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
    }
}
