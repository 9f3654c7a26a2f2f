/// Sixteen floats: the unit every MiniLM element-wise loop works in (one AVX-512 register, four SSE ones).
typealias FloatVector = SIMD16<Float>

/// Branch-free `exp`, `erf` and GELU on ``FloatVector``s, accurate to about 1e-7.
///
/// The approximations were fitted for this file (weighted least squares iterated towards the minimax
/// error, with the coefficients rounded to `Float`): measured against double precision over every float
/// in [-8, 8], `erf` stays within 1.1e-7 absolute and `exp` within 2 ulp.
enum MiniLMVectorMath {
    /// `1.5 · 2²³`: adding it rounds a float of magnitude below 2²² to an integer, whose value then sits in
    /// the low mantissa bits.
    private static let roundingMagic: Float = 12_582_912
    private static let roundingMagicBits: Int32 = 0x4B40_0000

    /// `eˣ`; lanes below -87 give `e⁻⁸⁷` (about 1.6e-38) instead of underflowing, lanes above 88 give `e⁸⁸`.
    @inline(__always)
    static func exp(_ x: FloatVector) -> FloatVector {
        let x = maximum(minimum(x, 88), -87)
        // x = n·ln2 + r with n an integer and |r| ≤ ln2/2; ln2 split in two so n·ln2 is exact enough.
        let shifted = x * 1.442_695_04 + roundingMagic
        let n = shifted - roundingMagic
        var r = x - n * 0.693_145_751_953_125
        r = r - n * 1.428_606_765_330_187e-6
        var p = r * 0.001_383_677_823_469_042_8 + 0.008_374_802_768_230_438
        p = p * r + 0.041_668_225_079_774_86
        p = p * r + 0.166_664_198_040_962_22
        p = p * r + 0.499_999_910_593_032_84
        p = p * r + 1
        p = p * r + 1
        // 2ⁿ built from its exponent bits: n sits in the low bits of `shifted`.
        let exponent = (unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- roundingMagicBits &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: FloatVector.self)
    }

    /// Where `erf` switches from its series form to its `1 - e^(-z²)·R(z)` form.
    private static let erfSplit: Float = 0.921_875

    /// The error function, |error| ≤ 1.1e-7.
    ///
    /// Below 0.92 in magnitude `erf(z) = z·P(z²)`; above, `erf(z) = 1 - e^(-z²)·Q(1/(1 + 1.5z))`, which
    /// keeps full absolute precision as erf approaches one. Both are evaluated and the right one chosen
    /// per lane, so the loop has no branches.
    @inline(__always)
    static func erf(_ z: FloatVector) -> FloatVector {
        let bits = unsafeBitCast(z, to: SIMD16<UInt32>.self)
        let sign = bits & 0x8000_0000
        let a = unsafeBitCast(bits & 0x7FFF_FFFF, to: FloatVector.self)
        let t = a * a

        var s = t * -0.000_583_508_750_423_789 + 0.004_956_426_098_942_757
        s = s * t - 0.026_735_002_174_973_488
        s = s * t + 0.112_806_223_332_881_93
        s = s * t - 0.376_123_100_519_180_3
        s = s * t + 1.128_379_106_521_606_4
        let small = a * s

        let u = 1 / (a * 1.5 + 1)
        var q = u * -0.015_318_473_801_016_808 + 0.899_885_952_472_686_8
        q = q * u - 1.966_559_171_676_635_7
        q = q * u + 1.339_895_844_459_533_7
        q = q * u + 0.782_003_700_733_184_8
        q = q * u + 0.003_378_315_363_079_309_5
        let large = 1 - exp(-t) * q

        let magnitude = large.replacing(with: small, where: a .< erfSplit)
        return unsafeBitCast(unsafeBitCast(magnitude, to: SIMD16<UInt32>.self) | sign, to: FloatVector.self)
    }

    /// The larger of `a` and `b` per lane (`b` when either is NaN).
    ///
    /// A compare and a blend: the standard library's `pointwiseMax` and `max()` follow IEEE NaN rules
    /// lane by lane and compile to a scalar loop.
    @inline(__always)
    static func maximum(_ a: FloatVector, _ b: Float) -> FloatVector {
        a.replacing(with: b, where: .!(a .> b))
    }

    /// The larger of `a` and `b` per lane.
    @inline(__always)
    static func maximum(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        a.replacing(with: b, where: b .> a)
    }

    /// The smaller of `a` and `b` per lane (`b` when either is NaN).
    @inline(__always)
    static func minimum(_ a: FloatVector, _ b: Float) -> FloatVector {
        a.replacing(with: b, where: .!(a .< b))
    }

    /// The largest lane of `v`, by halving (see ``maximum(_:_:)-(FloatVector,FloatVector)``).
    @inline(__always)
    static func largest(_ v: FloatVector) -> Float {
        let v8 = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)
        let v4 = v8.lowHalf.replacing(with: v8.highHalf, where: v8.highHalf .> v8.lowHalf)
        let v2 = v4.lowHalf.replacing(with: v4.highHalf, where: v4.highHalf .> v4.lowHalf)
        return Swift.max(v2[0], v2[1])
    }

    /// GELU in its exact (erf) form: `x · Φ(x) = x/2 · (1 + erf(x/√2))`.
    @inline(__always)
    static func gelu(_ x: FloatVector) -> FloatVector {
        let half = x * 0.5
        return half + half * erf(x * 0.707_106_781_186_547_5)
    }
}

extension UnsafePointer where Pointee == Float {
    /// The 16 floats starting here (no alignment needed).
    @inline(__always)
    func vector(at offset: Int) -> FloatVector {
        UnsafeRawPointer(self + offset).loadUnaligned(as: FloatVector.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// The 16 floats starting here (no alignment needed).
    @inline(__always)
    func vector(at offset: Int) -> FloatVector {
        UnsafeRawPointer(self + offset).loadUnaligned(as: FloatVector.self)
    }

    /// Overwrites the 16 floats starting here.
    @inline(__always)
    func setVector(_ v: FloatVector, at offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: v, as: FloatVector.self)
    }
}
