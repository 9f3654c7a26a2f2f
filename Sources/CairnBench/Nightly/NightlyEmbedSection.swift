import CairnNightly
import Foundation

/// The nightly's embedding section: `cairn bench embed` on the committed text set at 1 and 2 threads (the
/// fastest of 2 passes), with onnxruntime and PyTorch running the same model on the same texts in the same run.
///
/// Figures per peer and thread count: documents/s at batch 32 (throughput) and the p50 of one query at batch 1
/// (latency), each against the peer's.
struct NightlyEmbedSection {
    static let section = "embed"
    let settings: NightlyRunner.Settings
    let log: @Sendable (String) -> Void

    func run() async -> NightlyRunner.SectionResult {
        do {
            return try await measure()
        } catch {
            return .init(detail: "\(error)")
        }
    }

    func measure() async throws(EmbedBenchError) -> NightlyRunner.SectionResult {
        var embed = EmbedBenchSettings()
        embed.threads = [1, 2]
        embed.repeats = 2
        embed.benchmarksDirectory = settings.benchmarksDirectory
        embed.textsDirectory = (settings.benchmarksDirectory as NSString).appendingPathComponent("texts")
        embed.dataDirectory = settings.dataDirectory
        let texts = try EmbedTextSet.load(directory: embed.textsDirectory)
        let report = try await EmbedBenchRunner(settings: embed, log: log).run(texts: texts)
        var result = NightlyRunner.SectionResult()
        var peers: [EmbedBenchRun] = []
        if settings.peers {
            let stamp = "nightly-" + Date.ISO8601FormatStyle().format(Date()).filter { $0.isNumber }
            let comparison = EmbedPeerRunner(settings: embed, stamp: stamp, log: log).run(cairn: report.runs)
            peers = comparison.runs
            result.missingPeers = EmbedBenchSettings.peerEngines.filter { engine in !peers.contains { $0.engine == engine } }
            if !comparison.errors.isEmpty { result.detail = comparison.errors.joined(separator: "; ") }
        }
        result.figures = Self.figures(cairn: report.runs, peers: peers)
        return result
    }

    static func figures(cairn: [EmbedBenchRun], peers: [EmbedBenchRun]) -> [BenchFigure] {
        var out: [BenchFigure] = []
        for run in cairn {
            let matching = peers.filter { $0.threads == run.threads }
            let reference = matching.first { $0.engine == "onnxruntime" }
            out.append(BenchFigure(section: section, name: "docs/s \(run.threads)t", kind: .throughput, value: run.docsPerS,
                                   unit: "docs/s", peer: reference?.engine, peerValue: reference?.docsPerS))
            out.append(BenchFigure(section: section, name: "query p50 \(run.threads)t", kind: .latency,
                                   value: run.queryP50Ms, unit: "ms", peer: reference?.engine, peerValue: reference?.queryP50Ms))
            for peer in matching where peer.engine != "onnxruntime" {
                out.append(BenchFigure(section: section, name: "docs/s \(run.threads)t vs \(peer.engine)", kind: .throughput,
                                       value: run.docsPerS, unit: "docs/s", peer: peer.engine, peerValue: peer.docsPerS))
                out.append(BenchFigure(section: section, name: "query p50 \(run.threads)t vs \(peer.engine)",
                                       kind: .latency, value: run.queryP50Ms, unit: "ms", peer: peer.engine,
                                       peerValue: peer.queryP50Ms))
            }
        }
        return out
    }
}
