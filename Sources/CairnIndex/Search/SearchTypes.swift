import CairnVectorMath
import Synchronization

/// Which vectors a search may return.
///
/// The index estimates the allowed set's size and, when it is at most the configuration's
/// `fullScanThreshold`, scans exactly those vectors instead of walking the graph (as Qdrant does), so a
/// selective filter still yields the true top k.
public enum SearchFilter: Sendable {
    /// Only these labels (e.g. one tenant's or one material's chunk ids).
    case labels(Set<UInt64>)
    /// Only these labels, as a reusable set that remembers which slots they resolved to: a caller that asks
    /// with the same set again (a tenant's filter on every request) skips the label lookups until the index
    /// changes.
    case allowed(AllowedLabels)
    /// Labels for which `test` is true; `estimatedCount` is the caller's estimate of how many pass.
    case predicate(estimatedCount: Int, test: @Sendable (UInt64) -> Bool)
}

/// Per-query options; `nil` fields take the index configuration's defaults.
public struct SearchOptions: Sendable {
    /// Number of results wanted (1...1000).
    public var k: Int
    /// Candidate-list size; raised to `k` when smaller.
    public var efSearch: Int?
    /// Restricts results to an allowed set.
    public var filter: SearchFilter?
    /// Scan every vector instead of walking the graph (the oracle used by tests and benchmarks).
    public var exact: Bool

    public init(k: Int = 10, efSearch: Int? = nil, filter: SearchFilter? = nil, exact: Bool = false) {
        self.k = k
        self.efSearch = efSearch
        self.filter = filter
        self.exact = exact
    }
}

/// One result: the label, its distance and the similarity derived from it.
public struct SearchHit: Sendable, Hashable {
    public var label: UInt64
    /// Distance under the index metric (lower is closer).
    public var distance: Float
    /// `1 - distance` for cosine and inner product, `-distance` for L2 (higher is closer).
    public var similarity: Float
}

/// The outcome of a search.
public struct SearchResult: Sendable {
    /// Hits by ascending distance.
    public var hits: [SearchHit]
    /// Whether the hits are the true top k (an exact scan ran) rather than an approximate graph search.
    public var exact: Bool
    /// Vectors whose distance was computed.
    public var distanceComputations: Int
}

extension SearchResult {
    /// The share of `exact`'s hits this result found (recall@k for `exact`, the true top k): a hit counts when
    /// it is one of them or as close as the last of them (equal vectors tie, whichever label comes back).
    /// Nil when `exact` has no hits.
    public func recall(against exact: SearchResult) -> Double? {
        guard let last = exact.hits.last else { return nil }
        let expected = Set(exact.hits.map(\.label))
        let tie = last.distance + max(1e-5, abs(last.distance) * 1e-5)
        let found = hits.reduce(0) { $0 + (expected.contains($1.label) || $1.distance <= tie ? 1 : 0) }
        return Double(min(found, exact.hits.count)) / Double(exact.hits.count)
    }
}

/// A set of allowed labels for ``SearchFilter/allowed(_:)`` that remembers the slots it resolved to in one
/// state of one index (the index's label table version), so repeated searches with it do not look each
/// label up again.
public final class AllowedLabels: Sendable {
    /// The labels.
    public let labels: Set<UInt64>
    private let memo = Mutex<(index: UInt64, version: UInt64, slots: [UInt32])?>(nil)

    public init(_ labels: Set<UInt64>) {
        self.labels = labels
    }

    /// Number of labels.
    public var count: Int { labels.count }

    /// The slots of the live labels in `index`, resolved once per state of its label table.
    func slots(in index: HNSWIndex) -> [UInt32] {
        let id = index.instance
        let version = index.labels.withLock { $0.version }
        if let known = memo.withLock({ $0 }), known.index == id, known.version == version { return known.slots }
        let (resolvedVersion, slots) = index.labels.withLock { t in (t.version, labels.compactMap { t.slotOf[$0] }) }
        memo.withLock { $0 = (id, resolvedVersion, slots) }
        return slots
    }
}
