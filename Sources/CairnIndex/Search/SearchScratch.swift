internal import CCairnKernels

/// Per-search working memory: a visited set tagged by epoch, two heaps and neighbour buffers.
/// Reused across queries through ``ScratchPool`` so a search allocates nothing.
final class SearchScratch {
    private(set) var visited: UnsafeMutablePointer<UInt16>
    private(set) var visitedCapacity: Int
    private(set) var epoch: UInt16 = 0
    var frontier: CandidateHeap
    var results: CandidateHeap
    let neighbours: UnsafeMutablePointer<UInt32>
    let pending: UnsafeMutablePointer<UInt32>
    let pointers: UnsafeMutablePointer<UnsafePointer<Float>?>
    let distances: UnsafeMutablePointer<Float>
    /// A normalised copy of the query (cosine) lives here.
    var query: UnsafeMutablePointer<Float>
    var queryCapacity: Int
    /// The query's int8 code row, for quantized searches (64-byte aligned).
    let queryCodes: UnsafeMutableRawPointer

    init(maxLinks: Int, capacity: Int, dimension: Int) {
        visitedCapacity = capacity
        visited = .allocate(capacity: max(capacity, 1))
        visited.initialize(repeating: 0, count: max(capacity, 1))
        frontier = CandidateHeap(capacity: 256, isMax: false)
        results = CandidateHeap(capacity: 256, isMax: true)
        neighbours = .allocate(capacity: maxLinks)
        pending = .allocate(capacity: maxLinks)
        pointers = .allocate(capacity: maxLinks)
        distances = .allocate(capacity: maxLinks)
        queryCapacity = dimension
        query = .allocate(capacity: dimension)
        queryCodes = .allocate(byteCount: cairn_i8_row_bytes(dimension), alignment: 64)
    }

    deinit {
        visited.deallocate()
        frontier.deallocate()
        results.deallocate()
        neighbours.deallocate()
        pending.deallocate()
        pointers.deallocate()
        distances.deallocate()
        query.deallocate()
        queryCodes.deallocate()
    }

    /// Starts a new visited generation able to hold `capacity` slots.
    func beginVisit(capacity: Int) {
        if capacity > visitedCapacity {
            visited.deallocate()
            visitedCapacity = capacity
            visited = .allocate(capacity: capacity)
            visited.initialize(repeating: 0, count: capacity)
            epoch = 0
        }
        epoch &+= 1
        if epoch == 0 {
            visited.update(repeating: 0, count: visitedCapacity)
            epoch = 1
        }
        frontier.removeAll()
        results.removeAll()
    }

    /// Marks `slot` visited; returns false when it already was (or lies beyond this generation's range).
    @inline(__always) func visit(_ slot: UInt32) -> Bool {
        let s = Int(slot)
        if s >= visitedCapacity { return false }
        if visited[s] == epoch { return false }
        visited[s] = epoch
        return true
    }
}

/// A lock-free pool of ``SearchScratch`` objects: each searcher claims a free slot with one CAS, so
/// concurrent searches never queue behind a shared lock.
final class ScratchPool: @unchecked Sendable {
    private let slots: Int
    private let flags: UnsafeMutablePointer<UInt64>
    private var items: [SearchScratch?]
    private let make: () -> SearchScratch

    init(slots: Int = 64, make: @escaping () -> SearchScratch) {
        self.slots = slots
        self.make = make
        flags = .allocate(capacity: slots)
        flags.initialize(repeating: 0, count: slots)
        items = Array(repeating: nil, count: slots)
    }

    deinit { flags.deallocate() }

    /// Runs `body` with a scratch object owned exclusively for the call.
    func with<R>(_ body: (SearchScratch) throws -> R) rethrows -> R {
        let start = Int(UInt(bitPattern: pthreadSelfHash()) % UInt(slots))
        for probe in 0..<slots {
            let i = (start + probe) % slots
            if cairn_atomic_cas_u64(flags + i, 0, 1) != 0 {
                defer { cairn_atomic_store_u64(flags + i, 0) }
                let scratch: SearchScratch
                if let s = items[i] { scratch = s } else { scratch = make(); items[i] = scratch }
                return try body(scratch)
            }
        }
        return try body(make())
    }
}

import Glibc

@inline(__always) private func pthreadSelfHash() -> Int {
    let t = UInt(pthread_self())
    return Int(bitPattern: (t >> 12) ^ (t >> 4))
}
