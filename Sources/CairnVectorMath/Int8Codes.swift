internal import CCairnKernels

/// int8 copies of float vectors, as the quantized graph walk of the index uses them.
///
/// A code row holds a float32 scale, the float32 squared norm of the original vector and one int8 code per
/// dimension in [-127, 127] (x[i] ≈ scale · code[i], scale = max |x[i]| / 127), padded to 16 bytes. Distances
/// between rows follow ``DistanceKernel``: 1 - dot for cosine and inner product, squared L2 for l2. The dot
/// product of the codes is exact (int32); only the codes themselves are approximate.
///
/// ```swift
/// var a = [UInt8](repeating: 0, count: Int8Codes.rowBytes(dimension: 384))
/// a.withUnsafeMutableBytes { Int8Codes.encode(vector, into: $0.baseAddress!) }
/// ```
public enum Int8Codes {
    /// Bytes of one code row of a `dimension`-float vector.
    public static func rowBytes(dimension: Int) -> Int { cairn_i8_row_bytes(dimension) }

    /// Writes the code row of `vector` to `row` (``rowBytes(dimension:)`` bytes).
    public static func encode(_ vector: UnsafeBufferPointer<Float>, into row: UnsafeMutableRawPointer) {
        cairn_i8_encode(vector.baseAddress, vector.count, row)
    }

    /// The dot product of two code arrays of `count` int8 each.
    public static func dot(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, count: Int) -> Int32 {
        cairn_i8_dot(a, b, count)
    }

    /// The approximate distance of two code rows of `dimension`-float vectors under `metric`.
    public static func distance(
        _ query: UnsafeRawPointer, _ row: UnsafeRawPointer, dimension: Int, metric: Metric
    ) -> Float {
        cairn_i8_distance(query, row, dimension, metric == .l2 ? 1 : 0)
    }

    /// The int8 kernels in use: "avx512-vnni", "avx2" or "scalar" (lowered by ``SIMDInfo/force(level:)``).
    public static var level: String { String(cString: cairn_i8_name()) }
}
