import Glibc

/// Zeroed, page-aligned memory from anonymous `mmap`: untouched pages cost nothing, so blocks can be
/// reserved at full size and filled as nodes arrive.
///
/// Regions of at least ``hugePageBytes`` are offered to transparent huge pages (`MADV_HUGEPAGE`, which is what
/// the kernel's default `madvise` mode waits for): a graph walk touches vectors all over a large index, and
/// with 2 MiB pages its address translations mostly hit the TLB instead of walking page tables.
enum PageMemory {
    static let hugePageBytes = 2 << 20

    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = max(bytes, 1)
        let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else { fatalError("out of memory: mmap of \(size) bytes failed") }
        // Advice only: a kernel without transparent huge pages refuses it and nothing changes.
        if size >= hugePageBytes { _ = madvise(p, size, MADV_HUGEPAGE) }
        return p
    }

    static func free(_ p: UnsafeMutableRawPointer, bytes: Int) {
        munmap(p, max(bytes, 1))
    }
}
