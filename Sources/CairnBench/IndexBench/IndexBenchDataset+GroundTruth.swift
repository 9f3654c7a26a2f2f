import CairnVectorMath
import Foundation

extension IndexBenchDataset {
    /// Queries re-searched exactly to check that a cached ground-truth file still fits the data.
    static let spotCheckQueries = 3
    /// The share of a cached row's ids the fresh exact search must find (ties may reorder a few).
    static let spotCheckAgreement = 0.95

    /// Fills ``groundTruth`` from `given`, else from a valid file at `cache`, else by exact BLAS search
    /// (then written to `cache`, best effort).
    mutating func resolveGroundTruth(given: String?, cache: String?, log: (String) -> Void) throws(IndexBenchError) {
        let depth = groundTruthDepth
        if let given {
            let rows = try readTruth(given)
            guard rows.count >= queries.rows else {
                throw .dataset("\(given): \(rows.count) ground-truth rows for \(queries.rows) queries")
            }
            let truth = Array(rows.prefix(queries.rows))
            if let bad = truth.firstIndex(where: { $0.contains { $0 < 0 || Int($0) >= base.rows } }) {
                throw .dataset("\(given): row \(bad) names an id outside the \(base.rows) base vectors")
            }
            let columns = truth.first?.count ?? 0
            if columns < depth {
                log("warning: \(given) holds \(columns) neighbours per query; recall@100 is measured at depth \(columns)")
            }
            groundTruth = truth
            groundTruthPath = given
            return
        }
        if let cache, FileManager.default.fileExists(atPath: cache) {
            if let rows = try? FVecs.readIVecs(cache), cachedTruthFits(rows) {
                log("ground truth: cached \(cache)")
                groundTruth = rows
                groundTruthPath = cache
                return
            }
            log("ground truth: \(cache) does not match this data; recomputing")
        }
        let (truth, seconds) = BenchClock.measure {
            ExactSearch.groundTruth(queries: queries.view, base: base.view, k: depth, metric: metric)
        }
        log("ground truth: exact top-\(depth) of \(queries.rows) queries with BLAS in \(String(format: "%.2f", seconds)) s")
        groundTruth = truth
        guard let cache else { return }
        do {
            let parent = (cache as NSString).deletingLastPathComponent
            if !parent.isEmpty {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            }
            try FVecs.writeIVecs(truth, to: cache)
            groundTruthPath = cache
            log("ground truth: cached in \(cache)")
        } catch {
            log("warning: cannot cache the ground truth in \(cache): \(error)")
        }
    }

    private func readTruth(_ path: String) throws(IndexBenchError) -> [[Int32]] {
        do { return try FVecs.readIVecs(path) } catch { throw Self.wrap(error) }
    }

    /// Whether cached rows have this data's shape and agree with a fresh exact search of a few queries
    /// (a cache left by other queries or another metric fails here).
    func cachedTruthFits(_ rows: [[Int32]]) -> Bool {
        let depth = groundTruthDepth
        guard rows.count == queries.rows, rows.allSatisfy({ $0.count == depth }) else { return false }
        let checked = min(Self.spotCheckQueries, queries.rows)
        let fresh = ExactSearch.groundTruth(
            queries: queries.view.rows(0..<checked), base: base.view, k: depth, metric: metric)
        for q in 0..<checked {
            let expected = Set(fresh[q])
            let agree = rows[q].reduce(0) { $0 + (expected.contains($1) ? 1 : 0) }
            if Double(agree) < Self.spotCheckAgreement * Double(depth) { return false }
        }
        return true
    }
}
