/// A service-level objective a day's metrics are held to: a metric, a bound and the target.
///
/// Cairn's defaults are p95 latency ≤ 2,000 ms, mean citation rate ≥ 70 % and cost per answer ≤ ¥5; the
/// `slo.*` settings change or remove them and add p99 latency, mean relevance and the share of negative
/// feedback.
public struct ServiceLevelObjective: Sendable, Hashable, Codable {
    /// What is measured.
    public enum Metric: String, Sendable, Hashable, Codable, CaseIterable {
        case latencyP50 = "latency_p50_ms"
        case latencyP95 = "latency_p95_ms"
        case latencyP99 = "latency_p99_ms"
        case citationRate = "citation_rate_mean"
        case costPerAnswer = "cost_per_answer_jpy"
        case relevance = "relevance_mean"
        case negativeFeedbackShare = "negative_feedback_share"
        case uncitedShare = "uncited_answer_share"

        /// Whether the bound is an upper one (latency, cost, shares of bad outcomes) or a lower one.
        public var isUpperBound: Bool {
            switch self {
            case .citationRate, .relevance: false
            default: true
            }
        }
    }

    public var metric: Metric
    public var target: Double

    public init(_ metric: Metric, _ target: Double) {
        self.metric = metric
        self.target = target
    }

    /// `≤` or `≥`.
    public var comparison: String { metric.isUpperBound ? "<=" : ">=" }

    /// Whether `actual` meets the objective; nil when there is nothing to judge (no answers, no relevance).
    public func isMet(by actual: Double?) -> Bool? {
        guard let actual else { return nil }
        return metric.isUpperBound ? actual <= target : actual >= target
    }

    /// The defaults: p95 ≤ 2,000 ms, citation rate ≥ 0.70, cost per answer ≤ ¥5.
    public static let defaults: [ServiceLevelObjective] = [
        .init(.latencyP95, 2_000), .init(.citationRate, 0.7), .init(.costPerAnswer, 5),
    ]
}
