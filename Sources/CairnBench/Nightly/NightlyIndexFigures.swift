import CairnNightly
import Foundation

/// The nightly figures of one index-benchmark pair (size, ef_construction): what the regression rules judge.
///
/// - `qps@recall0.90|0.95|0.99 <n>/<efc>`: Cairn's single-thread queries/s at that recall@10, against the
///   fastest peer at the same recall (throughput; absent where Cairn does not reach it).
/// - `int8 qps@recall…`: the int8 walk at the same recalls, against hnswlib.
/// - `recall@10 ef <ef> <n>/<efc>`: recall@10 at the ef a top-10 retrieval uses by default, against hnswlib's at
///   the same ef (recall: what a floor is set on).
/// - `build`, `load` (latency, against the fastest peer's build and hnswlib's load) and `bytes/vector` (size,
///   against hnswlib).
enum NightlyIndexFigures {
    static let section = "index"

    /// `100k/64` for the synthetic set, `<name> 1000k/64` for a configured dataset.
    static func tag(_ entry: IndexSweepEntry, dataset: String?) -> String {
        (dataset.map { "\($0) " } ?? "") + "\(entry.n / 1_000)k/\(entry.efConstruction)"
    }

    static func figures(_ entry: IndexSweepEntry, defaultEf: Int, dataset: String? = nil) -> [BenchFigure] {
        let tag = tag(entry, dataset: dataset)
        let peers = entry.peers?.peerReports ?? []
        var out: [BenchFigure] = []
        for target in PeerComparison.recallTargets {
            let label = String(format: "%.2f", target)
            let best = peers.compactMap { peer in PeerComparison.qps(peer.runs, at: target).map { (peer.engine, $0.qps) } }
                .max { $0.1 < $1.1 }
            if let cairn = PeerComparison.qps(entry.cairn.runs, at: target) {
                out.append(BenchFigure(section: section, name: "qps@recall\(label) \(tag)", kind: .throughput,
                                       value: cairn.qps, unit: "q/s", peer: best?.0, peerValue: best?.1))
            }
            if let int8 = entry.int8, let q = PeerComparison.qps(int8.runs, at: target) {
                let hnswlib = entry.peers?.hnswlib.flatMap { PeerComparison.qps($0.runs, at: target)?.qps }
                out.append(BenchFigure(section: section, name: "int8 qps@recall\(label) \(tag)", kind: .throughput,
                                       value: q.qps, unit: "q/s", peer: hnswlib == nil ? nil : "hnswlib",
                                       peerValue: hnswlib))
            }
        }
        if let run = entry.cairn.runs.first(where: { $0.efSearch == defaultEf }) {
            let peer = entry.peers?.hnswlib?.runs.first { $0.efSearch == defaultEf }
            out.append(BenchFigure(section: section, name: "recall@10 ef \(defaultEf) \(tag)", kind: .recall,
                                   value: run.recallAt10, unit: "recall", peer: peer == nil ? nil : "hnswlib",
                                   peerValue: peer?.recallAt10))
        }
        let fastestBuild = peers.min { $0.buildSeconds < $1.buildSeconds }
        out.append(BenchFigure(section: section, name: "build \(tag)", kind: .latency, value: entry.cairn.buildSeconds,
                               unit: "s", peer: fastestBuild?.engine, peerValue: fastestBuild?.buildSeconds))
        let hnswlib = entry.peers?.hnswlib
        out.append(BenchFigure(section: section, name: "load \(tag)", kind: .latency, value: entry.cairn.loadSeconds,
                               unit: "s", peer: hnswlib == nil ? nil : "hnswlib", peerValue: hnswlib?.loadSeconds))
        out.append(BenchFigure(section: section, name: "bytes/vector \(tag)", kind: .size,
                               value: entry.cairn.bytesPerVector, unit: "bytes", peer: hnswlib == nil ? nil : "hnswlib",
                               peerValue: hnswlib?.bytesPerVector))
        return out
    }

    /// Recall–throughput curves of Cairn (float32 and int8 walks) and each peer that ran.
    static func curves(_ entry: IndexSweepEntry, dataset: String? = nil) -> [RecallCurve] {
        let tag = tag(entry, dataset: dataset)
        func curve(_ engine: String, _ report: IndexBenchReport) -> RecallCurve {
            RecallCurve(engine: engine, dataset: tag, points: report.runs.map {
                .init(ef: $0.efSearch, recall: $0.recallAt10, qps: $0.qps1t)
            })
        }
        var out = [curve("cairn", entry.cairn)]
        if let int8 = entry.int8 { out.append(curve("cairn int8", int8)) }
        for peer in entry.peers?.peerReports ?? [] { out.append(curve(peer.engine, peer)) }
        return out
    }
}
