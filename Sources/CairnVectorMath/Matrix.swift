/// An owned, 64-byte-aligned, row-major buffer of `rows × cols` floats.
///
/// `Matrix` is the unit that BLAS calls, dataset readers and generators exchange. Rows are densely
/// packed (`rowStride == cols`), so a matrix can be written as one block and handed to `sgemm` as is.
/// Hot loops take ``pointer`` or ``view`` once and index the raw memory; no per-element ARC or bounds
/// checks are involved.
///
/// A `Matrix` is a reference type: copies share the buffer. It is `Sendable` so that read-only use may
/// cross tasks; concurrent writers must partition the rows they touch.
///
/// ```swift
/// let m = Matrix(rows: 1000, cols: 384)
/// m.fill(0.5)
/// m.normalizeRows()
/// let scores = ExactSearch.search(queries: q.view, blocks: [.init(view: m.view, firstID: 0)],
///                                 k: 10, metric: .cosine)
/// ```
public final class Matrix: @unchecked Sendable {
    /// The number of rows (vectors).
    public let rows: Int
    /// The number of columns (the dimension).
    public let cols: Int
    /// The first float of row 0; aligned to 64 bytes, valid for `rows * cols` floats.
    public let pointer: UnsafeMutablePointer<Float>

    /// The alignment of ``pointer`` in bytes (one cache line, one AVX-512 register).
    public static let alignment = 64

    /// A matrix whose contents are unspecified; use when every element is written next.
    public init(uninitializedRows rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative shape \(rows)×\(cols)")
        let (count, overflow) = rows.multipliedReportingOverflow(by: cols)
        precondition(!overflow && count <= Int.max / 8, "Matrix: shape \(rows)×\(cols) is too large")
        let bytes = max(count * MemoryLayout<Float>.stride, Matrix.alignment)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Matrix.alignment)
        self.pointer = raw.bindMemory(to: Float.self, capacity: bytes / MemoryLayout<Float>.stride)
        self.rows = rows
        self.cols = cols
    }

    /// A matrix of `rows × cols` floats, all set to `value` (zero by default).
    public convenience init(rows: Int, cols: Int, repeating value: Float = 0) {
        self.init(uninitializedRows: rows, cols: cols)
        fill(value)
    }

    /// A matrix filled row by row from `values` (`rows * cols` floats).
    public convenience init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "Matrix: \(values.count) values for \(rows)×\(cols)")
        self.init(uninitializedRows: rows, cols: cols)
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { pointer.update(from: s, count: src.count) }
        }
    }

    /// A matrix whose rows are `rows` (all of the same length, which becomes ``cols``).
    ///
    /// - Parameter cols: the dimension, needed only when `rows` is empty.
    public convenience init(_ rows: [[Float]], cols: Int? = nil) {
        let d = rows.first?.count ?? cols ?? 0
        self.init(uninitializedRows: rows.count, cols: d)
        for (i, r) in rows.enumerated() {
            precondition(r.count == d, "Matrix: row \(i) has \(r.count) values, expected \(d)")
            r.withUnsafeBufferPointer { src in
                if let s = src.baseAddress { (pointer + i * d).update(from: s, count: d) }
            }
        }
    }

    /// A copy of the rows of `view`, densely packed.
    public convenience init(copying view: MatrixView) {
        self.init(uninitializedRows: view.rows, cols: view.cols)
        if view.isContiguous {
            pointer.update(from: view.base, count: view.rows * view.cols)
        } else {
            for i in 0..<view.rows { row(i).update(from: view.row(i), count: cols) }
        }
    }

    deinit {
        UnsafeMutableRawPointer(pointer).deallocate()
    }

    /// The number of floats held (`rows * cols`).
    public var count: Int { rows * cols }

    /// A borrowed view of the whole matrix, valid while this matrix is alive.
    public var view: MatrixView { MatrixView(base: pointer, rows: rows, cols: cols, rowStride: cols) }

    /// The first float of row `i`.
    @inlinable @inline(__always)
    public func row(_ i: Int) -> UnsafeMutablePointer<Float> { pointer + i &* cols }

    /// Element `(row, col)`; for tests and set-up code, not for hot loops.
    public subscript(row: Int, col: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Matrix: index out of range")
            return pointer[row * cols + col]
        }
        set {
            precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Matrix: index out of range")
            pointer[row * cols + col] = newValue
        }
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        pointer.update(repeating: value, count: count)
    }

    /// Overwrites row `i` with `values` (``cols`` floats).
    public func setRow(_ i: Int, _ values: UnsafePointer<Float>) {
        precondition(i >= 0 && i < rows, "Matrix: row \(i) outside 0..<\(rows)")
        row(i).update(from: values, count: cols)
    }

    /// Overwrites row `i` with `values`.
    public func setRow(_ i: Int, _ values: [Float]) {
        precondition(values.count == cols, "Matrix: \(values.count) values for a row of \(cols)")
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { setRow(i, s) }
        }
    }

    /// Row `i` copied into an array; for tests and small data.
    public func rowArray(_ i: Int) -> [Float] { view.rowArray(i) }

    /// All elements, row by row, copied into an array; for tests and small data.
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Scales every row to unit L2 norm in place (all-zero rows stay zero).
    public func normalizeRows() {
        for i in 0..<rows { _ = Kernels.normalize(row(i), count: cols) }
    }

    /// Squared L2 norm of every row.
    public func rowSquaredNorms() -> [Float] { view.rowSquaredNorms() }
}
