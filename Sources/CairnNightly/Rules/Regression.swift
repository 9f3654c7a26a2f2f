import Foundation

/// A figure that broke a rule, with what it was compared against.
public struct Regression: Sendable, Hashable, Codable {
    public enum Rule: String, Sendable, Hashable, Codable {
        /// Below the figure's configured floor.
        case floor
        /// Worse than the median of comparable earlier runs by more than its kind's threshold.
        case median
    }

    /// The figure's key (`section/name`).
    public var figure: String
    public var rule: Rule
    /// The value judged: the figure's value for a floor, its ``BenchFigure/judged`` value for a median.
    public var value: Double
    /// The floor, or the median it was compared with.
    public var reference: Double
    /// How much worse, as a fraction of the reference (0.12 = 12 % worse).
    public var worseBy: Double
    /// The peer of a ratio, when the ratio was judged.
    public var peer: String?
    /// The runs the median was taken over (ids, oldest first); empty for a floor.
    public var againstRuns: [Int64]

    public init(figure: String, rule: Rule, value: Double, reference: Double, worseBy: Double, peer: String?,
                againstRuns: [Int64]) {
        self.figure = figure
        self.rule = rule
        self.value = value
        self.reference = reference
        self.worseBy = worseBy
        self.peer = peer
        self.againstRuns = againstRuns
    }

    /// One line for a log or a CI summary: what, how much, against which runs.
    public var line: String {
        let what = peer.map { "\(figure) (ratio to \($0))" } ?? figure
        switch rule {
        case .floor:
            return String(format: "REGRESSION %@: %.4g is below its floor %.4g", what, value, reference)
        case .median:
            let runs = againstRuns.map(String.init).joined(separator: ", ")
            return String(format: "REGRESSION %@: %.4g is %.1f %% worse than %.4g, the median of runs %@",
                          what, value, worseBy * 100, reference, runs)
        }
    }
}

extension RegressionRules {
    /// The regressions of `run` against `history` (earlier runs, any order, any machine).
    ///
    /// For each figure: its floor if it has one; then the median of its judged value over the last
    /// ``comparableRuns`` earlier runs of the same machine kind that measured it (with the same peer when a
    /// ratio is judged), when there are at least ``minimumRuns`` of them.
    public func regressions(of run: NightlyRun, history: [NightlyRun]) -> [Regression] {
        var found: [Regression] = []
        for floor in floors {
            guard let figure = run.figure(floor.figure), figure.value < floor.min else { continue }
            found.append(Regression(figure: figure.key, rule: .floor, value: figure.value, reference: floor.min,
                                    worseBy: floor.min == 0 ? 1 : (floor.min - figure.value) / abs(floor.min),
                                    peer: nil, againstRuns: []))
        }
        let earlier = Self.comparable(history, to: run)
        for figure in run.figures {
            guard figure.kind != .info, let threshold = thresholds[figure.kind] else { continue }
            let usesRatio = figure.ratio != nil
            let samples = Array(earlier.lazy.compactMap { past in Self.judged(figure, in: past).map { (run: past.id, value: $0) } }
                .prefix(comparableRuns))
            guard samples.count >= minimumRuns, let median = Self.median(samples.map(\.value)), median != 0 else {
                continue
            }
            // Ratios are better when larger; plain values in the figure's own direction.
            let higherIsBetter = usesRatio || figure.higherIsBetter
            let worse = higherIsBetter ? (median - figure.judged) / abs(median) : (figure.judged - median) / abs(median)
            guard worse > threshold else { continue }
            found.append(Regression(figure: figure.key, rule: .median, value: figure.judged, reference: median,
                                    worseBy: worse, peer: usesRatio ? figure.peer : nil,
                                    againstRuns: samples.map(\.run).sorted()))
        }
        return found
    }

    /// What `figure` is judged by in another run: that run's ratio to the same peer when `figure` has a ratio,
    /// else its value; nil when that run did not measure it so.
    public static func judged(_ figure: BenchFigure, in run: NightlyRun) -> Double? {
        guard let old = run.figure(figure.key) else { return nil }
        guard figure.ratio != nil else { return old.value }
        return old.peer == figure.peer ? old.ratio : nil
    }

    /// Runs before `run` (by start time, then id) on the same kind of machine, newest first.
    public static func comparable(_ history: [NightlyRun], to run: NightlyRun) -> [NightlyRun] {
        let limit = (run.startedAt, run.id == 0 ? Int64.max : run.id)
        return history.filter { $0.machine.kind == run.machine.kind && ($0.startedAt, $0.id) < limit }
            .sorted { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
    }

    /// The median (the mean of the middle two for an even count); nil for no values.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
