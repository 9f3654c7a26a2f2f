import CairnVectorMath
import Foundation

/// Runs the peers of `cairn bench index --peers` on the same vectors and builds the ``PeerComparison``.
///
/// The peers live in `Benchmarks/peers/`: `setup.sh` creates `Benchmarks/.venv` with hnswlib, faiss-cpu,
/// usearch and numpy; `hnswlib_peer.py`, `faiss_peer.py` and `usearch_peer.py` (one loop, `ann_harness.py`)
/// write reports in the same JSON schema as Cairn's, and `numpy_exact.py` measures numpy's `Q @ X.T` (and
/// with `argpartition`) for the exact-search comparison. Children run without
/// `OPENBLAS_CORETYPE` so that their OpenBLAS picks its own kernels. A peer that fails becomes an entry in
/// ``PeerComparison/errors``; the others still run.
///
/// ```swift
/// let peers = PeerRunner(settings: settings, stamp: "20250101-120000") { print($0) }
/// var report = cairnReport
/// report.peers = peers.run(cairn: cairnReport, data: data)
/// ```
public struct PeerRunner: Sendable, BenchmarksLayout {
    /// The settings Cairn ran with (the peers get the same parameters).
    public let settings: IndexBenchSettings
    /// Names the peers' JSON files and the Markdown report under `Benchmarks/results/`.
    public let stamp: String
    /// Receives progress lines.
    public let log: @Sendable (String) -> Void

    /// A runner for the peers of a run with `settings`.
    public init(settings: IndexBenchSettings, stamp: String, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        self.stamp = stamp
        self.log = log
    }

    public var benchmarksDirectory: String { settings.benchmarksDirectory }

    /// Measures the graph peers of ``IndexBenchSettings/peerEngines`` and, with `exact`, numpy, and compares
    /// them with `cairn`; never throws, failures are recorded.
    ///
    /// Cairn's exact search is measured even when the peers cannot run, so its number is never lost.
    public func run(cairn: IndexBenchReport, data: IndexBenchDataset, exact includeExact: Bool = true) -> PeerComparison {
        var comparison = PeerComparison()
        @discardableResult func attempt(_ body: () throws(IndexBenchError) -> Void) -> Bool {
            do {
                try body()
                return true
            } catch {
                log("peers: \(error)")
                comparison.errors.append("\(error)")
                return false
            }
        }
        var files = IndexBenchFiles(base: "", queries: "", groundTruth: "")
        let ready = attempt { () throws(IndexBenchError) in
            do {
                try FileManager.default.createDirectory(atPath: resultsDirectory, withIntermediateDirectories: true)
            } catch {
                throw .peer("cannot create \(resultsDirectory): \(error.localizedDescription)")
            }
            files = try data.files(dataDirectory: path("data"))
            try setUpPeers(log: log)
        }
        if ready {
            for engine in settings.peerEngines {
                attempt { () throws(IndexBenchError) in
                    comparison.add(try runGraphPeer(engine, files: files, threads: cairn.buildThreads), cairn: cairn)
                }
            }
        }
        guard includeExact else { return comparison }
        log("exact search: Cairn (BLAS, \(cairn.buildThreads) threads) over \(data.queries.rows) queries")
        var exact = ExactComparison(cairn: ExactSearchBench.measure(
            data, k: settings.k, threads: cairn.buildThreads, repetitions: settings.repeats))
        log("  \(Int(exact.cairn.qps)) queries/s, \(shortDecimal(exact.cairn.gflops)) GFLOP/s")
        if ready {
            attempt { () throws(IndexBenchError) in
                let numpy = try runNumpy(files: files)
                exact.numpyMatmulQps = numpy.matmulQps
                exact.numpyTopkQps = numpy.topkQps
                exact.numpyMatmulGflops = numpy.matmulGflops
                exact.numpyBlas = numpy.blas?.summary
                exact.ratioVsNumpyMatmul = peerRatio(exact.cairn.qps, numpy.matmulQps)
                exact.ratioVsNumpyTopk = peerRatio(exact.cairn.qps, numpy.topkQps)
            }
        }
        comparison.exact = exact
        return comparison
    }

    func runScript(_ name: String, _ arguments: [String]) throws(IndexBenchError) {
        let script = path("peers", name)
        guard FileManager.default.fileExists(atPath: script) else { throw .peer("\(script) not found") }
        try ChildProcess.run(python, [script] + arguments, removing: ["OPENBLAS_CORETYPE"], what: name)
    }

    /// Runs `<engine>_peer.py` with Cairn's parameters and reads its report.
    func runGraphPeer(_ engine: String, files: IndexBenchFiles, threads: Int) throws(IndexBenchError) -> IndexBenchReport {
        let out = path("results", "\(stamp)-\(engine).json")
        var arguments = [
            "--base", files.base, "--queries", files.queries, "--groundtruth", files.groundTruth,
            "--metric", settings.metric.rawValue, "--m", "\(settings.m)", "--ef-construction", "\(settings.efConstruction)",
            "--ef-search", settings.efSearch.map(String.init).joined(separator: ","), "--threads", "\(threads)",
            "--k", "\(settings.k)", "--repeats", "\(settings.repeats)", "--json", out,
        ]
        if !settings.singleThreadBuild { arguments.append("--skip-build-1t") }
        try runScript("\(engine)_peer.py", arguments)
        let report = try decode(IndexBenchReport.self, from: out, what: "\(engine)_peer.py")
        guard report.engine == engine else {
            throw .peer("\(engine)_peer.py wrote a report for \"\(report.engine)\"")
        }
        return report
    }

    func runNumpy(files: IndexBenchFiles) throws(IndexBenchError) -> NumpyExactReport {
        let out = path("results", "\(stamp)-numpy.json")
        try runScript("numpy_exact.py", [
            "--base", files.base, "--queries", files.queries, "--k", "\(settings.k)",
            "--metric", settings.metric.rawValue, "--repeats", "\(settings.repeats)", "--json", out,
        ])
        return try decode(NumpyExactReport.self, from: out, what: "numpy_exact.py")
    }

    func decode<T: Decodable>(_ type: T.Type, from file: String, what: String) throws(IndexBenchError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw .peer("\(what) wrote \(file), which cannot be read as its report: \(error)")
        }
    }
}

/// The JSON `numpy_exact.py` writes (the fields the comparison uses).
struct NumpyExactReport: Decodable {
    var matmulQps: Double
    var topkQps: Double?
    var matmulGflops: Double?
    var blas: BLAS?

    struct BLAS: Decodable {
        var name: String?
        var version: String?
        var threadpools: [Pool]?

        /// "openblas 0.3.27, SkylakeX, 2 threads" from the loaded thread pool when known.
        var summary: String {
            if let pool = threadpools?.first {
                return [pool.library ?? name, pool.version ?? version, pool.architecture,
                        pool.threads.map { "\($0) threads" }].compactMap { $0 }.joined(separator: ", ")
            }
            return [name, version].compactMap { $0 }.joined(separator: " ")
        }
    }

    struct Pool: Decodable {
        var library: String?
        var version: String?
        var threads: Int?
        var architecture: String?

        enum CodingKeys: String, CodingKey {
            case library = "internal_api"
            case version
            case threads = "num_threads"
            case architecture
        }
    }

    enum CodingKeys: String, CodingKey {
        case matmulQps = "matmul_qps"
        case topkQps = "topk_qps"
        case matmulGflops = "matmul_gflops"
        case blas
    }
}
