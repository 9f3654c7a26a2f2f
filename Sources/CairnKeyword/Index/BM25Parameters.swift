/// The BM25 parameters: `k1` (how fast repeated terms saturate) and `b` (how much long chunks are discounted).
public struct BM25Parameters: Sendable, Hashable, Codable {
    public var k1: Double
    public var b: Double

    /// k1 1.2, b 0.75.
    public static let standard = BM25Parameters(k1: 1.2, b: 0.75)

    public init(k1: Double, b: Double) {
        self.k1 = k1
        self.b = b
    }

    /// Allowed: k1 in 0...10, b in 0...1.
    public static let k1Range = 0.0...10.0
    public static let bRange = 0.0...1.0

    /// A sentence naming the parameter out of range, or nil when both are allowed.
    public var problem: String? {
        if !(Self.k1Range.contains(k1)) { return "keyword.k1 is \(k1); allowed: 0 to 10" }
        if !(Self.bRange.contains(b)) { return "keyword.b is \(b); allowed: 0 to 1" }
        return nil
    }
}
