import Dispatch
import Glibc
import Synchronization

/// Brute-force k-nearest-neighbour search on BLAS: the ground truth for recall, the exact scan behind
/// filtered queries, and the search of small collections that have no graph yet.
///
/// Queries are scored in batches against tiles of base rows with one `sgemm` per (batch, tile), so
/// the score tile stays in cache; a SIMD threshold filter (`cairn_select_above`) then passes only the
/// scores that can beat the worst of each query's ``TopK`` on to it. Distances follow ``Metric``:
/// `1 - dot` for cosine and inner product, `|q|² + |x|² - 2 q·x` (clamped at 0) for L2.
///
/// For ``Metric/cosine`` the caller supplies unit-length vectors and queries, as everywhere in Cairn.
///
/// ```swift
/// let blocks = [ExactSearch.Block(view: base.view, firstID: 0)]
/// let hits = ExactSearch.search(queries: queries.view, blocks: blocks, k: 10, metric: .cosine)
/// hits[0][0].id    // the nearest base row of query 0
/// ```
public enum ExactSearch {
    /// A run of base vectors with consecutive ids, `firstID` for row 0 of `view`.
    public struct Block: @unchecked Sendable {
        /// The vectors; `view.cols` must equal the query dimension.
        public var view: MatrixView
        /// The id of row 0; row `i` has id `firstID + i`.
        public var firstID: UInt32
        /// Optional squared norms of the rows (`view.rows` floats) for L2; computed per tile when nil.
        public var sqNorms: UnsafePointer<Float>?

        /// A block of `view.rows` vectors numbered from `firstID`.
        public init(view: MatrixView, firstID: UInt32, sqNorms: UnsafePointer<Float>? = nil) {
            precondition(view.rows == 0 || UInt64(firstID) + UInt64(view.rows) - 1 <= UInt64(UInt32.max),
                         "ExactSearch.Block: ids overflow UInt32")
            self.view = view
            self.firstID = firstID
            self.sqNorms = sqNorms
        }
    }

    /// A predicate that removes ids (deleted or filtered out) from the results.
    public typealias Exclusion = @Sendable (UInt32) -> Bool

    /// The `k` nearest base vectors of every query, ascending by distance (ties by id).
    ///
    /// - Parameters:
    ///   - queries: m queries of the base dimension.
    ///   - blocks: the base vectors; blocks may come in any order and must not share ids.
    ///   - k: results per query; fewer when fewer vectors remain after exclusion.
    ///   - metric: how distances are computed.
    ///   - exclude: ids to skip; asked only for candidates that would otherwise enter the top k.
    ///   - threads: worker threads, 0 for one per core.
    /// - Returns: m lists of at most `k` neighbours.
    public static func search(
        queries: MatrixView, blocks: [Block], k: Int, metric: Metric,
        exclude: Exclusion? = nil, threads: Int = 0
    ) -> [[Neighbor]] {
        for b in blocks where b.view.rows > 0 {
            precondition(b.view.cols == queries.cols,
                         "ExactSearch: block dimension \(b.view.cols) differs from query dimension \(queries.cols)")
        }
        precondition(k >= 0, "ExactSearch: negative k")
        let m = queries.rows
        if m == 0 { return [] }
        let blocks = blocks.filter { $0.view.rows > 0 }
        let total = blocks.reduce(0) { $0 + $1.view.rows }
        if k == 0 || total == 0 { return Array(repeating: [], count: m) }

        let workers = resolveThreads(threads)
        let plan = Plan(metric: metric, k: k, exclude: exclude, tileRows: tuning.tileRows, queryBatch: tuning.queryBatch)
        let all = [Segment](blocks: blocks)
        let results = UnsafeMutablePointer<[Neighbor]>.allocate(capacity: m)
        results.initialize(repeating: [], count: m)
        defer {
            results.deinitialize(count: m)
            results.deallocate()
        }
        let out = SendablePointer(results)

        if workers <= 1 || m >= workers * tuning.minQueriesPerWorker {
            // Enough queries: each worker takes a contiguous share of them against the whole base.
            let parts = min(workers, m)
            withSingleThreadedBLAS(parts > 1) {
                parallelFor(parts) { p in
                    let range = share(p, of: parts, total: m)
                    let scanner = Scanner(plan: plan, batchCapacity: range.count)
                    scanner.search(queries: queries.rows(range), segments: all, results: out.pointer + range.lowerBound)
                }
            }
        } else {
            // Few queries: each worker scans a share of the base for all queries; the tops are merged.
            let parts = min(workers, max(1, total / plan.tileRows))
            let partials = UnsafeMutablePointer<[[Neighbor]]>.allocate(capacity: parts)
            partials.initialize(repeating: [], count: parts)
            defer {
                partials.deinitialize(count: parts)
                partials.deallocate()
            }
            let partOut = SendablePointer(partials)
            withSingleThreadedBLAS(parts > 1) {
                parallelFor(parts) { p in
                    let segments = all.slice(share(p, of: parts, total: total))
                    let local = UnsafeMutablePointer<[Neighbor]>.allocate(capacity: m)
                    local.initialize(repeating: [], count: m)
                    Scanner(plan: plan, batchCapacity: m).search(queries: queries, segments: segments, results: local)
                    partOut.pointer[p] = Array(UnsafeBufferPointer(start: local, count: m))
                    local.deinitialize(count: m)
                    local.deallocate()
                }
            }
            for q in 0..<m {
                var merged = TopK<UInt32>(k: k)
                for p in 0..<parts { for n in partials[p][q] { merged.push(n.distance, id: n.id) } }
                results[q] = merged.sortedNeighbors()
            }
        }
        return Array(UnsafeBufferPointer(start: results, count: m))
    }

