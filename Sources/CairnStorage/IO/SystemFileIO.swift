import Glibc

/// The real file layer: each ``FileIO`` method is one Glibc call (or a loop of them for partial transfers).
///
/// Interrupted calls (`EINTR`) are retried; any other failure becomes a ``StorageError/Kind/serviceError``
/// naming the call and the path, with the errno attached.
public struct SystemFileIO: FileIO {
    /// Creates the system file layer. It holds no state.
    public init() {}

    public func open(_ path: String, mode: FileOpenMode) throws(StorageError) -> FileDescriptor {
        var flags = O_CLOEXEC
        switch mode {
        case .readOnly: flags |= O_RDONLY
        case .readWrite: flags |= O_RDWR
        case .createOrTruncate: flags |= O_RDWR | O_CREAT | O_TRUNC
        case .createNew: flags |= O_RDWR | O_CREAT | O_EXCL
        }
        while true {
            let fd = Glibc.open(path, flags, 0o644)
            if fd >= 0 { return FileDescriptor(rawValue: fd, path: path) }
            let code = Glibc.errno
            if code != EINTR { throw .systemCall("open", path: path, errno: code) }
        }
    }

    public func close(_ file: FileDescriptor) {
        _ = Glibc.close(file.rawValue)
    }

    public func write(_ file: FileDescriptor, _ bytes: UnsafeRawBufferPointer, at offset: Int64)
        throws(StorageError)
    {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        var position = off_t(offset)
        while remaining > 0 {
            let n = pwrite(file.rawValue, base, remaining, position)
            if n < 0 {
                let code = Glibc.errno
                if code == EINTR { continue }
                throw .systemCall("pwrite", path: file.path, errno: code)
            }
            if n == 0 { throw .serviceError("pwrite \(file.path): wrote 0 of \(remaining) bytes") }
            base += n
            remaining -= n
            position += off_t(n)
        }
    }

    public func read(_ file: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64)
        throws(StorageError) -> Int
    {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = pread(file.rawValue, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                let code = Glibc.errno
                if code == EINTR { continue }
                throw .systemCall("pread", path: file.path, errno: code)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    public func sync(_ file: FileDescriptor) throws(StorageError) {
        try retrying("fsync", file.path) { fsync(file.rawValue) }
    }

    public func dataSync(_ file: FileDescriptor) throws(StorageError) {
        try retrying("fdatasync", file.path) { fdatasync(file.rawValue) }
    }

    public func truncate(_ file: FileDescriptor, to size: Int64) throws(StorageError) {
        try retrying("ftruncate", file.path) { ftruncate(file.rawValue, off_t(size)) }
    }

    public func size(of file: FileDescriptor) throws(StorageError) -> Int64 {
        var info = stat()
        try retrying("fstat", file.path) { fstat(file.rawValue, &info) }
        return Int64(info.st_size)
    }

    public func rename(_ source: String, to destination: String) throws(StorageError) {
        try retrying("rename", "\(source) -> \(destination)") { Glibc.rename(source, destination) }
    }

    public func syncDirectory(_ path: String) throws(StorageError) {
        let directory = try open(path, mode: .readOnly)
        defer { close(directory) }
        try retrying("fsync (directory)", path) { fsync(directory.rawValue) }
    }

    public func remove(_ path: String) throws(StorageError) {
        try retrying("unlink", path) { unlink(path) }
    }

    public func createDirectory(_ path: String) throws(StorageError) {
        if mkdir(path, 0o755) == 0 { return }
        let code = Glibc.errno
        var info = stat()
        if code == EEXIST, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
        throw .systemCall("mkdir", path: path, errno: code)
    }

    public func contentsOfDirectory(_ path: String) throws(StorageError) -> [String] {
        guard let stream = opendir(path) else { throw .systemCall("opendir", path: path, errno: Glibc.errno) }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            Glibc.errno = 0
            guard let entry = readdir(stream) else {
                let code = Glibc.errno
                if code != 0 { throw .systemCall("readdir", path: path, errno: code) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    public func mapPrivate(_ file: FileDescriptor, length: Int) throws(StorageError) -> UnsafeMutableRawBufferPointer {
        guard length > 0 else { throw .userError("mmap \(file.path): cannot map an empty range") }
        let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, file.rawValue, 0)
        guard let address, address != MAP_FAILED else {
            throw .systemCall("mmap", path: file.path, errno: Glibc.errno)
        }
        return UnsafeMutableRawBufferPointer(start: address, count: length)
    }

    public func unmap(_ region: UnsafeMutableRawBufferPointer) {
        guard let base = region.baseAddress, region.count > 0 else { return }
        _ = munmap(base, region.count)
    }

    /// Runs a call that returns -1 and sets errno on failure, retrying on `EINTR`.
    private func retrying(_ call: String, _ path: String, _ body: () -> Int32) throws(StorageError) {
        while body() != 0 {
            let code = Glibc.errno
            if code != EINTR { throw .systemCall(call, path: path, errno: code) }
        }
    }
}
