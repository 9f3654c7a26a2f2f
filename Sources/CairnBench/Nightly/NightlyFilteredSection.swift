import CairnIndex
import CairnNightly
import CairnVectorMath
import Foundation

/// The nightly's filtered-recall section: an index of the synthetic set, searched with allowed sets of 50 %,
/// 5 %, 0.5 % and 0.05 % of its vectors (a fixed pseudo-random subset each), against exact search of the
/// same subset.
///
/// Figures per selectivity: recall@10 at ef 64 (a hit as close as the exact 10th counts), single-thread
/// queries/s against the exact scan of the same subset as the peer (the ratio is the walk's speed-up, stable
/// across machines), and the share of searches the index answered by scanning the subset exactly (sets of
/// at most the full-scan threshold, 10,000 vectors, are scanned: their recall is 1 by construction).
///
/// With peers, `Benchmarks/peers/filtered_peer.py` builds hnswlib and faiss on the same vectors and asks the
/// same queries with the same allowed sets through each engine's own filter (hnswlib's filter callable,
/// faiss's IDSelectorBatch) at the same ef; their recall is against the same exact answers. Figures:
/// `recall@10 ef <ef> <p> vs <peer>` and `qps <p> vs <peer>` (one query at a time, one thread each).
enum NightlyFilteredSection {
    static let peers = ["hnswlib", "faiss"]

    /// What the section measured, and the peers that could not run.
    struct Outcome {
        var figures: [BenchFigure] = []
        var missingPeers: [String] = []
        var detail: String?
    }

    /// The section with its peers: Cairn's figures, then each peer's against Cairn's.
    static func run(n: Int, peers: Bool, benchmarksDirectory: String, log: @escaping @Sendable (String) -> Void)
        throws(IndexBenchError) -> Outcome {
        let (base, query) = SyntheticDataset.make(n: n, queries: 200, dim: SyntheticDataset.defaultDimension, seed: 7)
        var sets: [(label: String, allowed: [UInt64], truth: [[UInt64]])] = []
        var outcome = Outcome()
        outcome.figures = try figures(base: base, query: query, log: log) { sets.append(($0, $1, $2)) }
        guard peers, !sets.isEmpty else { return outcome }
        do {
            outcome.figures += try peerFigures(base: base, queries: query, sets: sets, cairn: outcome.figures,
                                               benchmarksDirectory: benchmarksDirectory, log: log, missing: &outcome.missingPeers)
        } catch {
            log("filtered: peers: \(error)")
            outcome.missingPeers = Self.peers
            outcome.detail = "peers: \(error)"
        }
        return outcome
    }

