import CairnNightly
import Foundation

/// The nightly's retrieve-endpoint section: `cairn bench serve` on an index of `servePassages` study-note
/// passages (built once under `Benchmarks/data/serve-N/`, served from a fresh copy by this executable's
/// `serve`): 500 retrieves from one client idle and during a 200-file upload; then, with peers,
/// `Benchmarks/peers/serve_peer.py` loads this server and a Chroma server holding the same chunks and vectors
/// at concurrency 1 and 8 (10 s each) and measures recall@10 of both against exact search.
///
/// Figures: the idle p50 and the p99 during the upload against the idle p99 of the same run (the cost of
/// ingesting while serving), the server's own share of the idle p50; against Chroma: requests/s at each
/// concurrency, p50 at concurrency 1 and recall@10.
struct NightlyServeSection: BenchmarksLayout {
    static let section = "serve"
    let settings: NightlyRunner.Settings
    let log: @Sendable (String) -> Void
    var benchmarksDirectory: String { settings.benchmarksDirectory }

    func run() async throws -> NightlyRunner.SectionResult {
        let serve = ServeBenchRunner.Settings(
            executable: settings.executable, benchmarksDirectory: settings.benchmarksDirectory,
            textsDirectory: path("texts"), modelDirectory: settings.modelDirectory, passages: settings.servePassages,
            requests: 500, loadFiles: 200)
        let report = try await ServeBenchRunner(settings: serve, log: log).run()
        var result = NightlyRunner.SectionResult()
        let s = Self.section
        result.figures = [
            BenchFigure(section: s, name: "retrieve p50 idle", kind: .latency, value: report.idle.clientP50, unit: "ms"),
            BenchFigure(section: s, name: "retrieve p99 during upload", kind: .latency, value: report.loaded.clientP99,
                        unit: "ms", peer: "idle p99", peerValue: report.idle.clientP99),
            BenchFigure(section: s, name: "server overhead p50 idle", kind: .info, value: report.idle.overheadP50 * 100,
                        unit: "%"),
        ]
        result.detail = "\(report.chunks) chunks, top_k \(report.topK)"
        guard settings.peers else { return result }
        do {
            let peer = try chroma(data: serve.preparedDirectory)
            result.figures += peer
        } catch {
            log("nightly: chroma: \(error)")
            result.missingPeers = ["chroma"]
            result.detail = (result.detail ?? "") + "; Chroma: \(error)"
        }
        return result
    }

    /// Runs setup_serve.sh and serve_peer.py; returns the figures against Chroma.
    func chroma(data: String) throws -> [BenchFigure] {
        try ChildProcess.run("/usr/bin/env", ["bash", path("peers", "setup_serve.sh"), settings.modelDirectory],
                             what: "Chroma setup")
        let output = path("results", "nightly-serve-peers-\(getpid()).json")
        try? FileManager.default.createDirectory(atPath: path("results"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: output) }
        try ChildProcess.run(python, [path("peers", "serve_peer.py"), "--cairn", settings.executable, "--data", data,
                                      "--texts", path("texts"), "--chroma-onnx", path(".venv", "chroma-onnx"),
                                      "--concurrency", "1,8", "--seconds", "10", "--recall-queries", "200",
                                      "--json", output], removing: ["OPENBLAS_CORETYPE"], what: "serve_peer.py")
        guard let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output)))
                as? [String: Any],
              let cairn = report["cairn"] as? [[String: Any]], let chroma = report["chroma"] as? [[String: Any]]
        else { throw IndexBenchError.peer("serve_peer.py wrote no report") }
        func n(_ row: [String: Any], _ key: String) -> Double? { (row[key] as? NSNumber)?.doubleValue }
        let s = Self.section
        var out: [BenchFigure] = []
        for (a, b) in zip(cairn, chroma) {
            guard let c = n(a, "concurrency").map(Int.init), let rps = n(a, "rps") else { continue }
            out.append(BenchFigure(section: s, name: "req/s c=\(c)", kind: .throughput, value: rps, unit: "req/s",
                                   peer: "chroma", peerValue: n(b, "rps")))
            if c == 1, let p50 = n(a, "p50_ms") {
                out.append(BenchFigure(section: s, name: "p50 c=1", kind: .latency, value: p50, unit: "ms",
                                       peer: "chroma", peerValue: n(b, "p50_ms")))
            }
        }
        if let recall = n(report, "cairn_recall_at_10") {
            out.append(BenchFigure(section: s, name: "recall@10", kind: .recall, value: recall, unit: "recall",
                                   peer: "chroma", peerValue: n(report, "chroma_recall_at_10")))
        }
        return out
    }
}
