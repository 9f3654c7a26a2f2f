import CairnIndex
import CairnVectorMath
import Foundation

/// Runs `cairn bench index` for Cairn: builds the index (one thread and all threads), saves and reloads
/// it, and sweeps ef_search measuring recall, throughput and latency.
///
/// ```swift
/// let runner = IndexBenchRunner(settings: try settings.validated()) { line in print(line) }
/// let data = try IndexBenchDataset.load(runner.settings, log: runner.log)
/// let report = try runner.run(on: data)
/// print(IndexBenchMarkdown.table(report))
/// ```
///
/// How each number is taken (the hnswlib peer measures the same way, see `Benchmarks/peers/`):
/// - build: `insert(labels:vectors:threads:)` of all base vectors into an empty index, wall time;
/// - bytes per vector: size of the checkpoint file the index saves to, divided by n;
/// - load: mapping and verifying that file plus restoring a searchable index from it (page cache warm);
/// - recall@1 (and @10 when k ≥ 10) from a search with `k`, recall@100 from a separate search with
///   k = 100, because a search raises ef to k and a 100-deep search would hide a small ef's recall;
/// - qps_1t and p50/p99: one thread over all queries with `k`, each query timed;
/// - qps_all: ``IndexBenchSettings/resolvedThreads`` threads sharing the queries;
/// - each of the two is the fastest of ``IndexBenchSettings/repeats`` passes over all queries (as the
///   peers' `--repeats`); the latency percentiles pool the queries of every pass.
public struct IndexBenchRunner: Sendable {
    /// The validated settings.
    public let settings: IndexBenchSettings
    /// Receives progress lines (the CLI prints them to standard error).
    public let log: @Sendable (String) -> Void

    /// A runner for `settings` (call ``IndexBenchSettings/validated()`` first).
    public init(settings: IndexBenchSettings, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        self.log = log
    }

    /// Loads the dataset and measures Cairn on it.
    public func run() throws(IndexBenchError) -> IndexBenchReport {
        let data = try IndexBenchDataset.load(settings, log: log)
        return try run(on: data)
    }

    /// Measures Cairn on `data`.
    /// - Throws: ``IndexBenchError``: a dataset error for vectors the index refuses, a failure when saving
    ///   or reloading the index fails.
    public func run(on data: IndexBenchDataset) throws(IndexBenchError) -> IndexBenchReport {
        try runKeepingIndex(on: data).report
    }

    /// Measures Cairn on `data` with the float32 walk, then the int8 walk on the very same graph: the built
    /// index is restored with int8 codes encoded from its vectors (what `--quantization int8` would build, as
    /// the graph is built on float32 either way), so the two differ only in the walk. The int8 report's build
    /// time is the graph's plus the encoding.
    public func runWithInt8(on data: IndexBenchDataset) throws(IndexBenchError) -> (IndexBenchReport, IndexBenchReport) {
        var floatSettings = settings
        floatSettings.quantization = .none
        let (plain, index) = try IndexBenchRunner(settings: floatSettings, log: log).runKeepingIndex(on: data)
        var quantizedSettings = settings
        quantizedSettings.quantization = .int8
        let quantizedRunner = IndexBenchRunner(settings: quantizedSettings, log: log)
        let start = BenchClock.nanoseconds()
        let quantized: HNSWIndex
        do {
            quantized = try index.withSnapshot { snapshot in
                let sections = Dictionary(uniqueKeysWithValues: snapshot.sections.map {
                    ("\($0.kind)/\($0.index)", UnsafeMutableRawBufferPointer(mutating: $0.bytes))
                })
                return try HNSWIndex.restore(metadata: snapshot.metadata, owner: index, quantization: .int8) { k, i in
                    sections["\(k)/\(i)"]
                }
            }
        } catch {
            throw .failed("encoding the int8 codes: \(error)")
        }
        let encodeSeconds = Double(BenchClock.nanoseconds() - start) / 1e9
        log("cairn-int8: the same graph with int8 codes encoded in \(shortDecimal(encodeSeconds)) s")
        let report = try quantizedRunner.measure(
            quantized, data: data, buildSeconds: plain.buildSeconds + encodeSeconds,
            buildSeconds1t: plain.buildSeconds1t.map { $0 + encodeSeconds })
        return (plain, report)
    }

