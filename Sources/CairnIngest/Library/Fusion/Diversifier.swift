/// Maximal marginal relevance (Carbonell and Goldstein, 1998) over ranked candidates, so that one long
/// material cannot fill every slot.
///
/// Each step takes the candidate maximising `λ · relevance − (1 − λ) · redundancy`, where relevance is the
/// candidate's score over the best candidate's (scores that can be negative, such as cosine similarities, are
/// first shifted so that the lowest is 0), and redundancy is its greatest similarity to a candidate already
/// taken: 1 when both come from the same material, otherwise the cosine similarity of
/// their embeddings (0 when negative). λ = 1 keeps the ranking; λ = 0 takes every material once before any
/// twice.
public enum Diversifier {
    /// One candidate: its relevance score, its material and its embedding (nil when unknown: then only the
    /// material counts).
    public struct Candidate: Sendable {
        public var relevance: Double
        public var material: Int64
        public var vector: [Float]?

        public init(relevance: Double, material: Int64, vector: [Float]?) {
            self.relevance = relevance
            self.material = material
            self.vector = vector
        }
    }

    /// The order in which to take the first `count` candidates (indexes into `candidates`).
    public static func select(_ candidates: [Candidate], count: Int, lambda: Double) -> [Int] {
        guard !candidates.isEmpty, count > 0 else { return [] }
        let top = candidates.map(\.relevance).max() ?? 0
        let low = candidates.map(\.relevance).min() ?? 0
        let shift = low < 0 ? -low : 0
        let relevance = candidates.map { top + shift > 0 ? ($0.relevance + shift) / (top + shift) : 1 }
        let norms = candidates.map { c in c.vector.map { v in v.reduce(0) { $0 + $1 * $1 }.squareRoot() } }
        var redundancy = [Double](repeating: 0, count: candidates.count)
        var taken = [Bool](repeating: false, count: candidates.count)
        var order: [Int] = []
        while order.count < min(count, candidates.count) {
            var best = -1
            var bestValue = -Double.infinity
            for i in candidates.indices where !taken[i] {
                let value = lambda * relevance[i] - (1 - lambda) * redundancy[i]
                if value > bestValue { (best, bestValue) = (i, value) }
            }
            taken[best] = true
            order.append(best)
            for i in candidates.indices where !taken[i] {
                let similarity: Double
                if candidates[i].material == candidates[best].material {
                    similarity = 1
                } else if let a = candidates[i].vector, let b = candidates[best].vector, let na = norms[i],
                          let nb = norms[best], na > 0, nb > 0, a.count == b.count {
                    var dot: Float = 0
                    for k in a.indices { dot += a[k] * b[k] }
                    similarity = max(0, Double(dot / (na * nb)))
                } else {
                    similarity = 0
                }
                redundancy[i] = max(redundancy[i], similarity)
            }
        }
        return order
    }
}
