@testable import CairnVectorMath
import Testing
import TestSupport

/// The SIMD kernels at every level against the double-precision oracle. Forcing a level is
/// process-wide, so the suite is serialized and always restores the machine's best level.
@Suite("SIMD kernels", .serialized)
struct KernelTests {
    static let lengths = Array(0...70) + [127, 128, 129, 384, 768, 1023]

    @Test("dot and l2sq match the oracle at every level, tails and unaligned starts included", arguments: [0, 1, 2])
    func pairKernels(level: Int32) {
        let inForce = SIMDInfo.force(level: level)
        defer { SIMDInfo.force(level: 2) }
        var rng = TestRNG(seed: UInt64(level) + 11)
        for n in Self.lengths {
            let a = rng.array(n + 1), b = rng.array(n + 1)
            for metric in [Metric.innerProduct, .l2] {
                let kernel = DistanceKernel(metric: metric, dimension: n)
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        // Offset by one float so loads are misaligned.
                        let got = kernel.distance(pa.baseAddress! + 1, pb.baseAddress! + 1)
                        let want = BruteForceOracle.distance(pa.baseAddress! + 1, pb.baseAddress! + 1, dimension: n, metric: metric)
                        #expect(abs(Double(got) - want) <= 1e-5 * (1 + Double(n)), "level \(inForce) n \(n) \(metric)")
                    }
                }
            }
        }
    }

    @Test("many-vector scoring matches single pairs at every level", arguments: [0, 1, 2])
    func manyKernels(level: Int32) {
        SIMDInfo.force(level: level)
        defer { SIMDInfo.force(level: 2) }
        var rng = TestRNG(seed: 77)
        let d = 37
        let base = rng.matrix(rows: 50, cols: d)
        let q = rng.array(d)
        for metric in [Metric.cosine, .l2] {
            let kernel = DistanceKernel(metric: metric, dimension: d)
            let ptrs: [UnsafePointer<Float>?] = (0..<50).map { UnsafePointer(base.row(($0 * 7) % 50)) }
            var out = [Float](repeating: 0, count: 50)
            q.withUnsafeBufferPointer { qp in
                ptrs.withUnsafeBufferPointer { pp in
                    out.withUnsafeMutableBufferPointer { kernel.distances(from: qp.baseAddress!, to: pp.baseAddress!, count: 50, into: $0.baseAddress!) }
                }
                for i in 0..<50 {
                    let want = BruteForceOracle.distance(qp.baseAddress!, base.row((i * 7) % 50), dimension: d, metric: metric)
                    #expect(abs(Double(out[i]) - want) < 1e-4)
                }
            }
        }
    }

    @Test("four-at-once scoring matches the oracle at every level, tails and unaligned starts included", arguments: [0, 1, 2])
    func quadKernels(level: Int32) {
        let inForce = SIMDInfo.force(level: level)
        defer { SIMDInfo.force(level: 2) }
        var rng = TestRNG(seed: UInt64(level) + 29)
        for n in Self.lengths {
            // Five vectors of n floats in one array, each starting one float past a row of n + 1, so no load is
            // aligned.
            let rows = rng.array(5 * (n + 1))
            for metric in [Metric.innerProduct, .cosine, .l2] {
                let kernel = DistanceKernel(metric: metric, dimension: n)
                rows.withUnsafeBufferPointer { p in
                    let start = { (row: Int) in p.baseAddress! + row * (n + 1) + 1 }
                    let q = start(0)
                    let four: [UnsafePointer<Float>?] = (1...4).map { start($0) }
                    var out = [Float](repeating: .nan, count: 4)
                    four.withUnsafeBufferPointer { f in
                        out.withUnsafeMutableBufferPointer { kernel.distances4(from: q, to: f.baseAddress!, into: $0.baseAddress!) }
                    }
                    for j in 0..<4 {
                        let want = BruteForceOracle.distance(q, four[j]!, dimension: n, metric: metric)
                        #expect(abs(Double(out[j]) - want) <= 1e-5 * (1 + Double(n)), "level \(inForce) n \(n) \(metric) vector \(j)")
                    }
                }
            }
        }
    }

    @Test("the threshold filter selects exactly the scores above the bound", arguments: [0, 2])
    func selectAbove(level: Int32) {
        SIMDInfo.force(level: level)
        defer { SIMDInfo.force(level: 2) }
        var rng = TestRNG(seed: 3)
        for n in [0, 1, 15, 16, 17, 100, 4099] {
            let scores = rng.array(n), bias = rng.array(n)
            var idx = [UInt32](repeating: 0, count: n + 1), val = [Float](repeating: 0, count: n + 1)
            for useBias in [false, true] {
                let count = scores.withUnsafeBufferPointer { s in
                    bias.withUnsafeBufferPointer { b in
                        idx.withUnsafeMutableBufferPointer { i in
                            val.withUnsafeMutableBufferPointer { v in
                                Kernels.selectAbove(s.baseAddress ?? UnsafePointer(bitPattern: 64)!, bias: useBias ? b.baseAddress : nil, count: n,
                                                    threshold: 0.1, indices: i.baseAddress!, values: v.baseAddress!)
                            }
                        }
                    }
                }
                let want = (0..<n).filter { scores[$0] - (useBias ? bias[$0] : 0) > 0.1 }
                #expect(Array(idx.prefix(count)).map(Int.init) == want)
                #expect(Array(val.prefix(count)) == want.map { scores[$0] - (useBias ? bias[$0] : 0) })
            }
        }
    }

    @Test("SIMDInfo reports the level in force")
    func info() {
        SIMDInfo.force(level: 0)
        #expect(SIMDInfo.level == "scalar")
        SIMDInfo.force(level: 2)
        #expect(["avx512", "avx2", "scalar"].contains(SIMDInfo.level))
    }
}
