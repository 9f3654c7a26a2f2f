public import Foundation
import CairnVectorMath
import CairnIndex

/// `cairn bench index --sizes 100000,300000,1000000 --peers`: Cairn and the graph peers measured at several
/// sizes of the synthetic set and several ef_construction values, in one run on one machine.
///
/// Every (size, ef_construction) pair is one ``IndexBenchRunner`` run plus the peers' runs on the same files;
/// the result is summarised as single-thread queries/s at recall@10 0.90, 0.95 and 0.99 (see
/// ``PeerComparison/qps(_:at:)``), parallel build time and bytes per vector. Single-threaded builds are
/// skipped (at a million vectors each would take minutes per engine). The JSON report is rewritten after
/// every pair, so an interrupted sweep keeps what it measured.
///
/// ```swift
/// var template = IndexBenchSettings(source: .synthetic(n: 1, queries: 1000, dimension: 384, seed: 42))
/// let sweep = IndexSweep(template: template, sizes: [100_000, 300_000], efConstructions: [64, 200])
/// let report = try sweep.run(stamp: "20260101-120000", peers: true) { print($0) }
/// print(IndexSweepMarkdown.document(report, command: "…", date: Date()))
/// ```
public struct IndexSweep: Sendable {
    /// Settings every run shares; the source's n and the ef_construction are replaced per run.
    public var template: IndexBenchSettings
    /// Base set sizes, in the order measured.
    public var sizes: [Int]
    /// ef_construction values measured at every size.
    public var efConstructions: [Int]
    /// Whether Cairn is also measured with the int8 walk (``VectorQuantization/int8``) on each pair, on the same
    /// graph as the float32 walk (see ``IndexBenchRunner/runWithInt8(on:)``).
    public var int8 = false

    /// A sweep; ``validated()`` checks it.
    public init(template: IndexBenchSettings, sizes: [Int], efConstructions: [Int]) {
        self.template = template
        self.sizes = sizes
        self.efConstructions = efConstructions
    }

    /// The ef_search grid of a sweep: dense enough that each engine's curve is read between close points.
    public static let defaultEfSearch = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768]

    /// Returns `self` when every run's settings are valid, or throws naming the first bad one.
    public func validated() throws(IndexBenchError) -> IndexSweep {
        guard !sizes.isEmpty else { throw .invalidSetting("--sizes: give at least one size") }
        guard !efConstructions.isEmpty else { throw .invalidSetting("--ef-constructions: give at least one value") }
        // A files source has one size: its own (which only labels the entry).
        if case .files = template.source, sizes.count != 1 {
            throw .invalidSetting("--sizes measures the synthetic set: leave out --base/--queries")
        }
        for n in sizes { for efc in efConstructions { _ = try settings(n: n, efConstruction: efc).validated() } }
        return self
    }

    /// The settings of the run at size `n` and `efConstruction`.
    public func settings(n: Int, efConstruction: Int) -> IndexBenchSettings {
        var s = template
        if case .synthetic(_, let queries, let dimension, let seed) = template.source {
            s.source = .synthetic(n: n, queries: queries, dimension: dimension, seed: seed)
        }
        s.efConstruction = efConstruction
        s.singleThreadBuild = false
        return s
    }

    /// Runs every pair, smallest size first; `write` receives the report after each pair.
    public func run(
        stamp: String, peers: Bool, log: @escaping @Sendable (String) -> Void = { _ in },
        write: (IndexSweepReport) -> Void = { _ in }
    ) throws(IndexBenchError) -> IndexSweepReport {
        var report = IndexSweepReport(entries: [], simd: SIMDInfo.level, blasCore: BLASInfo.coreName)
        for n in sizes {
            let first = settings(n: n, efConstruction: efConstructions[0])
            let data = try IndexBenchDataset.load(first, log: log)
            for efc in efConstructions {
                let s = settings(n: n, efConstruction: efc)
                log("sweep: n = \(n), ef_construction = \(efc)")
                let runner = IndexBenchRunner(settings: s, log: log)
                let cairn: IndexBenchReport
                var quantized: IndexBenchReport?
                if int8 {
                    (cairn, quantized) = try runner.runWithInt8(on: data)
                } else {
                    cairn = try runner.run(on: data)
                }
                var comparison: PeerComparison?
                var int8Comparison: PeerComparison?
                if peers {
                    comparison = PeerRunner(settings: s, stamp: "\(stamp)-n\(n)-efc\(efc)", log: log)
                        .run(cairn: cairn, data: data, exact: false)
                    if let quantized, var c = comparison {
                        c.compare(cairn: quantized)
                        int8Comparison = c
                    }
                }
                var entry = IndexSweepEntry(n: n, efConstruction: efc, cairn: cairn, peers: comparison)
                entry.int8 = quantized
                entry.int8Peers = int8Comparison
                report.entries.append(entry)
                write(report)
            }
        }
        return report
    }
}

/// One (size, ef_construction) pair of a sweep.
public struct IndexSweepEntry: Sendable, Equatable, Codable {
    /// Base vectors.
    public var n: Int
    /// HNSW ef_construction of every engine.
    public var efConstruction: Int
    /// Cairn's report.
    public var cairn: IndexBenchReport
    /// The peers and the ratios, when peers ran.
    public var peers: PeerComparison?
    /// Cairn with the int8 walk, when measured.
    public var int8: IndexBenchReport?
    /// The peers' comparison with the int8 walk (ratios are then Cairn int8 / peer).
    public var int8Peers: PeerComparison?

    /// One pair's results.
    public init(n: Int, efConstruction: Int, cairn: IndexBenchReport, peers: PeerComparison?) {
        self.n = n
        self.efConstruction = efConstruction
        self.cairn = cairn
        self.peers = peers
    }

    enum CodingKeys: String, CodingKey {
        case n, cairn, peers, int8
        case efConstruction = "ef_construction"
        case int8Peers = "int8_peers"
    }
}

/// The JSON of a sweep: `{"simd", "blas_core", "entries": [{"n", "ef_construction", "cairn": {…}, "peers": {…}}]}`.
public struct IndexSweepReport: Sendable, Equatable, Codable {
    /// Every pair measured, in order.
    public var entries: [IndexSweepEntry]
    /// Cairn's SIMD level.
    public var simd: String
    /// The OpenBLAS core.
    public var blasCore: String

    /// A report of `entries`, measured with `simd` kernels and BLAS core `blasCore`.
    public init(entries: [IndexSweepEntry], simd: String, blasCore: String) {
        self.entries = entries
        self.simd = simd
        self.blasCore = blasCore
    }

    enum CodingKeys: String, CodingKey {
        case entries, simd
        case blasCore = "blas_core"
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = benchmarkJSONEncoder()
        return try encoder.encode(self)
    }
}
