public import CairnStorage
import Glibc
import Synchronization

/// A ``FileIO`` that forwards to another one but fails chosen calls with a chosen errno.
///
/// Faults are armed per kind of call and count that kind's calls from the moment they are armed, so a
/// test can say "the 3rd sync from now fails with EIO" or "every write from the 2nd on fails with ENOSPC":
///
/// ```swift
/// let io = FaultInjectingFileIO()
/// let wal = try WriteAheadLog(directory: dir.path, io: io)
/// io.inject(.sync, errno: EIO, onCall: 1)
/// #expect(throws: StorageError.self) { try wal.append(type: 1, payload: [1, 2, 3]) }
/// ```
///
/// A failing write can be torn: it writes the first half of its bytes before failing, like a disk that
/// fills up part-way.
public final class FaultInjectingFileIO: FileIO {
    /// The kinds of call a fault can target.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        case open, write, read
        /// `fsync` and `fdatasync` of a file.
        case sync
        case truncate, rename
        /// `fsync` of a directory.
        case directorySync
        case remove, map
    }

    /// An armed fault.
    struct Fault {
        var operation: Operation
        var errno: Int32
        /// Calls of `operation` seen since the fault was armed.
        var seen = 0
        var onCall: Int
        var thereafter: Bool
        var tornWrite: Bool
    }

    struct State {
        var faults: [Fault] = []
        var calls: [Operation: Int] = [:]
        var injected: [Operation: Int] = [:]
        var latency: [Operation: UInt32] = [:]
    }

    /// The file layer that does the real work.
    public let base: any FileIO
    private let state = Mutex(State())

    /// Wraps `base` (the real system calls by default) with no faults armed.
    public init(wrapping base: any FileIO = SystemFileIO()) {
        self.base = base
    }

    /// Arms a fault: the `onCall`-th call of `operation` from now fails with `errno`, and with
    /// `thereafter` every later one too.
    ///
    /// - Parameter tornWrite: For writes, write the first half of the bytes before failing.
    public func inject(
        _ operation: Operation, errno: Int32, onCall: Int = 1, thereafter: Bool = false, tornWrite: Bool = false
    ) {
        precondition(onCall >= 1, "onCall counts from 1")
        state.withLock {
            $0.faults.append(
                Fault(operation: operation, errno: errno, onCall: onCall, thereafter: thereafter, tornWrite: tornWrite))
        }
    }

    /// Makes every later call of `operation` sleep `microseconds` first, like a slow disk; 0 removes the
    /// delay. A slow sync lets tests see concurrent appends pile up behind one group commit.
    public func setLatency(_ operation: Operation, microseconds: UInt32) {
        state.withLock { $0.latency[operation] = microseconds }
    }

    /// Disarms every fault.
    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// How many calls of `operation` were made (failed ones included) since this object was created.
    public func calls(of operation: Operation) -> Int {
        state.withLock { $0.calls[operation, default: 0] }
    }

    /// How many calls of `operation` were failed on purpose.
    public func injectedFailures(of operation: Operation) -> Int {
        state.withLock { $0.injected[operation, default: 0] }
    }

    /// Counts a call and returns the fault that fires on it, if any.
    private func check(_ operation: Operation) -> Fault? {
        let (fault, delay) = state.withLock { state -> (Fault?, UInt32) in
            state.calls[operation, default: 0] += 1
            var firing: Fault?
            for i in state.faults.indices where state.faults[i].operation == operation {
                state.faults[i].seen += 1
                let fault = state.faults[i]
                let fires = fault.seen == fault.onCall || (fault.thereafter && fault.seen > fault.onCall)
                if fires && firing == nil { firing = fault }
            }
            if firing != nil { state.injected[operation, default: 0] += 1 }
            return (firing, state.latency[operation, default: 0])
        }
        if delay > 0 { usleep(delay) }
        return fault
    }

    private func fail(_ fault: Fault, _ call: String, _ path: String) -> StorageError {
        .systemCall(call + " (injected)", path: path, errno: fault.errno)
    }

    public func open(_ path: String, mode: FileOpenMode) throws(StorageError) -> FileDescriptor {
        if let fault = check(.open) { throw fail(fault, "open", path) }
        return try base.open(path, mode: mode)
    }

    public func close(_ file: FileDescriptor) { base.close(file) }

    public func write(_ file: FileDescriptor, _ bytes: UnsafeRawBufferPointer, at offset: Int64)
        throws(StorageError)
    {
        if let fault = check(.write) {
            if fault.tornWrite && bytes.count > 1 {
                try base.write(file, UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count / 2)]), at: offset)
            }
            throw fail(fault, "pwrite", file.path)
        }
        try base.write(file, bytes, at: offset)
    }

    public func read(_ file: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64)
        throws(StorageError) -> Int
    {
        if let fault = check(.read) { throw fail(fault, "pread", file.path) }
        return try base.read(file, into: buffer, at: offset)
    }

    public func sync(_ file: FileDescriptor) throws(StorageError) {
        if let fault = check(.sync) { throw fail(fault, "fsync", file.path) }
        try base.sync(file)
    }

    public func dataSync(_ file: FileDescriptor) throws(StorageError) {
        if let fault = check(.sync) { throw fail(fault, "fdatasync", file.path) }
        try base.dataSync(file)
    }

    public func truncate(_ file: FileDescriptor, to size: Int64) throws(StorageError) {
        if let fault = check(.truncate) { throw fail(fault, "ftruncate", file.path) }
        try base.truncate(file, to: size)
    }

    public func size(of file: FileDescriptor) throws(StorageError) -> Int64 {
        try base.size(of: file)
    }

    public func rename(_ source: String, to destination: String) throws(StorageError) {
        if let fault = check(.rename) { throw fail(fault, "rename", "\(source) -> \(destination)") }
        try base.rename(source, to: destination)
    }

    public func syncDirectory(_ path: String) throws(StorageError) {
        if let fault = check(.directorySync) { throw fail(fault, "fsync (directory)", path) }
        try base.syncDirectory(path)
    }

    public func remove(_ path: String) throws(StorageError) {
        if let fault = check(.remove) { throw fail(fault, "unlink", path) }
        try base.remove(path)
    }

    public func createDirectory(_ path: String) throws(StorageError) {
        try base.createDirectory(path)
    }

    public func contentsOfDirectory(_ path: String) throws(StorageError) -> [String] {
        try base.contentsOfDirectory(path)
    }

    public func mapPrivate(_ file: FileDescriptor, length: Int) throws(StorageError) -> UnsafeMutableRawBufferPointer {
        if let fault = check(.map) { throw fail(fault, "mmap", file.path) }
        return try base.mapPrivate(file, length: length)
    }

    public func unmap(_ region: UnsafeMutableRawBufferPointer) { base.unmap(region) }
}
