import ArgumentParser
import CairnBench
import CairnVectorMath
import CairnIndex
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

            --sizes 100000,300000,1000000 sweeps the synthetic set over those sizes and every \
            --ef-constructions value (default 64,200), with a denser ef_search grid, and reports queries/s at \
            recall@10 0.90, 0.95 and 0.99 per engine (Benchmarks/results/<timestamp>-sweep.md and .json; \
            --json writes the same JSON elsewhere).
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
    @Option(help: "Comma-separated ef_search values (default 10,20,40,64,100,200,400; with --sizes a denser grid).")
    var efSearch: String?
    @Option(help: "Sweep the synthetic set over these sizes, e.g. 100000,300000,1000000.") var sizes: String?
    @Option(help: "With --sizes: the ef_construction values measured at every size.") var efConstructions = "64,200"
    @Option(help: "Cairn's graph walk: none (float32) or int8 (int8 codes, float32 re-rank).") var quantization = "none"
    @Flag(help: "With --sizes: measure Cairn with the int8 walk too.") var int8 = false
    @Flag(help: "Time searches on the index reopened from its checkpoint (a restarted server's) instead of the built one.")
    var searchReloaded = false
    @Option(help: "With --peers: the graph peers to run (hnswlib, faiss, usearch).") var peerEngines = "hnswlib,faiss,usearch"
    @Option(help: "Threads for the parallel build and queries (default: all cores).") var threads: Int?
    @Option(help: "Results per query.") var k = 10
    @Option(help: "Write the JSON report to this file.") var json: String?
    @Flag(help: "Skip the single-threaded build (build_seconds_1t is then null).") var skipSingleThreadBuild = false
    @Flag(help: "Also measure hnswlib, faiss, usearch and numpy (Benchmarks/peers/) and print Cairn/peer ratios.")
    var peers = false
    @Option(help: "The benchmark harness directory.") var benchmarksDir = "Benchmarks"
    @Option(help: "Passes over the queries per timing; the fastest counts (peers get the same).") var repeats = 3

    func validate() throws {
        if let sweep = try sweep() { _ = sweep } else { _ = try settings() }
    }

    func run() throws {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        log(BLASInfo.summary)
        if let warning = BLASInfo.warning { log("warning: \(warning)") }
        if let sweep = try sweep() {
            try runSweep(sweep, log: log)
            return
        }
        let settings = try settings()
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

    /// Runs a size sweep, writing its report after every (size, ef_construction) pair.
    func runSweep(_ sweep: IndexSweep, log: @escaping @Sendable (String) -> Void) throws {
        let now = Date()
        let stamp = BenchIndexStamp.string(now)
        let results = (sweep.template.benchmarksDirectory as NSString).appendingPathComponent("results")
        let markdownPath = (results as NSString).appendingPathComponent("\(stamp)-sweep.md")
        let jsonPath = (results as NSString).appendingPathComponent("\(stamp)-sweep.json")
        let command = CommandLine.arguments.joined(separator: " ")
        try? FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        func save(_ report: IndexSweepReport, runtime: TimeInterval) {
            let document = IndexSweepMarkdown.document(report, command: command, date: now, runtime: runtime)
            do {
                try document.write(toFile: markdownPath, atomically: true, encoding: .utf8)
                let data = try report.jsonData()
                try data.write(to: URL(fileURLWithPath: jsonPath), options: .atomic)
                if let json { try data.write(to: URL(fileURLWithPath: json), options: .atomic) }
            } catch {
                log("warning: cannot write the sweep report: \(error.localizedDescription)")
            }
        }
        do {
            let report = try sweep.run(stamp: stamp, peers: peers, log: log) { partial in
                save(partial, runtime: Date().timeIntervalSince(now))
            }
            save(report, runtime: Date().timeIntervalSince(now))
            print(IndexSweepMarkdown.document(report, command: command, date: now, runtime: Date().timeIntervalSince(now)))
            print("Report: \(markdownPath)")
        } catch {
            log("error: \(error)")
            throw error.isUserError ? ExitCode.validationFailure : ExitCode.failure
        }
    }

    /// The sweep `--sizes` asks for, or nil without it.
    func sweep() throws -> IndexSweep? {
        guard let sizes else { return nil }
        guard synthetic == nil, base == nil, queries == nil else {
            throw ValidationError("--sizes measures the synthetic set at each size: leave out --synthetic/--base/--queries")
        }
        func list(_ text: String, _ flag: String) throws -> [Int] {
            try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                guard let value = Int(trimmed), value > 0 else {
                    throw ValidationError("\(flag): \"\(trimmed)\" is not a positive integer (expected e.g. 100000,300000)")
                }
                return value
            }
        }
        var template = try settings(source: .synthetic(n: 1, queries: syntheticQueries, dimension: syntheticDim, seed: seed),
                                    efDefault: IndexSweep.defaultEfSearch)
        template.singleThreadBuild = false
        var sweep = IndexSweep(template: template, sizes: try list(sizes, "--sizes"),
                               efConstructions: try list(efConstructions, "--ef-constructions"))
        sweep.int8 = int8
        do { return try sweep.validated() } catch { throw ValidationError("\(error)") }
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
        return try settings(source: source, efDefault: IndexBenchSettings.defaultEfSearch)
    }

    /// The validated settings for `source`, with `efDefault` when --ef-search is not given.
    func settings(source: IndexBenchSettings.Source, efDefault: [Int]) throws -> IndexBenchSettings {
        guard let quantization = VectorQuantization(rawValue: quantization) else {
            throw ValidationError("--quantization \(self.quantization): expected none or int8")
        }
        guard let metric = Metric(rawValue: metric) else {
            throw ValidationError("--metric \(metric): expected cosine, ip or l2")
        }
        var s = IndexBenchSettings(source: source)
        s.metric = metric
        s.quantization = quantization
        s.searchesReloadedIndex = searchReloaded
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
            s.efSearch = try efSearch.map { text throws(IndexBenchError) in try IndexBenchSettings.parseEfList(text) } ?? efDefault
            s.peerEngines = peerEngines.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if let threads, threads < 1 {
                throw IndexBenchError.invalidSetting("--threads = \(threads): expected 1 or more")
            }
            return try s.validated()
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
