@testable import CairnEmbedding
import CairnVectorMath
import Foundation
import Testing

/// The element-wise kernels against double-precision references.
@Suite struct MiniLMKernelTests {
    /// Applies `f` to `inputs` sixteen at a time.
    private func map(_ inputs: [Float], _ f: (FloatVector) -> FloatVector) -> [Float] {
        var out = [Float](repeating: 0, count: inputs.count)
        var i = 0
        while i < inputs.count {
            var v = FloatVector()
            for l in 0..<FloatVector.scalarCount { v[l] = inputs[min(i + l, inputs.count - 1)] }
            let r = f(v)
            for l in 0..<FloatVector.scalarCount where i + l < inputs.count { out[i + l] = r[l] }
            i += FloatVector.scalarCount
        }
        return out
    }

    private func grid(_ lo: Float, _ hi: Float, count: Int) -> [Float] {
        (0..<count).map { lo + (hi - lo) * Float($0) / Float(count - 1) }
    }

    @Test func erfIsAccurateAcrossTheRange() {
        let zs = grid(-9, 9, count: 36_001) + [0, -0.0, 1e-30, -1e-30, .infinity, -.infinity]
        let got = map(zs, MiniLMVectorMath.erf)
        var worst = 0.0, worstAwayFromZero = 0.0
        for (z, e) in zip(zs, got) {
            let err = abs(Double(e) - Foundation.erf(Double(z)))
            worst = max(worst, err)
            if abs(z) > 0.5 { worstAwayFromZero = max(worstAwayFromZero, err) }
        }
        #expect(worst <= 3e-7, "max |erf error| \(worst)")
        #expect(worstAwayFromZero <= 1.6e-7, "max |erf error| for |z| > 0.5: \(worstAwayFromZero)")
    }

    @Test func geluMatchesTheErfFormula() {
        let xs = grid(-12, 12, count: 48_001)
        let got = map(xs, MiniLMVectorMath.geluPolynomial)
        var worst = 0.0
        for (x, g) in zip(xs, got) {
            let want = 0.5 * Double(x) * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
            worst = max(worst, abs(Double(g) - want) / max(1, abs(want)))
        }
        #expect(worst <= 2.5e-7, "max GELU error \(worst)")
    }

    @Test func expIsAccurateBelowZero() {
        let xs = grid(-87, 0, count: 87_001)
        let got = map(xs, MiniLMVectorMath.expNonPositive)
        var worst = 0.0
        for (x, e) in zip(xs, got) { worst = max(worst, abs(Double(e) / Foundation.exp(Double(x)) - 1)) }
        #expect(worst <= 2.5e-7, "max relative exp error \(worst)")
        #expect(map([-1000, -.infinity], MiniLMVectorMath.expNonPositive).allSatisfy { $0 >= 0 && $0 < 1e-37 })
    }

    @Test func softmaxRowsAndHeadScaling() {
        let n = 21, stride = MiniLMWorkspace.scoreStride(n)
        var scores = [Float](repeating: .nan, count: n * stride)
        for i in 0..<n { for j in 0..<n { scores[i * stride + j] = Float((i * 7 + j * 3) % 11) - 5 + Float(i) * 10 } }
        let original = scores
        var sums = [Float](repeating: 0, count: n)
        scores.withUnsafeMutableBufferPointer { s in
            sums.withUnsafeMutableBufferPointer { MiniLMKernels.softmaxRows(s.baseAddress!, count: n, stride: stride, inverseSums: $0.baseAddress!) }
        }
        for i in 0..<n {
            let row = (0..<n).map { Double(original[i * stride + $0]) }
            let peak = row.max()!
            let total = row.reduce(0) { $0 + Foundation.exp($1 - peak) }
            for j in 0..<n {
                let want = Foundation.exp(row[j] - peak) / total
                #expect(abs(Double(scores[i * stride + j] * sums[i]) - want) < 1e-6)
            }
        }
        var context = [Float](repeating: 2, count: n * 384)
        context.withUnsafeMutableBufferPointer { c in
            sums.withUnsafeBufferPointer { MiniLMKernels.scaleHeadRows(c.baseAddress! + 32, rows: n, stride: 384, factors: $0.baseAddress!) }
        }
        #expect(context[0] == 2 && context[31] == 2 && context[64] == 2)
        #expect(context[32] == 2 * sums[0] && context[384 + 63] == 2 * sums[1])
    }

