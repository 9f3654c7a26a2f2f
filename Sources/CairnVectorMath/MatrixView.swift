/// A borrowed, read-only row-major view of `rows × cols` floats.
///
/// A view does not own its memory: whoever hands it out (a ``Matrix``, a memory-mapped file, an index
/// arena) must keep that memory alive and unchanged while the view is used. Rows start `rowStride` floats
/// apart, so a view can describe a sub-range of rows or vectors stored with a per-row header.
///
/// ```swift
/// let m = Matrix(rows: 2, cols: 3, values: [1, 2, 3, 4, 5, 6])
/// let v = m.view
/// v.row(1)[2]   // 6
/// ```
public struct MatrixView: @unchecked Sendable {
    /// The first float of row 0.
    public let base: UnsafePointer<Float>
    /// The number of rows (vectors).
    public let rows: Int
    /// The number of columns (the dimension).
    public let cols: Int
    /// The distance between consecutive rows, in floats (≥ `cols`).
    public let rowStride: Int

    /// A view over `rows` rows of `cols` floats whose starts are `rowStride` floats apart.
    ///
    /// `rowStride` defaults to `cols` (densely packed rows).
    public init(base: UnsafePointer<Float>, rows: Int, cols: Int, rowStride: Int? = nil) {
        let stride = rowStride ?? cols
        precondition(rows >= 0 && cols >= 0, "MatrixView: negative shape \(rows)×\(cols)")
        precondition(stride >= cols, "MatrixView: row stride \(stride) is smaller than cols \(cols)")
        self.base = base
        self.rows = rows
        self.cols = cols
        self.rowStride = stride
    }

    /// The first float of row `i`.
    @inlinable @inline(__always)
    public func row(_ i: Int) -> UnsafePointer<Float> { base + i &* rowStride }

    /// Element `(row, col)`; for tests and diagnostics, not for hot loops.
    public subscript(row: Int, col: Int) -> Float {
        precondition(row >= 0 && row < rows && col >= 0 && col < cols, "MatrixView: index out of range")
        return base[row * rowStride + col]
    }

    /// The view of rows `range` of this view.
    public func rows(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "MatrixView: rows \(range) outside 0..<\(rows)")
        return MatrixView(base: base + range.lowerBound * rowStride, rows: range.count, cols: cols, rowStride: rowStride)
    }

    /// Whether rows follow one another without gaps (`rowStride == cols`).
    public var isContiguous: Bool { rowStride == cols || rows <= 1 }

    /// Row `i` copied into an array; for tests and small data.
    public func rowArray(_ i: Int) -> [Float] {
        precondition(i >= 0 && i < rows, "MatrixView: row \(i) outside 0..<\(rows)")
        return Array(UnsafeBufferPointer(start: row(i), count: cols))
    }

    /// Squared L2 norm of every row, written to `out` (room for `rows` floats).
    public func rowSquaredNorms(into out: UnsafeMutablePointer<Float>) {
        let dot = Kernels.dot()
        for i in 0..<rows {
            let r = row(i)
            out[i] = dot(r, r, cols)
        }
    }

    /// Squared L2 norm of every row.
    public func rowSquaredNorms() -> [Float] {
        [Float](unsafeUninitializedCapacity: rows) { buf, n in
            if let b = buf.baseAddress { rowSquaredNorms(into: b) }
            n = rows
        }
    }
}
