import Foundation
import Glibc
import Synchronization

/// An exclusive advisory lock on a data directory (`flock` on `<directory>/LOCK`), held while the owner lives.
///
/// Two processes appending to one write-ahead log would interleave records and corrupt it; the second one
/// to open a directory is refused instead, with the holder's pid. The lock belongs to the open file, so it
/// goes away when the process dies (`kill -9` included): no stale lock files to clean up. Within one process
/// the lock is shared (counted): reopening a directory there is the caller's business (tests reopen to
/// simulate a restart).
final class DirectoryLock: @unchecked Sendable {
    /// The lock file's name inside the directory.
    static let fileName = "LOCK"

    /// Lock files this process holds: path → (descriptor, holders).
    private static let held = Mutex<[String: (fd: Int32, holders: Int)]>([:])

    let path: String

    /// Takes the lock or throws a user error naming the process that holds it.
    init(directory: String) throws {
        let path = ((directory as NSString).standardizingPath as NSString).appendingPathComponent(Self.fileName)
        self.path = path
        try Self.held.withLock { held in
            if var entry = held[path] {
                entry.holders += 1
                held[path] = entry
                return
            }
            held[path] = (try Self.acquire(path, directory: directory), 1)
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

    private static func acquire(_ path: String, directory: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StorageError.serviceError("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            guard code == EWOULDBLOCK else {
                throw StorageError.serviceError("cannot lock \(path): \(String(cString: strerror(code)))")
            }
            let holder = n > 0
                ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            throw StorageError.userError("\(directory) is in use by another Cairn process (pid \(holder)); stop it "
                + "or use another --data-dir")
        }
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
        return fd
    }
}
