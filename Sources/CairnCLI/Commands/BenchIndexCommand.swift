import ArgumentParser
import CairnBench
import CairnVectorMath
import Foundation

/// `cairn bench index`: builds, saves, reloads and searches Cairn's HNSW index on a dataset, and with
/// `--peers` measures hnswlib and numpy on the same vectors in the same run.
///
/// The measuring lives in CairnBench (``IndexBenchRunner``, ``PeerRunner``, ``IndexBenchMarkdown``);
/// this command only turns flags into ``IndexBenchSettings`` and prints or writes the results.
struct BenchIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Benchmark the vector index: build, size, load, recall, queries/s and latency per ef_search.",
        discussion: """
            Reads TEXMEX files (--base/--queries, optional --groundtruth) or generates --synthetic N vectors. \
            Missing ground truth is computed exactly with BLAS and cached next to the base file (synthetic \
            sets: under Benchmarks/data/).

            Prints a Markdown table; --json writes the machine-readable report (see Benchmarks/README.md): \
            {"engine", "n", "dim", "m", "ef_construction", "build_seconds", "build_threads", \
            "build_seconds_1t", "bytes_per_vector", "load_seconds", "simd", "blas_core", "runs": [{"ef_search", \
            "recall_at_1", "recall_at_10", "recall_at_100", "qps_1t", "qps_all", "p50_us", "p99_us"}]}, \
            plus "peers" with --peers, which also writes Benchmarks/results/<timestamp>.md.
            """)

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "Base vectors (.fvecs).") var base: String?
    @Option(help: "Query vectors (.fvecs).") var queries: String?
    @Option(help: "True neighbours per query (.ivecs); computed with BLAS when absent.") var groundtruth: String?
    @Option(help: "Generate N synthetic vectors (384-d Gaussian mixture) instead of reading files.") var synthetic: Int?
    @Option(help: "Queries of the synthetic set.") var syntheticQueries = 1000
    @Option(help: "Dimension of the synthetic set.") var syntheticDim = SyntheticDataset.defaultDimension
    @Option(help: "Seed of the synthetic set.") var seed: UInt64 = 42
    @Option(help: "cosine, ip or l2.") var metric = "cosine"
    @Option(help: "HNSW M.") var m = 16
    @Option(help: "HNSW ef_construction.") var efConstruction = 64
    @Option(help: "Comma-separated ef_search values.") var efSearch = "10,20,40,64,100,200,400"
    @Option(help: "Threads for the parallel build and queries (default: all cores).") var threads: Int?
    @Option(help: "Results per query.") var k = 10
    @Option(help: "Write the JSON report to this file.") var json: String?
    @Flag(help: "Skip the single-threaded build (build_seconds_1t is then null).") var skipSingleThreadBuild = false
    @Flag(help: "Also measure hnswlib and numpy (Benchmarks/peers/) and print Cairn/peer ratios.") var peers = false
    @Option(help: "The benchmark harness directory.") var benchmarksDir = "Benchmarks"
    @Option(help: "Passes over the queries per timing; the fastest counts (peers get the same).") var repeats = 3

    func validate() throws {
        _ = try settings()
    }

    func run() throws {
        let settings = try settings()
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        log(BLASInfo.summary)
        if let warning = BLASInfo.warning { log("warning: \(warning)") }
        do {
            let runner = IndexBenchRunner(settings: settings, log: log)
            let dataset = try IndexBenchDataset.load(settings, log: log)
            let report = try runner.run(on: dataset)
            print(IndexBenchMarkdown.summary(report))
            if let warning = BLASInfo.warning { print("\n> warning: \(warning)") }
            print("\n" + IndexBenchMarkdown.table(report))

            var comparison: PeerComparison?
            if peers {
                let now = Date()
                let stamp = BenchIndexStamp.string(now)
                let peerRunner = PeerRunner(settings: settings, stamp: stamp, log: log)
                var result = peerRunner.run(cairn: report, data: dataset)
                let path = (peerRunner.resultsDirectory as NSString).appendingPathComponent("\(stamp).md")
                result.reportPath = path
                let document = IndexBenchMarkdown.document(
                    report, peers: result, dataset: dataset.name,
                    command: CommandLine.arguments.joined(separator: " "), date: now,
                    notes: BLASInfo.warning.map { ["warning: \($0)"] } ?? [])
                do {
                    try document.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    log("warning: cannot write \(path): \(error.localizedDescription)")
                    result.reportPath = nil
                }
                print("\n" + IndexBenchMarkdown.comparison(report, result))
                if let written = result.reportPath { print("\nReport: \(written)") }
                comparison = result
            }
            if let json {
                try report.jsonData(peers: comparison).write(to: URL(fileURLWithPath: json))
                log("wrote \(json)")
            }
        } catch let error as IndexBenchError {
            log("error: \(error)")
            throw error.isUserError ? ExitCode.validationFailure : ExitCode.failure
        }
    }

    /// The validated settings the flags describe.
    func settings() throws -> IndexBenchSettings {
        let source: IndexBenchSettings.Source
        switch (synthetic, base, queries) {
        case (let n?, nil, nil):
            guard groundtruth == nil else {
                throw ValidationError("--groundtruth goes with --base/--queries, not --synthetic")
            }
            source = .synthetic(n: n, queries: syntheticQueries, dimension: syntheticDim, seed: seed)
        case (nil, let b?, let q?):
            source = .files(base: b, queries: q, groundTruth: groundtruth)
        case (_?, _, _):
            throw ValidationError("give either --synthetic N or --base and --queries, not both")
        default:
            throw ValidationError("give --base B.fvecs and --queries Q.fvecs, or --synthetic N")
        }
        guard let metric = Metric(rawValue: metric) else {
            throw ValidationError("--metric \(metric): expected cosine, ip or l2")
        }
        var s = IndexBenchSettings(source: source)
        s.metric = metric
        s.m = m
        s.efConstruction = efConstruction
        s.threads = threads ?? 0
        s.k = k
        s.singleThreadBuild = !skipSingleThreadBuild
        s.benchmarksDirectory = benchmarksDir
        s.repeats = repeats
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: data.path, isDirectory: &isDirectory), isDirectory.boolValue {
            s.scratchDirectory = data.path
        }
        do {
            s.efSearch = try IndexBenchSettings.parseEfList(efSearch)
            if let threads, threads < 1 {
                throw IndexBenchError.invalidSetting("--threads = \(threads): expected 1 or more")
            }
            return try s.validated()
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
