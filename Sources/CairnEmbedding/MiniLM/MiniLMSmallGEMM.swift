import CCairnKernels
import CairnVectorMath
import Dispatch

/// The small-batch projection kernel: `y = x·Wᵀ` for a few token rows, from W pre-packed once at load.
///
/// For a short query every weight matrix is used for a handful of rows, so the time goes into reading the
/// weights, and BLAS also re-packs them on every call: for a 12-token query the six layers' projections took
/// 8.8 ms through `cblas_sgemm` against 2.7 ms here (one core, OpenBLAS SkylakeX kernels). This kernel (C in
/// CCairnKernels, AVX-512 or AVX2+FMA chosen at run time) streams the packed weights once per call instead.
/// Blocks of more than ``maxRows`` tokens, where packing pays for itself, stay on BLAS.
enum MiniLMSmallGEMM {
    /// Blocks of up to this many tokens use the kernel; larger ones are faster on BLAS.
    static let maxRows = 32

    /// W (`outputs × inputs`, `outputs` a multiple of 16) in the kernel's layout.
    static func pack(_ w: UnsafePointer<Float>, outputs: Int, inputs: Int) -> Matrix? {
        guard outputs % 16 == 0 else { return nil }
        let packed = Matrix(uninitializedRows: outputs, cols: inputs)
        cairn_pack_panels16(w, outputs, inputs, packed.pointer)
        return packed
    }

    /// `y = x·Wᵀ` (or `y += x·Wᵀ`) for `rows` rows of `x`, W given packed; with `ways > 1` the outputs are
    /// split into that many column ranges (whole panels) computed on as many threads, the caller's included.
    static func multiply(
        _ x: UnsafePointer<Float>, rows: Int, panels: UnsafePointer<Float>, outputs: Int, inputs: Int,
        into y: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, ways: Int = 1
    ) {
        let panelCount = outputs / 16
        let parts = min(max(1, ways), panelCount)
        if parts == 1 {
            cairn_gemm_panels16(x, inputs, rows, panels, outputs, inputs, y, ldc, accumulate ? 1 : 0)
            return
        }
        // Each part reads x and its own panels and writes its own columns of y: no two threads share a write.
        nonisolated(unsafe) let x = x, panels = panels, y = y
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let first = panelCount * part / parts, end = panelCount * (part + 1) / parts
            cairn_gemm_panels16(x, inputs, rows, panels + first * 16 * inputs, (end - first) * 16, inputs,
                                y + first * 16, ldc, accumulate ? 1 : 0)
        }
    }
}
