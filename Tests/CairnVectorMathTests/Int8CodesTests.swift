@testable import CairnVectorMath
import Testing
import TestSupport

/// The int8 code rows of the quantized index walk: encoding bounds, the exact integer dot product at every
/// SIMD level (VNNI where the CPU has it), and distances close to the float ones.
@Suite("int8 codes", .serialized)
struct Int8CodesTests {
    static let lengths = Array(0...70) + [127, 128, 129, 200, 384, 768, 1023]

    static func row(_ v: [Float]) -> [UInt8] {
        var row = [UInt8](repeating: 0xAA, count: Int8Codes.rowBytes(dimension: v.count))
        v.withUnsafeBufferPointer { vp in row.withUnsafeMutableBytes { Int8Codes.encode(vp, into: $0.baseAddress!) } }
        return row
    }

    static func codes(_ row: [UInt8], _ n: Int) -> [Int8] { row[8..<(8 + n)].map { Int8(bitPattern: $0) } }

    static func float(_ row: [UInt8], at offset: Int) -> Float {
        Float(bitPattern: UInt32(row[offset]) | UInt32(row[offset + 1]) << 8 | UInt32(row[offset + 2]) << 16
            | UInt32(row[offset + 3]) << 24)
    }

    @Test("rows are 16-byte multiples; codes stay in [-127, 127] within half a step of x / scale; padding is zero")
    func encoding() {
        var rng = TestRNG(seed: 5)
        for n in Self.lengths {
            #expect(Int8Codes.rowBytes(dimension: n) % 16 == 0 && Int8Codes.rowBytes(dimension: n) >= 8 + n)
            let v = rng.array(n).map { $0 * 3 }
            let row = Self.row(v)
            let scale = Self.float(row, at: 0), norm2 = Self.float(row, at: 4)
            let maxabs = v.map(abs).max() ?? 0
            #expect(abs(scale - maxabs / 127) <= 1e-6 * max(1, maxabs))
            #expect(abs(Double(norm2) - v.reduce(0.0) { $0 + Double($1) * Double($1) }) <= 1e-4 * (1 + Double(n)))
            for (x, c) in zip(v, Self.codes(row, n)) {
                #expect(c >= -127)
                if scale > 0 { #expect(abs(x / scale - Float(c)) <= 0.5 + 1e-3, "n \(n): \(x) → \(c)") }
            }
            #expect(row[(8 + n)...].allSatisfy { $0 == 0 }, "padding of n \(n)")
        }
        let zero = Self.row([Float](repeating: 0, count: 40))
        #expect(Self.float(zero, at: 0) == 0 && Self.codes(zero, 40).allSatisfy { $0 == 0 })
    }

    @Test("the code dot product is exact at every level, unaligned starts and extreme codes included", arguments: [0, 1, 2])
    func dot(level: Int32) {
        SIMDInfo.force(level: level)
        defer { SIMDInfo.force(level: 2) }
        var rng = TestRNG(seed: UInt64(level) + 21)
        for n in Self.lengths {
            var a = (0...n).map { _ in Int8(rng.int(255) - 127) }
            var b = (0...n).map { _ in Int8(rng.int(255) - 127) }
            if n > 3 { a[1] = 127; b[1] = 127; a[2] = -127; b[2] = 127; a[3] = -127; b[3] = -127 }
            let want = (0..<n).reduce(Int32(0)) { $0 + Int32(a[$1 + 1]) * Int32(b[$1 + 1]) }
            let got = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in Int8Codes.dot(pa.baseAddress! + 1, pb.baseAddress! + 1, count: n) }
            }
            #expect(got == want, "level \(Int8Codes.level) n \(n)")
        }
        // All codes ±127: the largest magnitudes, where a saturating 16-bit step would show.
        let full = [Int8](repeating: 127, count: 1023), negative = [Int8](repeating: -127, count: 1023)
        let extreme = full.withUnsafeBufferPointer { f in
            negative.withUnsafeBufferPointer { Int8Codes.dot(f.baseAddress!, $0.baseAddress!, count: 1023) }
        }
        #expect(extreme == -127 * 127 * 1023)
    }

    @Test("distances of code rows are close to the float distances, for each metric", arguments: [0, 1, 2])
    func distances(level: Int32) {
        SIMDInfo.force(level: level)
        defer { SIMDInfo.force(level: 2) }
        var rng = TestRNG(seed: 9)
        let n = 384
        for metric in [Metric.cosine, .innerProduct, .l2] {
            let kernel = DistanceKernel(metric: metric, dimension: n)
            for _ in 0..<50 {
                var a = rng.array(n), b = rng.array(n)
                if metric == .cosine {
                    a.withUnsafeMutableBufferPointer { _ = normalize($0.baseAddress!, count: n) }
                    b.withUnsafeMutableBufferPointer { _ = normalize($0.baseAddress!, count: n) }
                }
                let ra = Self.row(a), rb = Self.row(b)
                let approx = ra.withUnsafeBytes { pa in
                    rb.withUnsafeBytes { Int8Codes.distance(pa.baseAddress!, $0.baseAddress!, dimension: n, metric: metric) }
                }
                let exact = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { kernel.distance(pa.baseAddress!, $0.baseAddress!) } }
                // Each code is within half a step: the dot product moves by at most about
                // Σ (|a_i| s_b + |b_i| s_a) / 2, a few thousandths of the vectors' norms here.
                let bound: Float = metric == .cosine ? 0.01 : 0.01 * Float(n) / 3
                #expect(abs(approx - exact) <= bound, "\(metric): \(approx) vs \(exact)")
            }
        }
    }

    @Test("the level name follows the forced level")
    func level() {
        SIMDInfo.force(level: 0)
        #expect(Int8Codes.level == "scalar")
        SIMDInfo.force(level: 2)
        #expect(["avx512-vnni", "avx2", "scalar"].contains(Int8Codes.level))
    }
}
