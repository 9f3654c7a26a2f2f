import Glibc

/// Low-level reading and writing of TEXMEX "vecs" files shared by ``FVecs``.
///
/// The format: for every vector, a little-endian `int32` dimension followed by that many 4-byte
/// elements (`float32` for .fvecs, `int32` for .ivecs). There is no header and no checksum, which is why
/// reading checks every dimension word and the exact file length.
enum VecsFile {
    /// The file's bytes, memory-mapped read-only; unmapped by `close()`.
    struct Mapping {
        let base: UnsafeRawPointer?
        let size: Int

        func close() {
            if let base, size > 0 { munmap(UnsafeMutableRawPointer(mutating: base), size) }
        }
    }

    /// Maps `path`; throws a user error if it is missing, a service error on other failures.
    static func map(_ path: String) throws(DatasetError) -> Mapping {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = Glibc.errno
            let category: DatasetError.Category = (e == ENOENT || e == EACCES || e == EISDIR) ? .userError : .serviceError
            throw DatasetError(category, path: path, "cannot open: \(String(cString: strerror(e)))", errno: e)
        }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let e = Glibc.errno
            throw DatasetError(.serviceError, path: path, "cannot stat: \(String(cString: strerror(e)))", errno: e)
        }
        let size = Int(st.st_size)
        if size == 0 { return Mapping(base: nil, size: 0) }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), p != MAP_FAILED else {
            let e = Glibc.errno
            throw DatasetError(.serviceError, path: path, "cannot map \(size) bytes: \(String(cString: strerror(e)))", errno: e)
        }
        return Mapping(base: UnsafeRawPointer(p), size: size)
    }

    /// Checks the layout of a mapped vecs file and returns (count, dimension) of its vectors.
    ///
    /// - Parameter limit: read at most this many vectors (the rest of the file is not checked).
    static func layout(_ m: Mapping, path: String, limit: Int?) throws(DatasetError) -> (count: Int, dimension: Int) {
        guard let base = m.base, m.size > 0 else { return (0, 0) }
        if m.size < 4 {
            throw DatasetError(.corruption, path: path, "truncated: \(m.size) bytes cannot hold the dimension of vector 0")
        }
        let dim = Int(Int32(littleEndian: base.loadUnaligned(as: Int32.self)))
        if dim <= 0 || dim > 1 << 20 {
            throw DatasetError(.corruption, path: path, "vector 0 has an invalid dimension \(dim)")
        }
        let record = 4 + 4 * dim
        var count = m.size / record
        if let limit { count = min(count, max(0, limit)) }
        for i in 0..<count {
            let d = Int32(littleEndian: base.loadUnaligned(fromByteOffset: i * record, as: Int32.self))
            if Int(d) != dim {
                throw DatasetError(.corruption, path: path, "vector \(i) has dimension \(d), vector 0 has \(dim)")
            }
        }
        let complete = m.size / record
        if (limit == nil || limit! > complete) && m.size % record != 0 {
            throw DatasetError(.corruption, path: path,
                               "truncated: vector \(complete) has \(m.size % record) of \(record) bytes (dimension \(dim))")
        }
        return (count, dim)
    }

    /// Writes `count` records of `dimension` 4-byte elements produced by `row(i)`, atomically.
    ///
    /// The data goes to `path.tmp`, is fsynced, renamed over `path`, and the directory is fsynced.
    static func write(
        path: String, count: Int, dimension: Int, row: (Int) -> UnsafeRawPointer
    ) throws(DatasetError) {
        precondition(dimension > 0 || count == 0, "vecs files need a positive dimension")
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw failure(tmp, "cannot create") }
        var closed = false
        defer {
            if !closed { _ = Glibc.close(fd); unlink(tmp) }
        }
        let record = 4 + 4 * dimension
        let perChunk = max(1, (4 << 20) / max(record, 1))
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: perChunk * record, alignment: 64)
        defer { buffer.deallocate() }
        var i = 0
        while i < count {
            let n = min(perChunk, count - i)
            for j in 0..<n {
                let dst = buffer + j * record
                dst.storeBytes(of: Int32(dimension).littleEndian, as: Int32.self)
                (dst + 4).copyMemory(from: row(i + j), byteCount: 4 * dimension)
            }
            try writeAll(fd, buffer, n * record, path: tmp)
            i += n
        }
        if fsync(fd) != 0 { throw failure(tmp, "cannot fsync") }
        closed = true
        if Glibc.close(fd) != 0 { unlink(tmp); throw failure(tmp, "cannot close") }
        if rename(tmp, path) != 0 { let e = failure(path, "cannot rename \(tmp) to"); unlink(tmp); throw e }
        syncDirectory(of: path)
    }

    private static func writeAll(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int, path: String) throws(DatasetError) {
        var done = 0
        while done < n {
            let w = Glibc.write(fd, p + done, n - done)
            if w < 0 {
                if Glibc.errno == EINTR { continue }
                throw failure(path, "cannot write")
            }
            done += w
        }
    }

    private static func syncDirectory(of path: String) {
        let dir: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            dir = "."
        }
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            _ = Glibc.close(fd)
        }
    }

    private static func failure(_ path: String, _ what: String) -> DatasetError {
        let e = Glibc.errno
        let category: DatasetError.Category = (e == ENOENT || e == EACCES || e == ENOTDIR) ? .userError : .serviceError
        return DatasetError(category, path: path, "\(what): \(String(cString: strerror(e)))", errno: e)
    }
}
