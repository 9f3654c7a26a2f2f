import CairnVectorMath

#if canImport(CMiniLMKernels)
import CMiniLMKernels

/// The small-batch projection kernel: `y = x·Wᵀ` for a few token rows, from W pre-packed once at load.
///
/// For a short query every weight matrix is used for a handful of rows, so the time goes into reading the
/// weights; BLAS also re-packs them on each call (for 10 tokens that is most of its time). This kernel
/// (C, AVX-512 or AVX2+FMA chosen at run time) streams the packed weights once per call instead.
enum MiniLMSmallGEMM {
    /// Whether the kernel is built in.
    static let isAvailable = true
    /// Blocks of up to this many tokens use the kernel; larger ones are faster on BLAS.
    static let maxRows = 32

    /// W (`outputs × inputs`, `outputs` a multiple of 16) in the kernel's layout.
    static func pack(_ w: UnsafePointer<Float>, outputs: Int, inputs: Int) -> Matrix? {
        guard outputs % 16 == 0 else { return nil }
        let packed = Matrix(uninitializedRows: outputs, cols: inputs)
        cairn_pack_panels16(w, outputs, inputs, packed.pointer)
        return packed
    }

    /// `y = x·Wᵀ` (or `y += x·Wᵀ`) for `rows` rows of `x`, W given packed.
    @inline(__always)
    static func multiply(
        _ x: UnsafePointer<Float>, rows: Int, panels: UnsafePointer<Float>, outputs: Int, inputs: Int,
        into y: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        cairn_gemm_panels16(x, inputs, rows, panels, outputs, inputs, y, ldc, accumulate ? 1 : 0)
    }
}
#else

/// The small-batch projection kernel is not built in: every projection runs on BLAS.
enum MiniLMSmallGEMM {
    static let isAvailable = false
    static let maxRows = 0

    static func pack(_ w: UnsafePointer<Float>, outputs: Int, inputs: Int) -> Matrix? { nil }

    static func multiply(
        _ x: UnsafePointer<Float>, rows: Int, panels: UnsafePointer<Float>, outputs: Int, inputs: Int,
        into y: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        preconditionFailure("MiniLMSmallGEMM: no small-batch kernel built in")
    }
}
#endif
