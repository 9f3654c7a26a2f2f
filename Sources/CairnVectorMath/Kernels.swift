import CCairnKernels

/// Thin access to the C kernels this target uses internally, fetched at call time so a level forced
/// through ``SIMDInfo/force(level:)`` takes effect on the next call.
enum Kernels {
    typealias PairFunction = @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, Int) -> Float

    /// The dot-product kernel of the current SIMD level.
    @inline(__always)
    static func dot() -> PairFunction { cairn_dot_fn()! }

    /// The squared-L2 kernel of the current SIMD level.
    @inline(__always)
    static func l2sq() -> PairFunction { cairn_l2sq_fn()! }

    /// Indices `i` with `scores[i] - bias[i] > threshold` (bias optional), with the adjusted scores.
    @inline(__always)
    static func selectAbove(
        _ scores: UnsafePointer<Float>, bias: UnsafePointer<Float>?, count: Int, threshold: Float,
        indices: UnsafeMutablePointer<UInt32>, values: UnsafeMutablePointer<Float>
    ) -> Int {
        cairn_select_above(scores, bias, count, threshold, indices, values)
    }

    /// `out[i]` = dot or squared L2 distance of `q` and `vectors[i]`, prefetching ahead.
    @inline(__always)
    static func scoreMany(
        l2: Bool, _ q: UnsafePointer<Float>, _ vectors: UnsafePointer<UnsafePointer<Float>?>, count: Int, dimension: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        if l2 {
            cairn_l2sq_many(q, vectors, count, dimension, out)
        } else {
            cairn_dot_many(q, vectors, count, dimension, out)
        }
    }

    /// Scales `v` to unit length; returns the previous norm.
    @inline(__always)
    static func normalize(_ v: UnsafeMutablePointer<Float>, count: Int) -> Float {
        cairn_normalize(v, count)
    }

    /// The SIMD level in force: 0 scalar, 1 AVX2+FMA, 2 AVX-512F (lower only if a test forced it).
    static var simdLevel: Int { Int(cairn_simd_level()) }
}
