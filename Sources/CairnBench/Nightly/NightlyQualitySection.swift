import CairnNightly
import Foundation

/// The nightly's retrieval-quality section: `cairn bench quality` on an evenly spaced sample of the manual-page
/// corpus (`qualityDocuments` pages, ingested through the normal pipeline into a fresh data directory each run,
/// so chunking and embedding changes show), with bm25s, onnxruntime MiniLM with exact search, and their
/// fusion on the same chunks.
///
/// Figures (material level, over the answerable questions): nDCG@10 and hit@10 of hybrid search against the
/// peers' fusion, of vector search against onnxruntime exact, of keyword search against bm25s.
struct NightlyQualitySection: BenchmarksLayout {
    static let section = "quality"
    let settings: NightlyRunner.Settings
    let log: @Sendable (String) -> Void
    var benchmarksDirectory: String { settings.benchmarksDirectory }

    /// Cairn's mode and the peer's row it is compared with.
    static let pairs = [("hybrid (RRF)", "peer: RRF of both", "rrf"), ("vector", "peer: onnxruntime MiniLM, exact", "onnxruntime"),
                        ("keyword (BM25)", "peer: bm25s", "bm25s")]

    func run() async throws -> NightlyRunner.SectionResult {
        let corpus = path("data", "manpages")
        if !FileManager.default.fileExists(atPath: corpus + "/queries.jsonl") {
            log("building the corpus: python3 \(path("quality", "build_manpages.py")) --out \(corpus)")
            try ChildProcess.run("/usr/bin/env", ["python3", path("quality", "build_manpages.py"), "--out", corpus],
                                 what: "building the manual-page corpus")
        }
        let data = path("data", "nightly-quality-\(getpid())")
        try? FileManager.default.removeItem(atPath: data)
        defer { try? FileManager.default.removeItem(atPath: data) }
        var quality = QualityBench.Settings(corpus: corpus, dataDirectory: data, modelDirectory: settings.modelDirectory)
        quality.benchmarksDirectory = settings.benchmarksDirectory
        quality.peers = settings.peers
        quality.efSweep = []
        quality.documentSample = settings.qualityDocuments
        let report = try await QualityBench(settings: quality, log: log).run()
        var result = NightlyRunner.SectionResult()
        result.detail = "\(report.documents) pages, \(report.chunks) chunks, \(report.queriesInMaterials) questions"
        if let error = report.peerError {
            result.missingPeers = ["bm25s", "onnxruntime"]
            result.detail! += "; peers: \(error)"
        }
        for (mode, peerRow, peerName) in Self.pairs {
            guard let mine = report.rows.first(where: { $0.name == mode }) else { continue }
            let theirs = report.peers.first { $0.name == peerRow }
            for (metric, value, peerValue) in [("nDCG@10", mine.metrics.ndcgAt10, theirs?.metrics.ndcgAt10),
                                               ("hit@10", mine.metrics.hitAt10, theirs?.metrics.hitAt10)] {
                result.figures.append(BenchFigure(section: Self.section, name: "\(metric) \(mode)", kind: .quality,
                                                  value: value, unit: metric, peer: theirs == nil ? nil : peerName,
                                                  peerValue: peerValue))
            }
        }
        return result
    }
}
