public import CairnVectorMath
public import CairnIndex
import Foundation

/// What one `cairn bench index` run measures, validated before any work starts.
///
/// ```swift
/// var settings = IndexBenchSettings(source: .synthetic(n: 20_000, queries: 1_000, dimension: 384, seed: 42))
/// settings.efSearch = [10, 100]
/// let report = try IndexBenchRunner(settings: settings.validated()).run()
/// ```
public struct IndexBenchSettings: Sendable {
    /// Where the vectors come from.
    public enum Source: Sendable, Equatable {
        /// TEXMEX files: base and query `.fvecs`, optionally a ground-truth `.ivecs`.
        case files(base: String, queries: String, groundTruth: String?)
        /// The seeded Gaussian mixture of ``SyntheticDataset``.
        case synthetic(n: Int, queries: Int, dimension: Int, seed: UInt64)
    }

    /// The default ef_search sweep.
    public static let defaultEfSearch = [10, 20, 40, 64, 100, 200, 400]
    /// How many true neighbours the ground truth holds (recall@100 needs 100).
    public static let groundTruthK = 100

    /// Where the vectors come from.
    public var source: Source
    /// The metric of the index and of the ground truth.
    public var metric: Metric = .cosine
    /// HNSW `M`.
    public var m: Int = 16
    /// HNSW `ef_construction`.
    public var efConstruction: Int = 64
    /// The ef_search values measured, in this order.
    public var efSearch: [Int] = defaultEfSearch
    /// Threads for the parallel build and the all-threads queries; 0 means one per core.
    public var threads: Int = 0
    /// Results per query in the timed loops.
    public var k: Int = 10
    /// Whether to time a second, single-threaded build.
    public var singleThreadBuild = true
    /// A directory under which the saved index is written (in a fresh subdirectory removed afterwards).
    public var scratchDirectory: String = "/tmp"
    /// `Benchmarks/`: synthetic ground truth is cached in its `data/`, peer scripts live in its `peers/`,
    /// reports go to its `results/`.
    public var benchmarksDirectory: String = "Benchmarks"
    /// Passes over all queries per timed measurement; the fastest counts (the peers get the same number).
    public var repeats: Int = 3
    /// Whether the timed searches run on the index reopened from its checkpoint (`--search-reloaded`) instead
    /// of the built one: the state of a restarted server, whose vectors are mapped from the file.
    public var searchesReloadedIndex = false
    /// The representation Cairn's searches walk (`--quantization`).
    public var quantization: VectorQuantization = .none
    /// The graph-index peers `--peers` runs (a subset of ``PeerComparison/graphPeers``).
    public var peerEngines: [String] = PeerComparison.graphPeers
    /// Whether computed ground truth is written next to the base file (or under `Benchmarks/data/`).
    public var cachesGroundTruth = true

    /// Settings with the defaults of the command line.
    public init(source: Source) {
        self.source = source
    }

    /// The number of worker threads `threads` stands for.
    public var resolvedThreads: Int {
        threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Returns `self` if every setting is in range, or throws an error naming the first bad one.
    public func validated() throws(IndexBenchError) -> IndexBenchSettings {
        func bad(_ message: String) -> IndexBenchError { .invalidSetting(message) }
        switch source {
        case .files(let base, let queries, _):
            guard !base.isEmpty else { throw bad("--base: empty path") }
            guard !queries.isEmpty else { throw bad("--queries: empty path") }
        case .synthetic(let n, let queries, let dimension, _):
            guard n >= 1 else { throw bad("--synthetic = \(n): expected at least 1 vector") }
            guard queries >= 1 else { throw bad("--synthetic-queries = \(queries): expected at least 1") }
            guard (1...IndexConfiguration.maxDimension).contains(dimension) else {
                throw bad("--synthetic-dim = \(dimension): expected 1...\(IndexConfiguration.maxDimension)")
            }
        }
        guard !efSearch.isEmpty else { throw bad("--ef-search: give at least one value") }
        for ef in efSearch where !(1...10_000).contains(ef) {
            throw bad("--ef-search value \(ef) is out of range: expected 1...10000")
        }
        guard (1...IndexConfiguration.maxK).contains(k) else {
            throw bad("--k = \(k) is out of range: expected 1...\(IndexConfiguration.maxK)")
        }
        for engine in peerEngines where !PeerComparison.graphPeers.contains(engine) {
            throw bad("--peer-engines: \"\(engine)\" is not one of \(PeerComparison.graphPeers.joined(separator: ", "))")
        }
        guard threads >= 0 else { throw bad("--threads = \(threads): expected 0 (all cores) or more") }
        guard (1...100).contains(repeats) else { throw bad("--repeats = \(repeats) is out of range: expected 1...100") }
        // The index owns the ranges of M and ef_construction; its message names the setting.
        do {
            _ = try IndexConfiguration(dimension: 1, metric: metric, m: m, efConstruction: efConstruction).validated()
        } catch {
            if case .invalidConfiguration(let message) = error { throw bad(message) }
            throw bad("\(error)")
        }
        return self
    }

    /// Parses a comma-separated ef_search list such as `"10,20,40"`.
    /// - Throws: ``IndexBenchError/invalidSetting(_:)`` naming the bad element.
    public static func parseEfList(_ text: String) throws(IndexBenchError) -> [Int] {
        var values: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let value = Int(trimmed) else {
                throw .invalidSetting("--ef-search: \"\(trimmed)\" is not an integer (expected e.g. 10,20,40)")
            }
            values.append(value)
        }
        return values
    }
}
