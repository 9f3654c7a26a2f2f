import CairnVectorMath

/// A linear layer's weight matrix W (`outputs × inputs`, PyTorch's layout) as the encoder applies it:
/// `y = x·Wᵀ`, or `y += x·Wᵀ`, for a block of token rows.
///
/// Blocks of many tokens go to BLAS (`cblas_sgemm`). BLAS re-packs W on every call, which for a handful of
/// tokens (a query) costs more than the arithmetic, so W is also kept in ``MiniLMSmallGEMM``'s pre-packed
/// layout and blocks of up to ``MiniLMSmallGEMM/maxRows`` tokens use that kernel instead.
struct MiniLMProjection: @unchecked Sendable {
    /// Row-major `outputs × inputs`.
    let weights: UnsafePointer<Float>
    let outputs: Int
    let inputs: Int
    /// W in ``MiniLMSmallGEMM``'s layout (nil only when `outputs` is not a multiple of 16).
    let panels: UnsafePointer<Float>?

    /// W as the B operand of `BLAS.sgemm` (which computes `A·Bᵀ`).
    var view: MatrixView { MatrixView(base: weights, rows: outputs, cols: inputs) }

    /// Whether a block of `rows` tokens takes the small-batch kernel.
    @inline(__always)
    func usesSmallKernel(rows: Int) -> Bool { panels != nil && rows <= MiniLMSmallGEMM.maxRows }

    /// `y = x·Wᵀ` (or `y += x·Wᵀ` when `accumulate`) for `rows` rows of `x` (`inputs` floats each, densely
    /// packed) into rows of `y` that are `ldc` floats apart. A short block is split over `ways` threads.
    func apply(
        _ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false,
        ways: Int = 1
    ) {
        if usesSmallKernel(rows: rows), let panels {
            MiniLMSmallGEMM.multiply(x, rows: rows, panels: panels, outputs: outputs, inputs: inputs, into: y,
                                     ldc: ldc, accumulate: accumulate, ways: ways)
        } else {
            BLAS.sgemm(MatrixView(base: x, rows: rows, cols: inputs), view, into: y, ldc: ldc,
                       beta: accumulate ? 1 : 0)
        }
    }

    /// `W` as a projection, with its packed copy (kept alive by appending it to `owners`).
    static func make(_ weights: UnsafePointer<Float>, outputs: Int, inputs: Int, owners: inout [Matrix])
        -> MiniLMProjection
    {
        var panels: UnsafePointer<Float>? = nil
        if let packed = MiniLMSmallGEMM.pack(weights, outputs: outputs, inputs: inputs) {
            owners.append(packed)
            panels = UnsafePointer(packed.pointer)
        }
        return MiniLMProjection(weights: weights, outputs: outputs, inputs: inputs, panels: panels)
    }
}
