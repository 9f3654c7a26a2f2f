import Foundation

/// Small seeded vector sets for tests: reproducible, clustered like real embeddings.
public enum TestVectors {
    /// `n` vectors of `dimension` floats around `clusters` random centres, row-major.
    public static func clustered(n: Int, dimension: Int, clusters: Int = 16, spread: Float = 0.5,
                                 seed: UInt64 = 1) -> [Float] {
        var g = SplitMix(seed: seed)
        var centres = [Float](repeating: 0, count: clusters * dimension)
        for i in centres.indices { centres[i] = g.gaussian() }
        var out = [Float](repeating: 0, count: n * dimension)
        for i in 0..<n {
            let c = Int(g.next() % UInt64(clusters))
            for j in 0..<dimension { out[i * dimension + j] = centres[c * dimension + j] + spread * g.gaussian() }
        }
        return out
    }

    /// Rescales every row to a norm drawn uniformly from `norms` (for inner-product tests).
    public static func scaleRows(_ data: inout [Float], dimension: Int, norms: ClosedRange<Float>, seed: UInt64) {
        var g = SplitMix(seed: seed)
        for i in 0..<(data.count / dimension) {
            let r = i * dimension..<(i + 1) * dimension
            let norm = data[r].reduce(0) { $0 + $1 * $1 }.squareRoot()
            let u = Float(g.next() >> 40) / Float(1 << 24)
            let target = norms.lowerBound + (norms.upperBound - norms.lowerBound) * u
            if norm > 0 { for j in r { data[j] *= target / norm } }
        }
    }

    /// Row `i` of a row-major set.
    public static func row(_ data: [Float], _ i: Int, dimension: Int) -> [Float] {
        Array(data[i * dimension..<(i + 1) * dimension])
    }
}

/// SplitMix64: a tiny, fast, seedable generator for test data.
public struct SplitMix: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box–Muller).
    public mutating func gaussian() -> Float {
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