    /// The `k` nearest base vectors of one query (scored with `sgemv` per tile).
    public static func search(
        query: UnsafePointer<Float>, dimension: Int, blocks: [Block], k: Int, metric: Metric,
        exclude: Exclusion? = nil, threads: Int = 0
    ) -> [Neighbor] {
        let view = MatrixView(base: query, rows: 1, cols: dimension)
        return search(queries: view, blocks: blocks, k: k, metric: metric, exclude: exclude, threads: threads)[0]
    }

    /// Exact ground truth as `Int32` ids per query, the layout of an `.ivecs` file.
    public static func groundTruth(
        queries: MatrixView, base: MatrixView, k: Int, metric: Metric, threads: Int = 0
    ) -> [[Int32]] {
        search(queries: queries, blocks: [Block(view: base, firstID: 0)], k: k, metric: metric, threads: threads)
            .map { $0.map { Int32(bitPattern: $0.id) } }
    }
}

// MARK: - Tuning and threading

extension ExactSearch {
    /// Tile sizes and the threading policy, exposed to benchmarks only.
    @_spi(Tuning)
    public struct Tuning: Sendable {
        /// Queries scored together by one sgemm.
        public var queryBatch = 256
        /// Base rows per tile: 256 × 2048 scores are 2 MiB, which stay in L2.
        public var tileRows = 2048
        /// Below this many queries per worker, workers split the base instead of the queries.
        public var minQueriesPerWorker = 16
        /// Whether OpenBLAS is held to one thread while Swift threads run their own sgemm calls.
        public var singleThreadedBLASInWorkers = true

        /// The defaults.
        public init() {}
    }

    /// The tuning in force; set only before searches start (benchmarks).
    @_spi(Tuning)
    nonisolated(unsafe) public static var tuning = Tuning()

    static func resolveThreads(_ threads: Int) -> Int {
        if threads > 0 { return threads }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Rows `[p·total/parts, (p+1)·total/parts)`.
    static func share(_ p: Int, of parts: Int, total: Int) -> Range<Int> {
        (p * total / parts)..<((p + 1) * total / parts)
    }

    static func parallelFor(_ n: Int, _ body: @Sendable (Int) -> Void) {
        if n == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: n, execute: body) }
    }

    /// Runs `body`, whose workers each call BLAS, with OpenBLAS held to one thread per call.
    ///
    /// Splitting queries over Swift threads with single-threaded sgemm calls was measured faster than
    /// one OpenBLAS-threaded sgemm per tile (0.42 s against 0.53 s for 1000 × 100k × 384 on 2 cores),
    /// and leaving OpenBLAS threaded under Swift workers oversubscribes the cores. The OpenBLAS setting
    /// is process-wide, so this goes through ``BLASInfo/withSingleThread(_:)``, the gate every such caller shares.
    static func withSingleThreadedBLAS(_ enabled: Bool, _ body: () -> Void) {
        guard enabled, tuning.singleThreadedBLASInWorkers else {
            body()
            return
        }
        BLASInfo.withSingleThread(body)
    }
}

/// A pointer that workers of one `concurrentPerform` write to at disjoint indices.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