    @Test func layerNormMatchesDoublePrecision() {
        let width = 384, rows = 3
        var x = (0..<(rows * width)).map { Float(sin(Double($0) * 0.37) * 3 + Double($0 % 5)) }
        let bias = (0..<width).map { Float($0 % 7) * 0.1 }
        let scale = (0..<width).map { 1 + Float($0 % 3) * 0.5 }
        let shift = (0..<width).map { Float($0 % 4) * -0.25 }
        let input = x
        x.withUnsafeMutableBufferPointer { p in
            MiniLMKernels.addBiasLayerNorm(p.baseAddress!, rows: rows, width: width, bias: bias, scale: scale, shift: shift)
        }
        for r in 0..<rows {
            let v = (0..<width).map { Double(input[r * width + $0]) + Double(bias[$0]) }
            let mean = v.reduce(0, +) / Double(width)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
            for j in 0..<width {
                let want = (v[j] - mean) / (variance + 1e-12).squareRoot() * Double(scale[j]) + Double(shift[j])
                #expect(abs(Double(x[r * width + j]) - want) < 2e-5)
            }
        }
    }

    @Test func meanPoolingNormalisesAndTransposeTransposes() {
        let x: [Float] = (0..<(3 * 384)).map { Float($0 % 384) - 100 }
        var out = [Float](repeating: .nan, count: 384)
        out.withUnsafeMutableBufferPointer { MiniLMKernels.meanPoolNormalized(x, rows: 3, width: 384, into: $0.baseAddress!) }
        var squares = 0.0
        for j in 0..<384 { squares += Double(j - 100) * Double(j - 100) }
        let norm = squares.squareRoot()
        var worst = 0.0
        for j in 0..<384 { worst = max(worst, abs(Double(out[j]) - Double(j - 100) / norm)) }
        #expect(worst < 1e-6)
        var zeros = [Float](repeating: 1, count: 384)
        zeros.withUnsafeMutableBufferPointer {
            MiniLMKernels.meanPoolNormalized([Float](repeating: 0, count: 384), rows: 1, width: 384, into: $0.baseAddress!)
        }
        #expect(zeros.allSatisfy { $0 == 0 })

        let m: [Float] = (0..<6).map(Float.init)
        var t = [Float](repeating: 0, count: 6)
        t.withUnsafeMutableBufferPointer { MiniLMKernels.transpose(m, rows: 2, cols: 3, into: $0.baseAddress!) }
        #expect(t == [0, 3, 1, 4, 2, 5])
    }

    /// The projection (the small-batch kernel up to 32 rows, at every SIMD level and split over 1–3 threads;
    /// BLAS above) against BLAS.
    @Test(arguments: [1, 7, 12, 13, 32, 33, 100])
    func projectionMatchesBLASForAnyRowCount(rows: Int) {
        let outputs = 48, inputs = 40
        let w = Matrix(rows: outputs, cols: inputs, values: (0..<(outputs * inputs)).map { Float(($0 * 37) % 17) * 0.1 - 0.8 })
        let x = Matrix(rows: rows, cols: inputs, values: (0..<(rows * inputs)).map { Float(($0 * 11) % 13) * 0.2 - 1 })
        var owners: [Matrix] = []
        let projection = MiniLMProjection.make(UnsafePointer(w.pointer), outputs: outputs, inputs: inputs, owners: &owners)
        #expect(projection.panels != nil)
        #expect(projection.usesSmallKernel(rows: rows) == (rows <= MiniLMSmallGEMM.maxRows))
        let want = Matrix(rows: rows, cols: outputs)
        BLAS.sgemm(x.view, w.view, into: want.pointer, ldc: outputs)
        defer { _ = SIMDInfo.force(level: -1) }
        for level: Int32 in [2, 1, 0] {
            _ = SIMDInfo.force(level: level)
            for ways in 1...3 {
                let got = Matrix(rows: rows, cols: outputs, repeating: 1)
                projection.apply(x.pointer, rows: rows, into: got.pointer, ldc: outputs, accumulate: true, ways: ways)
                var worst: Float = 0
                for i in 0..<(rows * outputs) { worst = max(worst, abs(got.pointer[i] - (want.pointer[i] + 1))) }
                projection.apply(x.pointer, rows: rows, into: got.pointer, ldc: outputs, ways: ways)
                for i in 0..<(rows * outputs) { worst = max(worst, abs(got.pointer[i] - want.pointer[i])) }
                #expect(worst < 1e-4, "SIMD level \(level), \(ways) way(s): max |Δ| \(worst)")
            }
        }
    }
}
