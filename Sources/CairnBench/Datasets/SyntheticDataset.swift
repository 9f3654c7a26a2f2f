public import CairnVectorMath
import Dispatch
import Glibc

/// A deterministic, seeded Gaussian-mixture dataset standing in for real embeddings in benchmarks.
///
/// `clusters` centres are drawn with every coordinate from N(0, 1); a point picks a centre uniformly
/// and adds N(0, σ²) noise to every coordinate; all points are then scaled to unit length (cosine-ready).
/// Queries come from the same mixture through separate random streams, so they are near, but never
/// equal to, base points.
///
/// Every row has its own random stream derived from `(seed, kind, row)` (xoshiro256** seeded by
/// SplitMix64; normals by Marsaglia's polar method with a portable logarithm), so rows are generated in
/// parallel and the bytes are identical on every run, machine and thread count.
///
/// ```swift
/// let (base, queries) = SyntheticDataset.make(n: 100_000, queries: 1_000, seed: 42)
/// try SyntheticDataset.write(base: base, queries: queries, to: "/tmp/syn", groundTruthK: 100)
/// ```
public enum SyntheticDataset {
    /// The default number of mixture components.
    public static let defaultClusters = 1000
    /// The default dimension (that of all-MiniLM-L6-v2).
    public static let defaultDimension = 384
    /// The default noise scale σ relative to the spread of the centres (1).
    ///
    /// Chosen so that the set is neither trivial nor out of reach for a graph index with the usual settings
    /// (measured with Cairn, 100k × 384, 1000 clusters, seed 42): with M = 16 and efConstruction = 64,
    /// recall@10 is 0.89 at ef = 40, 0.95 at ef = 64, 0.976 at ef = 100; with efConstruction = 200 it is
    /// 0.983 at ef = 64 and 0.993 at ef = 100 (hnswlib behaves alike). With isotropic noise in 384
    /// dimensions the difficulty changes sharply with σ: at σ ≤ 1.7 all ten neighbours lie in the query's
    /// own 100-point cluster and ef = 64 finds 99.99 %; at σ = 2.15 even efConstruction = 200 and ef = 200
    /// stay below 0.98; at σ = 2.5 recall stays below 0.8.
    public static let defaultSigma: Double = 2.0

    /// Generates `n` base vectors and `queries` query vectors of dimension `dim`, each row unit length.
    ///
    /// - Parameters:
    ///   - n: base vectors.
    ///   - queries: query vectors.
    ///   - dim: the dimension.
    ///   - clusters: mixture components (at least 1).
    ///   - sigma: noise standard deviation per coordinate, relative to the centres' (1).
    ///   - seed: selects the dataset; the same seed always gives the same bytes.
    ///   - threads: worker threads, 0 for one per core (the output does not depend on it).
    public static func make(
        n: Int, queries: Int, dim: Int = defaultDimension, clusters: Int = defaultClusters,
        sigma: Double = defaultSigma, seed: UInt64, threads: Int = 0
    ) -> (base: Matrix, queries: Matrix) {
        precondition(n >= 0 && queries >= 0, "SyntheticDataset: negative count")
        precondition(dim > 0, "SyntheticDataset: dimension must be positive, got \(dim)")
        precondition(clusters > 0, "SyntheticDataset: clusters must be positive, got \(clusters)")
        precondition(sigma >= 0 && sigma.isFinite, "SyntheticDataset: sigma must be finite and ≥ 0")
        let centres = UnsafeMutablePointer<Double>.allocate(capacity: clusters * dim)
        defer { centres.deallocate() }
        let shared = Shared(centres: centres, clusters: clusters, dim: dim, sigma: sigma, seed: seed)
        let workers = threads > 0 ? threads : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

        parallelRows(clusters, workers) { c in shared.centre(c) }
        let base = Matrix(uninitializedRows: n, cols: dim)
        let query = Matrix(uninitializedRows: queries, cols: dim)
        let basePtr = RowSink(base.pointer), queryPtr = RowSink(query.pointer)
        parallelRows(n, workers) { i in shared.point(into: basePtr.pointer + i * dim, stream: Stream.base, row: i) }
        parallelRows(queries, workers) { i in shared.point(into: queryPtr.pointer + i * dim, stream: Stream.query, row: i) }
        return (base, query)
    }

    /// Writes `base.fvecs`, `query.fvecs` and, when `groundTruthK` is given, `groundtruth.ivecs`
    /// (exact cosine neighbours) into `directory`, which must exist.
    public static func write(
        base: Matrix, queries: Matrix, to directory: String, groundTruthK: Int? = nil
    ) throws(DatasetError) {
        try FVecs.write(base, to: directory + "/base.fvecs")
        try FVecs.write(queries, to: directory + "/query.fvecs")
        if let k = groundTruthK {
            let truth = ExactSearch.groundTruth(queries: queries.view, base: base.view, k: min(k, base.rows), metric: .cosine)
            try FVecs.writeIVecs(truth, to: directory + "/groundtruth.ivecs")
        }
    }

    /// Stream kinds: one random stream per (kind, row).
    enum Stream {
        static let centre: UInt64 = 1
        static let base: UInt64 = 2
        static let query: UInt64 = 3
    }

    /// The parameters and centres shared by all row generators of one call.
    struct Shared: @unchecked Sendable {
        let centres: UnsafeMutablePointer<Double>
        let clusters: Int
        let dim: Int
        let sigma: Double
        let seed: UInt64

        func rng(_ kind: UInt64, _ row: Int) -> Xoshiro256 {
            Xoshiro256(seed: seed, stream: kind << 56 | UInt64(row))
        }

        func centre(_ c: Int) {
            var r = rng(Stream.centre, c)
            let out = centres + c * dim
            var j = 0
            while j < dim {
                let (a, b) = r.nextNormalPair()
                out[j] = a
                if j + 1 < dim { out[j + 1] = b }
                j += 2
            }
        }

        /// One point: a uniformly chosen centre plus σ·N(0, 1) noise, normalised in double precision.
        func point(into out: UnsafeMutablePointer<Float>, stream kind: UInt64, row: Int) {
            var r = rng(kind, row)
            let centre = centres + r.next(below: clusters) * dim
            withUnsafeTemporaryAllocation(of: Double.self, capacity: dim) { buffer in
                let tmp = buffer.baseAddress!
                var j = 0
                while j < dim {
                    let (a, b) = r.nextNormalPair()
                    tmp[j] = centre[j] + sigma * a
                    if j + 1 < dim { tmp[j + 1] = centre[j + 1] + sigma * b }
                    j += 2
                }
                var sq = 0.0
                for j in 0..<dim { sq += tmp[j] * tmp[j] }
                let inv = sq > 0 ? 1 / sq.squareRoot() : 0
                for j in 0..<dim { out[j] = Float(tmp[j] * inv) }
            }
        }
    }

    /// A row pointer handed to parallel workers that write disjoint rows.
    struct RowSink: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
    }

    /// Calls `body(i)` for every `i` in `0..<count`, split into contiguous chunks over `workers`.
    static func parallelRows(_ count: Int, _ workers: Int, _ body: @Sendable (Int) -> Void) {
        if count == 0 { return }
        let parts = min(count, workers * 8)
        if parts <= 1 || workers <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            for i in (p * count / parts)..<((p + 1) * count / parts) { body(i) }
        }
    }
}
