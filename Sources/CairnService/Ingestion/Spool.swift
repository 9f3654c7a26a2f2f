import CairnEmbedding
import Foundation
import Glibc

/// Where uploaded bytes wait for their ingest job: `<data-dir>/uploads/<random>/<position>`.
///
/// An upload is acknowledged (202) only after each file was written, fsync'd, and the directory entries
/// fsync'd, and the job naming them committed to the store — so a restart finds every acknowledged upload
/// and resumes it. A job's directory is removed when the job ends; at start-up, directories no unfinished job
/// names (an upload that died before its job was committed) are removed.
public struct Spool: Sendable {
    /// The spool's root.
    public let root: String

    public init(dataDirectory: String) {
        root = (dataDirectory as NSString).appendingPathComponent("uploads")
    }

    /// Creates a new, empty directory for one upload.
    public func newDirectory() throws(ServiceError) -> String {
        let path = (root as NSString).appendingPathComponent(UUID().uuidString.lowercased())
        let rootExisted = FileManager.default.fileExists(atPath: root)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .failure("creating the upload directory \(path): \(error)")
        }
        // The new directory's entry (and the spool's, the first time) must be durable too.
        try Self.syncDirectory(root)
        if !rootExisted { try Self.syncDirectory((root as NSString).deletingLastPathComponent) }
        return path
    }

    /// Removes a job's directory.
    public func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Removes every directory under the root that is not in `keep`.
    public func clean(keeping keep: Set<String>) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        var removed = 0
        for entry in entries {
            let path = (root as NSString).appendingPathComponent(entry)
            if !keep.contains(path) {
                try? FileManager.default.removeItem(atPath: path)
                removed += 1
            }
        }
        return removed
    }

    /// fsyncs a directory so that the entries created in it are durable.
    static func syncDirectory(_ path: String) throws(ServiceError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .failure("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .failure("fsync \(path): \(String(cString: strerror(errno)))") }
    }
}

/// One uploaded file being written to the spool.
public final class SpoolFile: @unchecked Sendable {
    /// The file's path.
    public let path: String
    /// Bytes written so far.
    public private(set) var size = 0
    private var fd: Int32

    /// Creates the file (it must not exist).
    public init(path: String) throws(ServiceError) {
        self.path = path
        fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .failure("create \(path): \(String(cString: strerror(errno)))") }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Appends bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ServiceError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .failure("write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        size += bytes.count
    }

    /// fsyncs and closes the file, then returns its SHA-256 (read back through a memory map).
    public func finish() throws(ServiceError) -> String {
        guard fsync(fd) == 0 else { throw .failure("fsync \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        fd = -1
        guard size > 0 else { return SHA256.hexHash([]) }
        let rfd = open(path, O_RDONLY | O_CLOEXEC)
        guard rfd >= 0 else { throw .failure("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(rfd) }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, rfd, 0), map != MAP_FAILED else {
            throw .failure("mmap \(path): \(String(cString: strerror(errno)))")
        }
        defer { munmap(map, size) }
        return SHA256.hex(SHA256.hash(UnsafeRawBufferPointer(start: map, count: size)))
    }

    /// Closes and deletes a file that will not be kept.
    public func abandon() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(path)
    }
}
