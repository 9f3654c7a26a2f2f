import Glibc

/// Zeroed, page-aligned memory from anonymous `mmap`: untouched pages cost nothing, so blocks can be
/// reserved at full size and filled as nodes arrive.
enum PageMemory {
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = max(bytes, 1)
        let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else { fatalError("out of memory: mmap of \(size) bytes failed") }
        return p
    }

    static func free(_ p: UnsafeMutableRawPointer, bytes: Int) {
        munmap(p, max(bytes, 1))
    }
}
