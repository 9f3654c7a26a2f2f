public import CairnVectorMath

/// A naive scalar k-nearest-neighbour search in double precision: the reference that fast searches
/// (BLAS scans, SIMD kernels, graph indexes) are checked against.
///
/// It follows Cairn's distance convention (``Metric``): `1 - dot` for cosine and inner product
/// (cosine inputs are expected to be unit length already), squared Euclidean distance for L2. It is
/// deliberately simple and slow (O(m·n·d) with no tiling); keep the inputs small.
///
/// ```swift
/// let truth = BruteForceOracle.search(queries: q.view, base: x.view, k: 10, metric: .l2)
/// #expect(OracleComparison.matches(fast[0], truth[0]))
/// ```
public enum BruteForceOracle {
    /// One exact result with its distance in double precision.
    public struct Hit: Sendable, Hashable, CustomStringConvertible {
        /// The vector id (`firstID` + row).
        public var id: UInt32
        /// The distance, accumulated in double precision.
        public var distance: Double

        /// A hit for `id` at `distance`.
        public init(id: UInt32, distance: Double) {
            self.id = id
            self.distance = distance
        }

        public var description: String { "\(id)@\(distance)" }
    }

    /// The distance between two vectors of `dimension` floats, accumulated in double precision.
    public static func distance(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dimension: Int, metric: Metric
    ) -> Double {
        var s = 0.0
        switch metric {
        case .l2:
            for i in 0..<dimension {
                let d = Double(a[i]) - Double(b[i])
                s += d * d
            }
            return s
        case .cosine, .innerProduct:
            for i in 0..<dimension { s += Double(a[i]) * Double(b[i]) }
            return 1 - s
        }
    }

    /// The distance between two arrays of equal length.
    public static func distance(_ a: [Float], _ b: [Float], metric: Metric) -> Double {
        precondition(a.count == b.count, "BruteForceOracle: lengths \(a.count) and \(b.count) differ")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                guard let x = pa.baseAddress, let y = pb.baseAddress else { return metric == .l2 ? 0 : 1 }
                return distance(x, y, dimension: a.count, metric: metric)
            }
        }
    }

    /// The `k` nearest rows of `base` for every query, ascending by distance, ties by id.
    ///
    /// - Parameters:
    ///   - firstID: the id of base row 0.
    ///   - exclude: ids left out of the results.
    public static func search(
        queries: MatrixView, base: MatrixView, k: Int, metric: Metric, firstID: UInt32 = 0,
        exclude: (UInt32) -> Bool = { _ in false }
    ) -> [[Hit]] {
        search(queries: queries, blocks: [(base, firstID)], k: k, metric: metric, exclude: exclude)
    }

    /// The `k` nearest vectors over several blocks, each with the id of its row 0.
    public static func search(
        queries: MatrixView, blocks: [(view: MatrixView, firstID: UInt32)], k: Int, metric: Metric,
        exclude: (UInt32) -> Bool = { _ in false }
    ) -> [[Hit]] {
        (0..<queries.rows).map { q in
            var all: [Hit] = []
            for block in blocks {
                precondition(block.view.rows == 0 || block.view.cols == queries.cols, "BruteForceOracle: dimension mismatch")
                for i in 0..<block.view.rows {
                    let id = block.firstID + UInt32(i)
                    if exclude(id) { continue }
                    all.append(Hit(id: id, distance: distance(queries.row(q), block.view.row(i), dimension: queries.cols, metric: metric)))
                }
            }
            all.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
            return Array(all.prefix(k))
        }
    }

    /// The `k` nearest of `base` (arrays of equal length) for every query.
    public static func search(
        queries: [[Float]], base: [[Float]], k: Int, metric: Metric, exclude: (UInt32) -> Bool = { _ in false }
    ) -> [[Hit]] {
        let d = queries.first?.count ?? base.first?.count ?? 0
        let q = Matrix(queries, cols: d), b = Matrix(base, cols: d)
        return search(queries: q.view, base: b.view, k: k, metric: metric, exclude: exclude)
    }
}
