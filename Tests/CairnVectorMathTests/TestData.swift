import CairnVectorMath

/// A small seeded generator for test inputs (SplitMix64), so failures reproduce.
struct TestRNG {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    mutating func float() -> Float { Float(next() >> 40) * 0x1p-23 - 1 }

    /// Uniform in 0..<bound.
    mutating func int(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func array(_ count: Int) -> [Float] { (0..<count).map { _ in float() } }

    /// A rows × cols matrix of uniform values, rows scaled to unit length when `normalized`.
    mutating func matrix(rows: Int, cols: Int, normalized: Bool = false) -> Matrix {
        let m = Matrix(rows: rows, cols: cols)
        for i in 0..<rows * cols { m.pointer[i] = float() }
        if normalized { m.normalizeRows() }
        return m
    }
}
