import CBLAS

/// Thin Swift over the CBLAS routines the searches need, all row-major.
///
/// This is the only place in Cairn that calls into BLAS. Shapes are checked here (a BLAS that is
/// handed a bad leading dimension prints to stderr and may abort the process), and empty shapes are
/// handled without calling BLAS at all.
///
/// ```swift
/// // scores[i][j] = q_i · x_j for 256 queries against a tile of 4096 vectors
/// BLAS.sgemm(queries, tile, into: scores, ldc: 4096)
/// ```
public enum BLAS {
    /// `C = alpha · A · Bᵀ + beta · C` with A (m×k), B (n×k) and C (m×n, row stride `ldc`).
    ///
    /// With A the queries and B base vectors this is the m×n matrix of dot products.
    /// - Parameters:
    ///   - a: m rows of k floats.
    ///   - b: n rows of k floats (same `cols` as `a`).
    ///   - c: the output, `m` rows of at least `n` floats, `ldc` floats apart.
    ///   - alpha: scales the product.
    ///   - beta: scales the previous contents of `c` (0 ignores them, even if they are NaN).
    public static func sgemm(
        _ a: MatrixView, _ b: MatrixView, into c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        precondition(a.cols == b.cols, "BLAS.sgemm: A has \(a.cols) columns, B has \(b.cols)")
        let m = a.rows, n = b.rows, k = a.cols
        precondition(ldc >= n, "BLAS.sgemm: ldc \(ldc) < n \(n)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            scale(c, rows: m, cols: n, ld: ldc, by: beta)
            return
        }
        precondition(fitsBLASInt(m, n, k, a.rowStride, b.rowStride, ldc), "BLAS.sgemm: shape exceeds 32-bit BLAS")
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha,
            a.base, Int32(a.rowStride), b.base, Int32(b.rowStride), beta, c, Int32(ldc))
    }

    /// `y = alpha · B · x + beta · y` with B (n×k), x (k) and y (n): the scores of one query.
    ///
    /// - Parameters:
    ///   - b: n rows of k floats.
    ///   - x: k floats.
    ///   - y: n floats.
    ///   - alpha: scales the product.
    ///   - beta: scales the previous contents of `y` (0 ignores them).
    public static func sgemv(
        _ b: MatrixView, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0
    ) {
        let n = b.rows, k = b.cols
        if n == 0 { return }
        if k == 0 {
            scale(y, rows: 1, cols: n, ld: n, by: beta)
            return
        }
        precondition(fitsBLASInt(n, k, b.rowStride), "BLAS.sgemv: shape exceeds 32-bit BLAS")
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b.base, Int32(b.rowStride), x, 1, beta, y, 1)
    }

    /// Multiplies (or, for 0, clears) an m×n block in place.
    private static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int, by beta: Float) {
        for i in 0..<rows {
            let r = c + i * ld
            if beta == 0 {
                r.update(repeating: 0, count: cols)
            } else {
                for j in 0..<cols { r[j] *= beta }
            }
        }
    }

    private static func fitsBLASInt(_ values: Int...) -> Bool {
        values.allSatisfy { $0 <= Int(Int32.max) }
    }
}
