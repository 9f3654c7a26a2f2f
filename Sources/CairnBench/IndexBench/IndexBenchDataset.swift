public import CairnVectorMath
import Foundation

/// The vectors of one benchmark run: base, queries and the exact top-100 of every query.
///
/// Under the cosine metric base and queries are held normalised (the index normalises on insert too),
/// so that exact search and ground truth see the same vectors as the graph.
///
/// ```swift
/// let data = try IndexBenchDataset.load(settings) { print($0) }
/// data.base.rows, data.groundTruth[0].prefix(10)
/// ```
public struct IndexBenchDataset: Sendable {
    /// A short name for reports: the base file's name or `synthetic-n…-q…-d…-s…`.
    public var name: String
    /// The base vectors, one row per label (label `i` is row `i`).
    public var base: Matrix
    /// The query vectors.
    public var queries: Matrix
    /// Per query, the ids of its nearest base vectors, best first (at most 100).
    public var groundTruth: [[Int32]]
    /// Where the settings said the vectors come from.
    public var source: IndexBenchSettings.Source
    /// The metric the ground truth was computed under.
    public var metric: Metric
    /// A file holding ``groundTruth`` (given, or the cache written), if any.
    public var groundTruthPath: String?

    /// The number of true neighbours wanted per query: 100, or all of a smaller base.
    public var groundTruthDepth: Int { min(IndexBenchSettings.groundTruthK, base.rows) }

    /// Query `i` as the buffer the index searches with.
    public func query(_ i: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: queries.row(i), count: queries.cols)
    }

    /// Reads or generates the vectors and finds their ground truth (given, cached, or computed with BLAS).
    /// - Parameter log: receives progress lines.
    /// - Throws: ``IndexBenchError/dataset(_:)`` for unreadable or inconsistent files.
    public static func load(
        _ settings: IndexBenchSettings, log: (String) -> Void = { _ in }
    ) throws(IndexBenchError) -> IndexBenchDataset {
        let name: String, base: Matrix, queries: Matrix, given: String?, cache: String?
        switch settings.source {
        case .files(let basePath, let queriesPath, let truthPath):
            base = try read(basePath)
            queries = try read(queriesPath)
            guard base.rows > 0 else { throw .dataset("\(basePath): no vectors") }
            guard queries.rows > 0 else { throw .dataset("\(queriesPath): no vectors") }
            guard base.cols == queries.cols else {
                throw .dataset("\(queriesPath) holds \(queries.cols)-dimensional queries, \(basePath) "
                    + "\(base.cols)-dimensional vectors")
            }
            if settings.metric.normalizes {
                base.normalizeRows()
                queries.normalizeRows()
            }
            name = (basePath as NSString).lastPathComponent
            given = truthPath
            cache = basePath + ".gt\(IndexBenchSettings.groundTruthK).ivecs"
            log("dataset \(name): \(base.rows) × \(base.cols), \(queries.rows) queries")
        case .synthetic(let n, let q, let dimension, let seed):
            name = syntheticName(n: n, queries: q, dimension: dimension, seed: seed)
            let (made, seconds) = BenchClock.measure {
                SyntheticDataset.make(n: n, queries: q, dim: dimension, seed: seed)
            }
            (base, queries) = (made.base, made.queries)
            if settings.metric.normalizes { base.normalizeRows(); queries.normalizeRows() }
            given = nil
            cache = dataPath(settings, name + ".gt\(IndexBenchSettings.groundTruthK).ivecs")
            log("dataset \(name): generated in \(String(format: "%.2f", seconds)) s")
        }
        var dataset = IndexBenchDataset(
            name: name, base: base, queries: queries, groundTruth: [], source: settings.source,
            metric: settings.metric, groundTruthPath: nil)
        try dataset.resolveGroundTruth(given: given, cache: settings.cachesGroundTruth ? cache : nil, log: log)
        return dataset
    }

    /// The name of a synthetic set, which also names its files under `Benchmarks/data/`.
    public static func syntheticName(n: Int, queries: Int, dimension: Int, seed: UInt64) -> String {
        "synthetic-n\(n)-q\(queries)-d\(dimension)-s\(seed)"
    }

    /// `Benchmarks/data/<name>`.
    static func dataPath(_ settings: IndexBenchSettings, _ name: String) -> String {
        ((settings.benchmarksDirectory as NSString).appendingPathComponent("data") as NSString)
            .appendingPathComponent(name)
    }

    static func read(_ path: String) throws(IndexBenchError) -> Matrix {
        do { return try FVecs.read(path) } catch { throw wrap(error) }
    }

    static func wrap(_ error: DatasetError) -> IndexBenchError {
        error.category == .serviceError ? .failed("\(error)") : .dataset("\(error)")
    }
}

/// The dataset as files a peer process can read.
public struct IndexBenchFiles: Sendable, Equatable {
    /// Base vectors (`.fvecs`).
    public var base: String
    /// Queries (`.fvecs`).
    public var queries: String
    /// Ground truth (`.ivecs`).
    public var groundTruth: String
}

extension IndexBenchDataset {
    /// Makes sure base, queries and ground truth exist as files and returns their paths.
    ///
    /// Files given on the command line are used as they are; a synthetic set is written once under
    /// `dataDirectory` (`Benchmarks/data/`, git-ignored) and reused while its size matches.
    public func files(dataDirectory: String) throws(IndexBenchError) -> IndexBenchFiles {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw .failed("cannot create \(dataDirectory): \(error.localizedDescription)")
        }
        func inData(_ file: String) -> String { (dataDirectory as NSString).appendingPathComponent(file) }
        let basePath: String, queriesPath: String
        switch source {
        case .files(let b, let q, _):
            (basePath, queriesPath) = (b, q)
        case .synthetic:
            (basePath, queriesPath) = (inData(name + ".base.fvecs"), inData(name + ".query.fvecs"))
            do {
                for (matrix, path) in [(base, basePath), (queries, queriesPath)]
                where fileSize(path) != matrix.rows * (4 + 4 * matrix.cols) {
                    try FVecs.write(matrix, to: path)
                }
            } catch {
                throw Self.wrap(error)
            }
        }
        var truthPath = groundTruthPath
        if truthPath == nil {
            let path = inData(name + ".gt\(IndexBenchSettings.groundTruthK).ivecs")
            do { try FVecs.writeIVecs(groundTruth, to: path) } catch { throw Self.wrap(error) }
            truthPath = path
        }
        return IndexBenchFiles(base: basePath, queries: queriesPath, groundTruth: truthPath!)
    }

    func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
    }
}
