import Glibc

/// An open file: the kernel descriptor together with the path it was opened under.
///
/// The path travels with the descriptor so that every error raised on it can name the file.
/// A `FileDescriptor` does not own the descriptor; ``OpenFile`` does.
public struct FileDescriptor: Sendable, Hashable, CustomStringConvertible {
    /// The kernel file descriptor.
    public let rawValue: Int32
    /// The path the file was opened under.
    public let path: String

    /// Wraps a descriptor already opened under `path`.
    public init(rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
    }

    public var description: String { "\(path) (fd \(rawValue))" }
}

/// How ``FileIO/open(_:mode:)`` opens a file. Every mode sets close-on-exec; created files get mode 0644.
public enum FileOpenMode: Sendable, Hashable {
    /// An existing file, for reading.
    case readOnly
    /// An existing file, for reading and writing.
    case readWrite
    /// Creates the file, or empties an existing one, for reading and writing.
    case createOrTruncate
    /// Creates a file that must not exist yet, for reading and writing.
    case createNew
}

/// The system calls the storage layer makes, behind a protocol so tests can make any of them fail.
///
/// ``SystemFileIO`` forwards to Glibc; `FaultInjectingFileIO` in TestSupport wraps it and fails the N-th
/// write or sync with a chosen errno. Every method turns a failing C return code into a ``StorageError``
/// naming the call and the file, right where the call is made.
///
/// ```swift
/// let io: any FileIO = SystemFileIO()
/// let fd = try io.open("/data/wal.log", mode: .readWrite)
/// defer { io.close(fd) }
/// try io.write(fd, bytes, at: try io.size(of: fd))
/// try io.dataSync(fd)
/// ```
public protocol FileIO: Sendable {
    /// Opens (and maybe creates) the file at `path` (`open(2)`).
    func open(_ path: String, mode: FileOpenMode) throws(StorageError) -> FileDescriptor

    /// Closes a descriptor (`close(2)`). Errors are ignored: after `close` the descriptor is gone either way,
    /// and durability comes from the syncs that precede it.
    func close(_ file: FileDescriptor)

    /// Writes all of `bytes` at `offset` (`pwrite(2)`, repeated until everything is written).
    func write(_ file: FileDescriptor, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(StorageError)

    /// Reads into `buffer` from `offset` until it is full or the file ends (`pread(2)`); returns the byte count.
    func read(_ file: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64)
        throws(StorageError) -> Int

    /// Flushes the file's data and metadata to stable storage (`fsync(2)`).
    func sync(_ file: FileDescriptor) throws(StorageError)

    /// Flushes the file's data and the metadata needed to read it back (`fdatasync(2)`).
    func dataSync(_ file: FileDescriptor) throws(StorageError)

    /// Sets the file's length (`ftruncate(2)`).
    func truncate(_ file: FileDescriptor, to size: Int64) throws(StorageError)

    /// The file's current length in bytes (`fstat(2)`).
    func size(of file: FileDescriptor) throws(StorageError) -> Int64

    /// Atomically renames `source` to `destination`, replacing it if present (`rename(2)`).
    func rename(_ source: String, to destination: String) throws(StorageError)

    /// Makes renames, creations and removals in directory `path` durable (`fsync(2)` on the directory).
    func syncDirectory(_ path: String) throws(StorageError)

    /// Removes the file at `path` (`unlink(2)`).
    func remove(_ path: String) throws(StorageError)

    /// Creates directory `path` (`mkdir(2)`, mode 0755); succeeds if it already exists as a directory.
    func createDirectory(_ path: String) throws(StorageError)

    /// The names of the entries of directory `path`, without `.` and `..`, in no particular order.
    func contentsOfDirectory(_ path: String) throws(StorageError) -> [String]

    /// Maps the first `length` bytes of `file` privately (`mmap(2)`, `MAP_PRIVATE`, `PROT_READ|PROT_WRITE`).
    ///
    /// Writes through the mapping are copy-on-write: they never reach the file. The mapping stays valid
    /// after the descriptor is closed; release it with ``unmap(_:)``.
    func mapPrivate(_ file: FileDescriptor, length: Int) throws(StorageError) -> UnsafeMutableRawBufferPointer

    /// Releases a mapping made by ``mapPrivate(_:length:)`` (`munmap(2)`).
    func unmap(_ region: UnsafeMutableRawBufferPointer)
}

extension FileIO {
    /// Removes `path`, treating a file that is already gone as success.
    public func removeIfPresent(_ path: String) throws(StorageError) {
        do throws(StorageError) {
            try remove(path)
        } catch {
            if error.errno != ENOENT { throw error }
        }
    }
}
