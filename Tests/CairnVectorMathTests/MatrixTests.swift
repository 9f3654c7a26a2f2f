import CairnVectorMath
import Testing

@Suite("Matrix and MatrixView")
struct MatrixTests {
    @Test("storage is 64-byte aligned and zero-filled")
    func alignment() {
        for (r, c) in [(0, 0), (1, 1), (3, 17), (100, 384)] {
            let m = Matrix(rows: r, cols: c)
            #expect(Int(bitPattern: m.pointer) % 64 == 0)
            #expect(m.toArray().allSatisfy { $0 == 0 })
            #expect(m.count == r * c)
        }
    }

    @Test("rows, elements, fill and copies")
    func rowsAndElements() {
        let m = Matrix(rows: 2, cols: 3, values: [1, 2, 3, 4, 5, 6])
        #expect(m.rowArray(1) == [4, 5, 6])
        #expect(m[0, 2] == 3)
        m[1, 0] = 9
        #expect(m.view[1, 0] == 9)
        #expect(m.row(1)[0] == 9)
        m.setRow(0, [7, 8, 9])
        #expect(m.rowArray(0) == [7, 8, 9])
        let copy = Matrix(copying: m.view)
        m.fill(2)
        #expect(m.toArray() == [2, 2, 2, 2, 2, 2])
        #expect(copy.toArray() == [7, 8, 9, 9, 5, 6])
        let fromRows = Matrix([[1, 2], [3, 4], [5, 6]])
        #expect(fromRows.rows == 3 && fromRows.cols == 2)
        #expect(Matrix([], cols: 5).cols == 5)
    }

    @Test("strided views and sub-ranges")
    func stridedViews() {
        // Two 3-float vectors each preceded by a one-float header, as in an .fvecs record.
        let raw: [Float] = [99, 1, 2, 3, 99, 4, 5, 6]
        raw.withUnsafeBufferPointer { p in
            let v = MatrixView(base: p.baseAddress! + 1, rows: 2, cols: 3, rowStride: 4)
            #expect(!v.isContiguous)
            #expect(v.rowArray(1) == [4, 5, 6])
            #expect(v.rows(1..<2).rowArray(0) == [4, 5, 6])
            #expect(v.rowSquaredNorms() == [14, 77])
            let packed = Matrix(copying: v)
            #expect(packed.toArray() == [1, 2, 3, 4, 5, 6])
        }
    }

    @Test("normalizeRows gives unit rows and leaves zero rows alone")
    func normalize() {
        var rng = TestRNG(seed: 1)
        let m = rng.matrix(rows: 20, cols: 17)
        m.setRow(3, [Float](repeating: 0, count: 17))
        m.normalizeRows()
        let norms = m.rowSquaredNorms()
        for (i, n) in norms.enumerated() {
            if i == 3 { #expect(n == 0) } else { #expect(abs(n - 1) < 1e-5) }
        }
    }
}
