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
enum NightlyFilteredSection {
    static let section = "filtered"
    static let selectivities = [0.5, 0.05, 0.005, 0.0005]

    static func figures(n: Int, queries: Int = 200, ef: Int = 64, dimension: Int = SyntheticDataset.defaultDimension,
                        seed: UInt64 = 7, log: @Sendable (String) -> Void) throws(IndexBenchError) -> [BenchFigure] {
        let (base, query) = SyntheticDataset.make(n: n, queries: queries, dim: dimension, seed: seed)
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
                recall += live.recall(against: truth) ?? 0
            }
            let label = percent(selectivity)
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
