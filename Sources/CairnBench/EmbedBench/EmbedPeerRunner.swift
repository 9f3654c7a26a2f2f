import Foundation

/// Runs the peers of `cairn bench embed --peers` on the same texts and builds the ``EmbedPeerComparison``.
///
/// The peers live in `Benchmarks/peers/`: `setup_embed.sh` adds onnxruntime, PyTorch and
/// sentence-transformers to `Benchmarks/.venv` (creating it with `setup.sh` first when missing) and
/// exports the ONNX graph from the local model; `embed_peer.py` measures one engine at one thread count
/// and writes an ``EmbedBenchRun``. Children run without `OPENBLAS_CORETYPE`, so that their BLAS picks its
/// own kernels. A peer that fails becomes an entry in ``EmbedPeerComparison/errors``; the others still run.
///
/// ```swift
/// let peers = EmbedPeerRunner(settings: settings, stamp: "20250101-120000") { print($0) }
/// var report = cairnReport
/// report.peers = peers.run(cairn: cairnReport.runs)
/// ```
public struct EmbedPeerRunner: Sendable, BenchmarksLayout {
    /// The settings Cairn ran with (the peers get the same texts, threads, batch and repeats).
    public let settings: EmbedBenchSettings
    /// Names the peers' JSON files and the Markdown report under `Benchmarks/results/`.
    public let stamp: String
    /// Receives progress lines.
    public let log: @Sendable (String) -> Void

    /// A runner for the peers of a run with `settings`.
    public init(settings: EmbedBenchSettings, stamp: String, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        self.stamp = stamp
        self.log = log
    }

    public var benchmarksDirectory: String { settings.benchmarksDirectory }
    /// Where the Markdown report of this run goes.
    public var reportPath: String { path("results", "\(stamp)-embed.md") }

    /// Measures every peer engine at every thread count and compares them with `cairn`; never throws,
    /// failures are recorded.
    public func run(cairn: [EmbedBenchRun]) -> EmbedPeerComparison {
        var comparison = EmbedPeerComparison()
        func attempt(_ body: () throws(EmbedBenchError) -> Void) -> Bool {
            do {
                try body()
                return true
            } catch {
                log("peers: \(error)")
                comparison.errors.append("\(error)")
                return false
            }
        }
        let ready = attempt { () throws(EmbedBenchError) in
            do {
                try FileManager.default.createDirectory(atPath: resultsDirectory, withIntermediateDirectories: true)
            } catch {
                throw .peer("cannot create \(resultsDirectory): \(error.localizedDescription)")
            }
            try setUp()
        }
        if ready {
            for engine in EmbedBenchSettings.peerEngines {
                for threads in settings.threads {
                    _ = attempt { () throws(EmbedBenchError) in
                        comparison.runs.append(try runPeer(engine: engine, threads: threads))
                    }
                }
            }
        }
        comparison.compare(cairn: cairn)
        return comparison
    }

    /// Runs `setup_embed.sh` (idempotent) so that the engines and the ONNX graph exist.
    func setUp() throws(EmbedBenchError) {
        let script = path("peers", "setup_embed.sh")
        guard FileManager.default.fileExists(atPath: script) else { throw .peer("\(script) not found") }
        log("peers: bash \(script) \(settings.modelDirectory)")
        try child("/usr/bin/env", ["bash", script, settings.modelDirectory], what: "peer setup (\(script))")
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw .peer("\(python) does not exist after \(script)")
        }
    }

    /// Measures one engine at one thread count with `embed_peer.py` and reads its report back.
    func runPeer(engine: String, threads: Int) throws(EmbedBenchError) -> EmbedBenchRun {
        let script = path("peers", "embed_peer.py")
        guard FileManager.default.fileExists(atPath: script) else { throw .peer("\(script) not found") }
        let out = path("results", "\(stamp)-embed-\(engine)-\(threads)t.json")
        log("peers: \(engine), \(threads) thread\(threads == 1 ? "" : "s")")
        try child(python, [
            script, "--engine", engine, "--texts", settings.textsDirectory, "--threads", "\(threads)",
            "--batch", "\(settings.documentBatch)", "--repeats", "\(settings.repeats)",
            "--warmup", "\(settings.warmupQueries)", "--model-dir", settings.modelDirectory, "--json", out,
        ], what: "embed_peer.py --engine \(engine) --threads \(threads)")
        let run: EmbedBenchRun
        do {
            run = try JSONDecoder().decode(EmbedBenchRun.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        } catch {
            throw .peer("embed_peer.py wrote \(out), which cannot be read as its report: \(error)")
        }
        guard run.engine == engine, run.threads == threads else {
            throw .peer("\(out) reports \(run.engine) on \(run.threads) threads, expected \(engine) on \(threads)")
        }
        return run
    }

    /// ``ChildProcess/run(_:_:removing:what:)`` with the peers' environment and this benchmark's error.
    private func child(_ executable: String, _ arguments: [String], what: String) throws(EmbedBenchError) {
        do {
            try ChildProcess.run(executable, arguments, removing: ["OPENBLAS_CORETYPE"], what: what)
        } catch {
            if case .peer(let message) = error { throw .peer(message) }
            throw .peer("\(error)")
        }
    }
}
