import Foundation

/// Sixteen floats: the unit every MiniLM element-wise loop works in (one AVX-512 register, four SSE ones).
typealias FloatVector = SIMD16<Float>
/// ``FloatVector``'s bits as signed integers.
typealias IntVector = SIMD16<Int32>
/// ``FloatVector``'s bits as unsigned integers.
typealias BitsVector = SIMD16<UInt32>

/// Branch-free `exp`, `erf` and GELU on ``FloatVector``s, accurate to 3e-7 or better.
///
/// The approximations were fitted for this file (weighted least squares iterated towards the minimax
/// error, coefficients rounded to `Float`); `MiniLMKernelTests` measures them against double precision.
/// Everything is compare-and-blend, no branches, and the standard library's NaN-aware `pointwiseMin`,
/// `pointwiseMax` and `max()` are avoided: they compile to scalar loops.
enum MiniLMVectorMath {
    /// `1.5 · 2²³`: adding it rounds a float of magnitude below 2²² to an integer, whose value then sits in
    /// the low mantissa bits.
    private static let roundingMagic: Float = 12_582_912
    private static let roundingMagicBits: Int32 = 0x4B40_0000

    /// `eˣ` for `x ≤ 0` (softmax after subtracting the maximum, `e^(-z²)` in erf), within 2.5e-7 relative;
    /// lanes below -87 give about `e⁻⁸⁷` instead of underflowing.
    @inline(__always) @_optimize(speed)
    static func expNonPositive(_ x: FloatVector) -> FloatVector {
        let x = maximum(x, -87)
        // x = n·ln2 + r with n an integer and |r| ≤ ln2/2. ln2 is split in two (Cody–Waite) so that n·ln2
        // stays exact without a fused multiply-add.
        let shifted = x * 1.442_695_04 + roundingMagic
        let n = shifted - roundingMagic
        var r = x - n * 0.693_145_751_953_125
        r = r - n * 1.428_606_765_330_187e-6
        var p = r * 0.008_297_594_264_149_666 + 0.041_915_267_705_917_36
        p = p * r + 0.166_675_746_440_887_45
        p = p * r + 0.499_988_973_140_716_55
        p = p * r + 0.999_999_701_976_776_1
        p = p * r + 1.000_000_119_209_289_6
        // 2ⁿ built from its exponent bits: n sits in the low bits of `shifted`.
        let exponent = (unsafeBitCast(shifted, to: IntVector.self) &- roundingMagicBits &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: FloatVector.self)
    }

    /// The error function: within 3e-7 absolute (1.5e-7 for |z| > 0.5, where GELU magnifies it).
    ///
    /// `erf(z) = 1 - e^(-z²)·Q(1/(1 + z/2))` for z ≥ 0 and odd symmetry, with Q a degree-6 polynomial
    /// fitted to minimise the error of `z·erf(z)`, i.e. of GELU: near zero, where the subtraction from 1
    /// costs the most, GELU multiplies the error by x, and GELU stays within 2e-7 (relative, absolute
    /// below 1) everywhere.
    @inline(__always) @_optimize(speed)
    static func erf(_ z: FloatVector) -> FloatVector {
        let bits = unsafeBitCast(z, to: BitsVector.self)
        let sign = bits & 0x8000_0000
        let a = unsafeBitCast(bits & 0x7FFF_FFFF, to: FloatVector.self)
        let u = 1 / (a * 0.5 + 1)
        var q = u * 0.094_234_682_619_571_69 - 0.584_520_339_965_820_3
        q = q * u + 1.189_288_973_808_288_6
        q = q * u - 0.524_202_585_220_336_9
        q = q * u + 0.611_520_707_607_269_3
        q = q * u + 0.206_348_717_212_677
        q = q * u + 0.007_329_618_558_287_620_5
        let magnitude = 1 - expNonPositive(-(a * a)) * q
        return unsafeBitCast(unsafeBitCast(magnitude, to: BitsVector.self) | sign, to: FloatVector.self)
    }

    /// The larger of `a` and `b` per lane (`b` when either is NaN).
    ///
    /// A compare and a blend: the standard library's `pointwiseMax` and `max()` follow IEEE NaN rules
    /// lane by lane and compile to a scalar loop.
    @inline(__always) @_optimize(speed)
    static func maximum(_ a: FloatVector, _ b: Float) -> FloatVector {
        a.replacing(with: b, where: .!(a .> b))
    }

    /// The larger of `a` and `b` per lane.
    @inline(__always) @_optimize(speed)
    static func maximum(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        a.replacing(with: b, where: b .> a)
    }

    /// The largest lane of `v` (once per softmax row, so a plain loop).
    @inline(__always) @_optimize(speed)
    static func largest(_ v: FloatVector) -> Float {
        var m = v[0]
        for i in 1..<FloatVector.scalarCount where v[i] > m { m = v[i] }
        return m
    }

    /// GELU in its exact (erf) form: `x · Φ(x) = x/2 · (1 + erf(x/√2))`, from ``erf(_:)``.
    @inline(__always) @_optimize(speed)
    static func geluPolynomial(_ x: FloatVector) -> FloatVector {
        let half = x * 0.5
        return half + half * erf(x * 0.707_106_781_186_547_5)
    }

    /// GELU as the encoder uses it: ``geluPolynomial(_:)``, except in unoptimised builds.
    ///
    /// Debug builds (which `swift test` makes) run the polynomial forms tens of times slower than the C
    /// library's `erff`/`expf`, enough to make the model tests take minutes; there these two functions
    /// go lane by lane through the C library instead. The polynomial forms themselves are tested
    /// directly (`MiniLMKernelTests`), and `swift test -c release` runs the golden test on them.
    @inline(__always) @_optimize(speed)
    static func gelu(_ x: FloatVector) -> FloatVector {
        #if DEBUG
        var r = x
        for i in 0..<FloatVector.scalarCount { r[i] = 0.5 * x[i] * (1 + Foundation.erf(x[i] * 0.707_106_77)) }
        return r
        #else
        return geluPolynomial(x)
        #endif
    }

    /// `eˣ` for `x ≤ 0` as softmax uses it: ``expNonPositive(_:)``, except in unoptimised builds (see
    /// ``gelu(_:)``).
    @inline(__always) @_optimize(speed)
    static func softmaxExp(_ x: FloatVector) -> FloatVector {
        #if DEBUG
        var r = x
        for i in 0..<FloatVector.scalarCount { r[i] = Foundation.exp(x[i]) }
        return r
        #else
        return expNonPositive(x)
        #endif
    }
}

extension UnsafePointer where Pointee == Float {
    /// The 16 floats starting here (no alignment needed).
    @inline(__always) @_optimize(speed)
    func vector(at offset: Int) -> FloatVector {
        UnsafeRawPointer(self + offset).loadUnaligned(as: FloatVector.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// The 16 floats starting here (no alignment needed).
    @inline(__always) @_optimize(speed)
    func vector(at offset: Int) -> FloatVector {
        UnsafeRawPointer(self + offset).loadUnaligned(as: FloatVector.self)
    }

    /// Overwrites the 16 floats starting here.
    @inline(__always) @_optimize(speed)
    func setVector(_ v: FloatVector, at offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: v, as: FloatVector.self)
    }
}
