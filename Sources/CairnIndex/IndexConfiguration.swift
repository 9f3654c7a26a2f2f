public import CairnVectorMath

/// The settings of one vector index, validated before the index is built.
///
/// ```swift
/// let config = try IndexConfiguration(dimension: 384, metric: .cosine).validated()
/// let index = try HNSWIndex(configuration: config)
/// ```
public struct IndexConfiguration: Sendable, Hashable, Codable {
    /// Largest dimension accepted (OpenAI's largest embedding models stay well below it).
    public static let maxDimension = 16_384
    /// Largest `k` a query may ask for.
    public static let maxK = 1_000

    /// Number of floats per vector.
    public var dimension: Int
    /// How vectors are compared.
    public var metric: Metric
    /// Links per node on the upper layers (twice this on layer 0). hnswlib's `M`.
    public var m: Int = 16
    /// Candidate-list size while inserting.
    public var efConstruction: Int = 64
    /// Default candidate-list size while searching (overridable per query).
    public var efSearch: Int = 100
    /// Filtered searches whose allowed set is at most this many vectors run as an exact scan.
    public var fullScanThreshold: Int = 10_000
    /// Seed of the level generator, so that builds are reproducible.
    public var seed: UInt64 = 0x5EED_CA12
    /// How searches walk the graph: on the float32 vectors, or on int8 copies with a float32 re-rank.
    public var quantization: VectorQuantization = .none

    public init(dimension: Int, metric: Metric, m: Int = 16, efConstruction: Int = 64, efSearch: Int = 100) {
        self.dimension = dimension
        self.metric = metric
        self.m = m
        self.efConstruction = efConstruction
        self.efSearch = efSearch
    }

    /// Links kept per node on layer 0.
    public var maxLinks0: Int { 2 * m }

    /// Links a new node chooses for itself on layer 0 (its list may grow to ``maxLinks0`` by back-links): `m`
    /// in hnswlib, `2m` in faiss, `m + m/4` here. Measured on the benchmark set (100k × 384, ef_construction
    /// 64): recall@10 at ef_search 64 rises from 0.96 to 0.97 and at 256 from 0.987 to 0.990 for a few
    /// percent of queries/s per ef and ~12 % more build time; `2m` bought little more recall for 50 % more.
    public var newLinks0: Int { m + m / 4 }

    /// Returns `self` if every setting is in range, or throws an error naming the first bad one.
    public func validated() throws(IndexError) -> IndexConfiguration {
        func bad(_ setting: String, _ value: Int, _ range: String) -> IndexError {
            .invalidConfiguration("\(setting) = \(value) is out of range: \(range)")
        }
        guard (1...Self.maxDimension).contains(dimension) else {
            throw bad("dimension", dimension, "expected 1...\(Self.maxDimension)")
        }
        guard (2...128).contains(m) else { throw bad("m", m, "expected 2...128") }
        guard (1...10_000).contains(efConstruction) else {
            throw bad("ef_construction", efConstruction, "expected 1...10000")
        }
        guard (1...10_000).contains(efSearch) else { throw bad("ef_search", efSearch, "expected 1...10000") }
        guard fullScanThreshold >= 0 else {
            throw bad("full_scan_threshold", fullScanThreshold, "expected >= 0")
        }
        return self
    }
}

/// The representation a search walks the graph on.
///
/// With `.int8` the index keeps, beside every float32 vector, a row of int8 codes with one scale per vector
/// (x ≈ scale · code, codes in [-127, 127]). A search walks the graph comparing codes — a quarter of the
/// memory traffic of float32 — and re-ranks the ef candidates it ends with by their exact float32 distances,
/// so returned distances and similarities are exact. The graph itself is always built on float32.
public enum VectorQuantization: String, Sendable, Hashable, Codable, CaseIterable {
    /// Walk and rank on float32.
    case none
    /// Walk on int8 codes, re-rank the candidates on float32.
    case int8

    /// The byte that stands for it in a snapshot's metadata.
    public var code: UInt8 { self == .none ? 0 : 1 }

    /// The quantization a snapshot byte stands for, or nil for an unknown one.
    public init?(code: UInt8) {
        switch code {
        case 0: self = .none
        case 1: self = .int8
        default: return nil
        }
    }
}

/// Errors of the index layer, classified so that callers can map them without reading messages.
public enum IndexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting is out of range (a user error at start-up).
    case invalidConfiguration(String)
    /// A vector or query has the wrong number of floats.
    case dimensionMismatch(expected: Int, got: Int)
    /// A vector holds NaN or infinity, or is all zeros under the cosine metric.
    case invalidVector(String)
    /// A query asked for something out of range (k, ef).
    case invalidQuery(String)
    /// The index is full (2^31 slots).
    case capacityExceeded(Int)
    /// Restored or checked data is inconsistent.
    case corrupt(String)

    /// Whether the caller sent something wrong (as opposed to a fault of the index or its data).
    public var isUserError: Bool {
        switch self {
        case .invalidConfiguration, .dimensionMismatch, .invalidVector, .invalidQuery: true
        case .capacityExceeded, .corrupt: false
        }
    }

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): "invalid index configuration: \(m)"
        case .dimensionMismatch(let e, let g): "dimension mismatch: the index holds \(e)-dimensional vectors, got \(g)"
        case .invalidVector(let m): "invalid vector: \(m)"
        case .invalidQuery(let m): "invalid query: \(m)"
        case .capacityExceeded(let n): "index full: \(n) slots in use"
        case .corrupt(let m): "index data is corrupt: \(m)"
        }
    }
}
