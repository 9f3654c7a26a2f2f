public import Foundation

/// One objective judged for one day and tenant.
public struct ObjectiveResult: Sendable, Hashable, Codable {
    /// The metric (`latency_p95_ms`).
    public var metric: String
    /// `<=` or `>=`.
    public var comparison: String
    public var target: Double
    /// The day's value; nil when there was nothing to measure.
    public var actual: Double?
    /// Whether it was met; nil when there was nothing to judge.
    public var met: Bool?
}

/// A day's answers of one tenant, summed up (`rag_metrics_history`).
public struct DailyMetrics: Sendable, Hashable {
    /// The UTC day, `YYYY-MM-DD`.
    public var day: String
    public var tenant: String
    public var answers: Int
    public var uniqueUsers: Int
    /// Mean of the answers' citation rates.
    public var citationRateMean: Double?
    public var citationsPerAnswer: Double?
    public var answersWithoutCitation: Int
    /// Exact nearest-rank percentiles of `latency_total_ms` (PostgreSQL's `percentile_disc`).
    public var latencyP50: Double?
    public var latencyP95: Double?
    public var latencyP99: Double?
    /// Total cost over the priced answers, divided by them (rounded half away from zero to hundredths).
    public var costPerAnswer: Yen?
    public var totalCost: Yen
    /// Answers whose model had no price (left out of the cost figures).
    public var unpricedAnswers: Int
    public var relevanceMean: Double?
    public var feedbackPositive: Int
    public var feedbackNeutral: Int
    public var feedbackNegative: Int
    public var objectives: [ObjectiveResult]
    public var computedAt: String

    /// The value of an objective's metric.
    public func value(of metric: ServiceLevelObjective.Metric) -> Double? {
        switch metric {
        case .latencyP50: latencyP50
        case .latencyP95: latencyP95
        case .latencyP99: latencyP99
        case .citationRate: citationRateMean
        case .costPerAnswer: costPerAnswer.map { Double($0.hundredths) / 100 }
        case .relevance: relevanceMean
        case .negativeFeedbackShare:
            feedbackPositive + feedbackNeutral + feedbackNegative == 0 ? nil
                : Double(feedbackNegative) / Double(feedbackPositive + feedbackNeutral + feedbackNegative)
        case .uncitedShare: answers == 0 ? nil : Double(answersWithoutCitation) / Double(answers)
        }
    }

    /// Whether every judged objective was met (nil when none could be judged).
    public var allMet: Bool? {
        let judged = objectives.compactMap(\.met)
        return judged.isEmpty ? nil : !judged.contains(false)
    }

    /// Equal but for when it was computed.
    func sameFigures(as other: DailyMetrics) -> Bool {
        var a = self, b = other
        a.computedAt = ""
        b.computedAt = ""
        return a == b
    }
}

/// One answer as the rollup reads it.
public struct RollupRow: Sendable {
    public var tenant: String
    public var userID: String
    public var citationRate: Double
    public var citationCount: Int
    public var latencyTotal: Double
    public var cost: Yen?
    public var relevance: Double?
    public var feedback: Int?

    public init(tenant: String, userID: String, citationRate: Double, citationCount: Int, latencyTotal: Double,
                cost: Yen?, relevance: Double?, feedback: Int?) {
        self.tenant = tenant
        self.userID = userID
        self.citationRate = citationRate
        self.citationCount = citationCount
        self.latencyTotal = latencyTotal
        self.cost = cost
        self.relevance = relevance
        self.feedback = feedback
    }
}

extension DailyMetrics {
    /// Sums up one day's answers of one tenant and judges them against `objectives`.
    public static func compute(day: String, tenant: String, rows: [RollupRow], objectives: [ServiceLevelObjective],
                               computedAt: String) -> DailyMetrics {
        let n = rows.count
        var m = DailyMetrics(
            day: day, tenant: tenant, answers: n, uniqueUsers: Set(rows.map(\.userID)).count, citationRateMean: nil,
            citationsPerAnswer: nil, answersWithoutCitation: rows.filter { $0.citationCount == 0 }.count, latencyP50: nil,
            latencyP95: nil, latencyP99: nil, costPerAnswer: nil, totalCost: Yen(hundredths: 0),
            unpricedAnswers: rows.filter { $0.cost == nil }.count, relevanceMean: nil,
            feedbackPositive: rows.filter { $0.feedback == 1 }.count, feedbackNeutral: rows.filter { $0.feedback == 0 }.count,
            feedbackNegative: rows.filter { $0.feedback == -1 }.count, objectives: [], computedAt: computedAt)
        if n > 0 {
            m.citationRateMean = rows.reduce(0) { $0 + $1.citationRate } / Double(n)
            m.citationsPerAnswer = Double(rows.reduce(0) { $0 + $1.citationCount }) / Double(n)
            let latencies = rows.map(\.latencyTotal).sorted()
            m.latencyP50 = Percentile.nearestRank(latencies, perMille: 500)
            m.latencyP95 = Percentile.nearestRank(latencies, perMille: 950)
            m.latencyP99 = Percentile.nearestRank(latencies, perMille: 990)
        }
        let priced = rows.compactMap(\.cost)
        m.totalCost = Yen(hundredths: priced.reduce(0) { $0 + $1.hundredths })
        m.costPerAnswer = Yen.mean(m.totalCost, count: priced.count)
        let relevances = rows.compactMap(\.relevance)
        if !relevances.isEmpty { m.relevanceMean = relevances.reduce(0, +) / Double(relevances.count) }
        m.objectives = objectives.map { o in
            let actual = m.value(of: o.metric)
            return ObjectiveResult(metric: o.metric.rawValue, comparison: o.comparison, target: o.target, actual: actual,
                                   met: o.isMet(by: actual))
        }
        return m
    }
}
