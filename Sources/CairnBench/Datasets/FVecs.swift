public import CairnVectorMath

/// Reading and writing TEXMEX `.fvecs` (float32) and `.ivecs` (int32) files, as used by SIFT, GIST,
/// and most ANN benchmark sets.
///
/// Layout, repeated for each vector with no file header:
///
/// | bytes | content |
/// | --- | --- |
/// | 4 | dimension `d`, little-endian int32 (the same for every vector) |
/// | 4·d | `d` little-endian float32 (.fvecs) or int32 (.ivecs) elements |
///
/// Files are memory-mapped and every dimension word is checked, so a truncated file or one with
/// mixed dimensions fails with a ``DatasetError`` that names the file and the vector index.
/// Writes go to a temporary file that is fsynced and renamed into place.
///
/// ```swift
/// let base = try FVecs.read("sift/base.fvecs")            // Matrix, rows × 128
/// try FVecs.writeIVecs(truth, to: "sift/groundtruth.ivecs")
/// ```
public enum FVecs {
    /// Reads an `.fvecs` file into a matrix (one row per vector).
    ///
    /// - Parameter limit: read only the first `limit` vectors.
    /// - Throws: ``DatasetError`` — user error for a missing file, corruption for a malformed one.
    public static func read(_ path: String, limit: Int? = nil) throws(DatasetError) -> Matrix {
        let mapping = try VecsFile.map(path)
        defer { mapping.close() }
        let (count, dim) = try VecsFile.layout(mapping, path: path, limit: limit)
        let matrix = Matrix(uninitializedRows: count, cols: dim)
        guard let base = mapping.base else { return matrix }
        let record = 4 + 4 * dim
        let dst = UnsafeMutableRawPointer(matrix.pointer)
        for i in 0..<count {
            (dst + i * 4 * dim).copyMemory(from: base + i * record + 4, byteCount: 4 * dim)
        }
        return matrix
    }

    /// Writes the rows of `view` as an `.fvecs` file, replacing any file at `path` atomically.
    ///
    /// - Throws: ``DatasetError`` if the file cannot be written, or for a zero dimension with rows.
    public static func write(_ view: MatrixView, to path: String) throws(DatasetError) {
        if view.rows > 0 && view.cols == 0 {
            throw DatasetError(.userError, path: path, "cannot write vectors of dimension 0")
        }
        try VecsFile.write(path: path, count: view.rows, dimension: view.cols) { UnsafeRawPointer(view.row($0)) }
    }

    /// Writes `matrix` as an `.fvecs` file.
    public static func write(_ matrix: Matrix, to path: String) throws(DatasetError) {
        try write(matrix.view, to: path)
    }

    /// Reads an `.ivecs` file (for example ground-truth neighbour ids), one array per vector.
    ///
    /// - Parameter limit: read only the first `limit` vectors.
    public static func readIVecs(_ path: String, limit: Int? = nil) throws(DatasetError) -> [[Int32]] {
        let mapping = try VecsFile.map(path)
        defer { mapping.close() }
        let (count, dim) = try VecsFile.layout(mapping, path: path, limit: limit)
        guard let base = mapping.base else { return [] }
        let record = 4 + 4 * dim
        var out: [[Int32]] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let p = base + i * record + 4
            out.append([Int32](unsafeUninitializedCapacity: dim) { buf, n in
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(start: p, count: 4 * dim))
                n = dim
            })
        }
        return out
    }

    /// Writes `rows` (all of one length) as an `.ivecs` file, replacing any file at `path` atomically.
    ///
    /// - Throws: ``DatasetError`` (user error) if the rows differ in length or are empty.
    public static func writeIVecs(_ rows: [[Int32]], to path: String) throws(DatasetError) {
        let dim = rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != dim }) {
            throw DatasetError(.userError, path: path, "vector \(bad) has \(rows[bad].count) ids, vector 0 has \(dim)")
        }
        if !rows.isEmpty && dim == 0 {
            throw DatasetError(.userError, path: path, "cannot write vectors of dimension 0")
        }
        let flat = rows.flatMap { $0 }
        let failure = flat.withUnsafeBytes { bytes -> DatasetError? in
            let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 4)!
            do throws(DatasetError) {
                try VecsFile.write(path: path, count: rows.count, dimension: dim) { base + $0 * 4 * dim }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }
}
