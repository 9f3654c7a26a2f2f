import CairnIngest
import CairnNightly
import Foundation

/// The nightly's ingest section: `cairn bench ingest` (the committed passages as 40 Markdown and text files,
/// a bulk job into a fresh data directory with the built-in model, best of 2 passes) against embedding the
/// same chunk texts alone with a fresh embedder in the same run — the pipeline's own cost is what the ratio
/// follows (1.0: ingestion is as fast as the embedder alone).
struct NightlyIngestSection {
    static let section = "ingest"
    let settings: NightlyRunner.Settings
    let log: @Sendable (String) -> Void

    func run() async throws -> NightlyRunner.SectionResult {
        let ingest = IngestBenchRunner.Settings(
            textsDirectory: (settings.benchmarksDirectory as NSString).appendingPathComponent("texts"),
            modelDirectory: settings.modelDirectory, files: 40, threads: 0, batch: 64, repeats: 2,
            chunking: ChunkingOptions(maxTokens: 200, overlapTokens: 40))
        let report = try await IngestBenchRunner(settings: ingest, log: log).run()
        return .init(figures: [
            BenchFigure(section: Self.section, name: "chunks/s", kind: .throughput, value: report.ingestChunksPerSecond,
                        unit: "chunks/s", peer: "embedding alone", peerValue: report.embedChunksPerSecond),
        ], detail: "\(report.files) files, \(report.chunks) chunks; the peer is the same chunks embedded without the pipeline")
    }
}