    /// Writes the vectors, allowed sets and exact answers, runs filtered_peer.py and reads its figures back.
    static func peerFigures(base: Matrix, queries: Matrix, sets: [(label: String, allowed: [UInt64], truth: [[UInt64]])],
                            cairn: [BenchFigure], benchmarksDirectory: String, log: @Sendable (String) -> Void,
                            missing: inout [String]) throws -> [BenchFigure] {
        let layout = Layout(benchmarksDirectory: benchmarksDirectory)
        let work = layout.path("results", "nightly-filtered-\(getpid())")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let dim = base.cols
        try VecsFile.write(path: work + "/base.fvecs", count: base.rows, dimension: dim) { UnsafeRawPointer(base.row($0)) }
        try VecsFile.write(path: work + "/queries.fvecs", count: queries.rows, dimension: dim) {
            UnsafeRawPointer(queries.row($0))
        }
        for set in sets {
            let name = set.label
            let ids = set.allowed.map { Int64($0).littleEndian }
            try ids.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: work + "/\(name).allowed")) }
            let truth = set.truth.map { row in (0..<10).map { Int32(truncatingIfNeeded: $0 < row.count ? Int64(row[$0]) : -1) } }
            let flatTruth = truth.flatMap { $0 }
            try flatTruth.withUnsafeBufferPointer { buffer in
                try VecsFile.write(path: work + "/\(name).truth.ivecs", count: truth.count, dimension: 10) {
                    UnsafeRawPointer(buffer.baseAddress! + $0 * 10)
                }
            }
        }
        try layout.setUpPeers(log: log)
        try ChildProcess.run(layout.python, [layout.path("peers", "filtered_peer.py"), "--base", work + "/base.fvecs",
                                             "--queries", work + "/queries.fvecs", "--sets", work,
                                             "--names", sets.map(\.label).joined(separator: ","), "--ef", "64",
                                             "--json", work + "/out.json"], removing: ["OPENBLAS_CORETYPE"],
                             what: "filtered_peer.py")
        guard let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/out.json")))
                as? [String: Any], let engines = report["engines"] as? [String: [String: [String: Any]]]
        else { throw IndexBenchError.peer("filtered_peer.py wrote no report") }
        missing = Self.peers.filter { engines[$0] == nil }
        var out: [BenchFigure] = []
        for peer in Self.peers {
            guard let byName = engines[peer] else { continue }
            for set in sets {
                guard let row = byName[set.label],
                      let recall = (row["recall_at_10"] as? NSNumber)?.doubleValue,
                      let qps = (row["qps"] as? NSNumber)?.doubleValue else { continue }
                if let mine = cairn.first(where: { $0.name == "recall@10 ef 64 \(set.label)" }) {
                    out.append(BenchFigure(section: section, name: "\(mine.name) vs \(peer)", kind: .recall,
                                           value: mine.value, unit: "recall", peer: peer, peerValue: recall))
                }
                if let mine = cairn.first(where: { $0.name == "qps \(set.label)" }) {
                    out.append(BenchFigure(section: section, name: "qps \(set.label) vs \(peer)", kind: .throughput,
                                           value: mine.value, unit: "q/s", peer: peer, peerValue: qps))
                }
            }
        }
        return out
    }

    struct Layout: BenchmarksLayout { var benchmarksDirectory: String }

    static let section = "filtered"
    static let selectivities = [0.5, 0.05, 0.005, 0.0005]

    /// Cairn's figures on a synthetic set of `n` vectors and `queries` queries.
    static func figures(n: Int, queries: Int = 200, ef: Int = 64, dimension: Int = SyntheticDataset.defaultDimension,
                        seed: UInt64 = 7, log: @Sendable (String) -> Void) throws(IndexBenchError) -> [BenchFigure] {
        let (base, query) = SyntheticDataset.make(n: n, queries: queries, dim: dimension, seed: seed)
        return try figures(base: base, query: query, ef: ef, seed: seed, log: log)
    }

    /// Cairn's figures on `base` and `query`; `keep` receives each set's label, allowed labels and exact answers.
    static func figures(base: Matrix, query: Matrix, ef: Int = 64, seed: UInt64 = 7, log: @Sendable (String) -> Void,
                        keep: (String, [UInt64], [[UInt64]]) -> Void = { _, _, _ in }) throws(IndexBenchError)
        -> [BenchFigure] {
        let n = base.rows, queries = query.rows
        let dim = base.cols
        let index: HNSWIndex
        do {
            index = try HNSWIndex(configuration: IndexConfiguration(dimension: dim, metric: .cosine, m: 16,
                                                                    efConstruction: 64, efSearch: ef))
            try index.insert(labels: (0..<n).map(UInt64.init),
                             vectors: Array(UnsafeBufferPointer(start: base.pointer, count: n * dim)))
        } catch {
            throw .failed("filtered section: building the index: \(error)")
        }
        log("filtered: built \(n) vectors")
        var out: [BenchFigure] = []
        for selectivity in selectivities {
            let cut = UInt64(selectivity * 1_000_000)
            let labels = Set((0..<UInt64(n)).filter { mix($0 ^ seed) % 1_000_000 < cut })
            guard labels.count >= 10 else { continue }
            let allowed = AllowedLabels(labels)
            var recall = 0.0
            var scans = 0
            var liveNanos: UInt64 = 0
            var exactNanos: UInt64 = 0
            var answers: [[UInt64]] = []
            for q in 0..<queries {
                let vector = UnsafeBufferPointer(start: UnsafePointer(query.row(q)), count: dim)
                let live: SearchResult
                let truth: SearchResult
                do {
                    let t0 = BenchClock.nanoseconds()
                    live = try index.search(vector, options: SearchOptions(k: 10, efSearch: ef, filter: .allowed(allowed)))
                    let t1 = BenchClock.nanoseconds()
                    truth = try index.search(vector, options: SearchOptions(k: 10, filter: .allowed(allowed), exact: true))
                    exactNanos += BenchClock.nanoseconds() - t1
                    liveNanos += t1 - t0
                } catch {
                    throw .failed("filtered section: searching: \(error)")
                }
                if live.exact { scans += 1 }
                answers.append(truth.hits.map(\.label))
                recall += live.recall(against: truth) ?? 0
            }
            let label = percent(selectivity)
            keep(label, labels.sorted(), answers)
            let qps = Double(queries) / max(1e-9, Double(liveNanos) / 1e9)
            let exactQps = Double(queries) / max(1e-9, Double(exactNanos) / 1e9)
            out.append(BenchFigure(section: section, name: "recall@10 ef \(ef) \(label)", kind: .recall,
                                   value: recall / Double(queries), unit: "recall"))
            out.append(BenchFigure(section: section, name: "qps \(label)", kind: .throughput, value: qps, unit: "q/s",
                                   peer: "exact scan", peerValue: exactQps))
            out.append(BenchFigure(section: section, name: "exact-scan share \(label)", kind: .info,
                                   value: Double(scans) / Double(queries), unit: "share"))
            log(String(format: "filtered %@ (%d vectors): recall %.4f, %.0f q/s (exact scan %.0f), %d of %d scanned",
                       label, labels.count, recall / Double(queries), qps, exactQps, scans, queries))
        }
        return out
    }

    /// `0.05` → `5%`, `0.0005` → `0.05%`.
    static func percent(_ fraction: Double) -> String {
        let p = fraction * 100
        return (p == p.rounded() ? String(Int(p)) : String(format: "%g", p)) + "%"
    }

    /// SplitMix64's finaliser: a fixed pseudo-random order of labels.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
