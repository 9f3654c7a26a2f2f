/// SplitMix64: expands one 64-bit seed into well-mixed words; used only to seed ``Xoshiro256``.
struct SplitMix64 {
    private(set) var state: UInt64

    init(seed: UInt64) { state = seed }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 output function: a bijective avalanche of one word.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman and Vigna), the generator behind every synthetic dataset.
///
/// Each `(seed, stream)` pair gives an independent sequence, so rows can be generated in parallel
/// and in any order with identical results. Everything here is integer arithmetic or correctly
/// rounded IEEE operations (`+ - * / sqrt`), so the output is the same on every machine and run.
struct Xoshiro256 {
    private var s0, s1, s2, s3: UInt64

    /// The generator for `stream` under `seed`.
    init(seed: UInt64, stream: UInt64) {
        var sm = SplitMix64(seed: SplitMix64.mix(seed ^ 0x6A09_E667_F3BC_C909) ^ SplitMix64.mix(stream &+ 0x3C6E_F372_FE94_F82B))
        s0 = sm.next()
        s1 = sm.next()
        s2 = sm.next()
        s3 = sm.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform integer in `0..<bound` (multiply-high; the bias is below 2⁻³² for bounds we use).
    @inline(__always)
    mutating func next(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inline(__always)
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Two independent standard normal deviates (Marsaglia's polar method).
    @inline(__always)
    mutating func nextNormalPair() -> (Double, Double) {
        while true {
            let u = 2 * nextUnit() - 1
            let v = 2 * nextUnit() - 1
            let s = u * u + v * v
            if s >= 1 || s == 0 { continue }
            let f = (-2 * portableLog(s) / s).squareRoot()
            return (u * f, v * f)
        }
    }
}

/// Natural logarithm of a positive, finite, normal `x` from IEEE arithmetic alone.
///
/// The platform `log` may differ in the last bit between C libraries; this one cannot, which keeps
/// generated datasets byte-identical everywhere. Absolute error below 1e-12 for x in (0, 1].
@inline(__always)
func portableLog(_ x: Double) -> Double {
    let bits = x.bitPattern
    var e = Int((bits >> 52) & 0x7FF) - 1023
    var m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)  // [1, 2)
    if m > 1.4142135623730951 {
        m *= 0.5
        e += 1
    }
    // ln(m) = 2·atanh(s) with s = (m-1)/(m+1), |s| < 0.172: seven odd terms leave an error below 1e-12,
    // far under the float precision of the generated vectors.
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    var p = 1.0 / 13
    p = p * s2 + 1.0 / 11
    p = p * s2 + 1.0 / 9
    p = p * s2 + 1.0 / 7
    p = p * s2 + 1.0 / 5
    p = p * s2 + 1.0 / 3
    p = p * s2 + 1
    return Double(e) * 0.6931471805599453 + 2 * s * p
}
