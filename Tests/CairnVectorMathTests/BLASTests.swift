import CairnVectorMath
import Testing

@Suite("BLAS and BLASInfo")
struct BLASTests {
    /// Naive C = alpha·A·Bᵀ + beta·C in double precision.
    func naive(_ a: MatrixView, _ b: MatrixView, _ c: [Float], alpha: Float, beta: Float) -> [Double] {
        var out = [Double](repeating: 0, count: a.rows * b.rows)
        for i in 0..<a.rows {
            for j in 0..<b.rows {
                var s = 0.0
                for t in 0..<a.cols { s += Double(a[i, t]) * Double(b[j, t]) }
                out[i * b.rows + j] = Double(alpha) * s + Double(beta) * Double(c[i * b.rows + j])
            }
        }
        return out
    }

    @Test("sgemm computes alpha·A·Bᵀ + beta·C", arguments: [(1, 1, 1), (3, 5, 7), (17, 33, 384), (64, 2, 3)])
    func sgemm(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = TestRNG(seed: UInt64(m * 1000 + n))
        let a = rng.matrix(rows: m, cols: k), b = rng.matrix(rows: n, cols: k)
        let c0 = rng.array(m * n)
        for (alpha, beta) in [(Float(1), Float(0)), (2, 0.5), (-1, 1)] {
            var c = c0
            c.withUnsafeMutableBufferPointer { BLAS.sgemm(a.view, b.view, into: $0.baseAddress!, ldc: n, alpha: alpha, beta: beta) }
            let want = naive(a.view, b.view, c0, alpha: alpha, beta: beta)
            for (x, y) in zip(c, want) { #expect(abs(Double(x) - y) < 1e-4 * Double(k)) }
        }
    }

    @Test("sgemm honours row strides and ldc; empty shapes do nothing")
    func stridesAndEmpty() {
        var rng = TestRNG(seed: 9)
        let wide = rng.matrix(rows: 4, cols: 10)
        let a = MatrixView(base: wide.pointer + 1, rows: 4, cols: 6, rowStride: 10)
        let b = Matrix(copying: a)
        var c = [Float](repeating: -7, count: 4 * 8)  // ldc 8 > n 4: the padding must survive
        c.withUnsafeMutableBufferPointer { BLAS.sgemm(a, b.view, into: $0.baseAddress!, ldc: 8) }
        let want = naive(a, b.view, [Float](repeating: 0, count: 16), alpha: 1, beta: 0)
        for i in 0..<4 {
            for j in 0..<4 { #expect(abs(Double(c[i * 8 + j]) - want[i * 4 + j]) < 1e-5) }
            for j in 4..<8 { #expect(c[i * 8 + j] == -7) }
        }
        let empty = Matrix(rows: 0, cols: 6)
        c.withUnsafeMutableBufferPointer { BLAS.sgemm(empty.view, b.view, into: $0.baseAddress!, ldc: 8) }
        #expect(c[0] == Float(want[0]) || abs(Double(c[0]) - want[0]) < 1e-5)
        // k = 0: the product is empty, so C = beta·C.
        let z1 = Matrix(rows: 2, cols: 0), z2 = Matrix(rows: 3, cols: 0)
        var d: [Float] = [1, 2, 3, 4, 5, 6]
        d.withUnsafeMutableBufferPointer { BLAS.sgemm(z1.view, z2.view, into: $0.baseAddress!, ldc: 3, beta: 2) }
        #expect(d == [2, 4, 6, 8, 10, 12])
    }

    @Test("sgemv scores one query against every row")
    func sgemv() {
        var rng = TestRNG(seed: 5)
        let b = rng.matrix(rows: 37, cols: 19)
        let x = rng.array(19)
        var y = [Float](repeating: 1, count: 37)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { BLAS.sgemv(b.view, xp.baseAddress!, into: $0.baseAddress!, alpha: 2, beta: 1) }
        }
        for i in 0..<37 {
            var s = 0.0
            for t in 0..<19 { s += Double(b[i, t]) * Double(x[t]) }
            #expect(abs(Double(y[i]) - (2 * s + 1)) < 1e-4)
        }
    }

    @Test("BLASInfo names the OpenBLAS core and controls its threads")
    func info() {
        #expect(BLASInfo.coreName != "unknown")
        #expect(!BLASInfo.coreName.isEmpty)
        #expect(BLASInfo.configuration?.contains("OpenBLAS") == true)
        let before = try! #require(BLASInfo.threads)
        #expect(before >= 1)
        #expect(BLASInfo.summary.contains(BLASInfo.coreName))
    }

    @Test("warnings for a forced or fallen-back slower OpenBLAS core")
    func warnings() {
        let forced = BLASInfo.warning(coreTypeSetting: "Haswell", runningCore: "Haswell", cpuLevel: 2)
        #expect(forced == "OPENBLAS_CORETYPE=Haswell holds OpenBLAS to AVX2 kernels on a CPU with AVX-512; unset it for full speed")
        #expect(BLASInfo.warning(coreTypeSetting: "SkylakeX", runningCore: "SkylakeX", cpuLevel: 2) == nil)
        #expect(BLASInfo.warning(coreTypeSetting: "Haswell", runningCore: "Haswell", cpuLevel: 1) == nil)
        #expect(BLASInfo.warning(coreTypeSetting: "Prescott", runningCore: "Prescott", cpuLevel: 1)?.contains("SSE") == true)
        #expect(BLASInfo.warning(coreTypeSetting: "", runningCore: "SkylakeX", cpuLevel: 2) == nil)
        #expect(BLASInfo.warning(coreTypeSetting: "NoSuchCore", runningCore: "SkylakeX", cpuLevel: 2) == nil)

        let fallback = BLASInfo.warning(coreTypeSetting: nil, runningCore: "Prescott", cpuLevel: 2)
        #expect(fallback?.contains("OPENBLAS_CORETYPE=SkylakeX") == true)
        #expect(BLASInfo.recommendedCoreType(coreTypeSetting: nil, runningCore: "Prescott", cpuLevel: 2) == "SkylakeX")
        #expect(BLASInfo.recommendedCoreType(coreTypeSetting: nil, runningCore: "Prescott", cpuLevel: 1) == "Haswell")
        #expect(BLASInfo.recommendedCoreType(coreTypeSetting: nil, runningCore: "SkylakeX", cpuLevel: 2) == nil)
        #expect(BLASInfo.recommendedCoreType(coreTypeSetting: "Haswell", runningCore: "Haswell", cpuLevel: 2) == nil)
        // Whatever this machine runs, the live values are consistent with each other.
        #expect((BLASInfo.recommendedCoreType != nil) == (BLASInfo.warning?.contains("does not recognise") == true))
    }
}