    /// ``run(on:)``, also handing back the built index.
    func runKeepingIndex(on data: IndexBenchDataset) throws(IndexBenchError) -> (report: IndexBenchReport, index: HNSWIndex) {
        let threads = settings.resolvedThreads
        let (n, dim) = (data.base.rows, data.base.cols)
        log("\(engine): n=\(n) dim=\(dim) queries=\(data.queries.rows) metric=\(settings.metric) M=\(settings.m) "
            + "efC=\(settings.efConstruction) threads=\(threads); kernels \(kernels), BLAS \(BLASInfo.coreName)")
        let labels = (0..<n).map { UInt64($0) }
        let vectors = Array(UnsafeBufferPointer(start: data.base.pointer, count: data.base.count))

        var seconds1t: Double?
        if settings.singleThreadBuild && threads > 1 {
            seconds1t = try build(labels: labels, vectors: vectors, dimension: dim, threads: 1).seconds
            log("  build 1 thread: \(shortDecimal(seconds1t!)) s")
        }
        let (index, seconds) = try build(labels: labels, vectors: vectors, dimension: dim, threads: threads)
        log("  build \(threads) threads: \(shortDecimal(seconds)) s")
        if settings.singleThreadBuild && threads == 1 { seconds1t = seconds }
        return (try measure(index, data: data, buildSeconds: seconds, buildSeconds1t: seconds1t), index)
    }

    /// Saves and reloads `index`, then sweeps ef_search on it.
    func measure(
        _ index: HNSWIndex, data: IndexBenchDataset, buildSeconds seconds: Double, buildSeconds1t seconds1t: Double?
    ) throws(IndexBenchError) -> IndexBenchReport {
        let (n, dim) = (data.base.rows, data.base.cols)
        let threads = settings.resolvedThreads
        let saved = try saveAndReload(index, data: data)
        log("  index file \(saved.fileBytes) bytes (\(shortDecimal(saved.bytesPerVector)) per vector), "
            + "load \(String(format: "%.1f", saved.loadSeconds * 1000)) ms")

        // The built index (anonymous memory, huge pages where the kernel grants them), or with
        // `searchesReloadedIndex` the index reopened from its checkpoint, as a restarted server serves it.
        let searched = settings.searchesReloadedIndex ? saved.index : index
        warmUp(searched, data: data)
        var runs: [IndexBenchRun] = []
        for ef in settings.efSearch {
            let run = try measure(searched, data: data, ef: ef, threads: threads)
            log("  ef=\(ef) r@1=\(shortDecimal(run.recallAt1)) r@10=\(shortDecimal(run.recallAt10)) "
                + "r@100=\(shortDecimal(run.recallAt100)) qps_1t=\(Int(run.qps1t)) qps_all=\(Int(run.qpsAll)) "
                + "p50=\(shortDecimal(run.p50Us))us p99=\(shortDecimal(run.p99Us))us")
            runs.append(run)
        }
        return IndexBenchReport(
            engine: engine, n: n, dim: dim, m: settings.m, efConstruction: settings.efConstruction, buildSeconds: seconds,
            buildThreads: threads, buildSeconds1t: seconds1t, bytesPerVector: saved.bytesPerVector,
            loadSeconds: saved.loadSeconds, simd: kernels, blasCore: BLASInfo.coreName, runs: runs)
    }

    /// "cairn", or "cairn-int8" for the quantized walk.
    var engine: String { settings.quantization == .none ? "cairn" : "cairn-\(settings.quantization.rawValue)" }

    /// The float kernels' level, plus the int8 kernels' when the walk is quantized ("avx2, int8 avx2").
    var kernels: String {
        settings.quantization == .none ? SIMDInfo.level : "\(SIMDInfo.level), int8 \(Int8Codes.level)"
    }

    /// Builds a fresh index from all base vectors on `threads` threads and times it.
    func build(
        labels: [UInt64], vectors: [Float], dimension: Int, threads: Int
    ) throws(IndexBenchError) -> (index: HNSWIndex, seconds: Double) {
        var config = IndexConfiguration(
            dimension: dimension, metric: settings.metric, m: settings.m, efConstruction: settings.efConstruction)
        config.quantization = settings.quantization
        do throws(IndexError) {
            let index = try HNSWIndex(configuration: config)
            let start = BenchClock.nanoseconds()
            try index.insert(labels: labels, vectors: vectors, threads: threads)
            let seconds = Double(BenchClock.nanoseconds() - start) / 1e9
            guard index.count == labels.count else {
                throw IndexError.corrupt("the index holds \(index.count) vectors after inserting \(labels.count)")
            }
            return (index, seconds)
        } catch {
            throw error.isUserError ? .dataset("the index refused the base vectors: \(error)")
                : .failed("building the index: \(error)")
        }
    }

    /// Searches the first queries once so that the timed loops start with warm caches and scratch pools.
    func warmUp(_ index: HNSWIndex, data: IndexBenchDataset) {
        let count = min(data.queries.rows, 200)
        let options = SearchOptions(k: min(settings.k, data.base.rows), efSearch: settings.efSearch.max())
        for q in 0..<count {
            _ = try? index.search(data.query(q), options: options)
        }
    }
}

/// Three or four significant decimals for log lines.
func shortDecimal(_ value: Double) -> String {
    String(format: value >= 100 ? "%.0f" : value >= 1 ? "%.2f" : "%.4f", value)
}
