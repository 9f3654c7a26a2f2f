@testable import CairnDialogue
import CairnIngest
import CairnSQL
import Foundation
import TestSupport
import Testing

@Suite("Daily rollup and SLOs")
struct RollupTests {
    static func store() throws -> (TemporaryDirectory, MaterialStore, DialogueStore) {
        let dir = try TemporaryDirectory()
        let store = try MaterialStore(dataDirectory: dir.path)
        return (dir, store, try DialogueStore(databasePath: store.path))
    }

    static func answer(_ tenant: String, user: String, at: String, latency: Double, response: String = "Fact [1]. Other.",
                       model: String = "gpt-4o-mini", prompt: Int = 1_000, completion: Int = 200) -> DialogueInput {
        var d = DialogueInput(tenant: tenant, userID: user, sessionID: "s", query: "q", response: response, modelUsed: model,
                              latencyTotalMilliseconds: latency, promptTokens: prompt, completionTokens: completion)
        d.createdAt = ISO8601DateFormatter().date(from: at)
        return d
    }

    @Test("rows per day and tenant; figures against brute force; re-running writes nothing; late feedback updates")
    func rollup() throws {
        let (_, store, dialogues) = try Self.store()
        var generator = SystemRandomNumberGenerator()
        var latencies: [String: [Double]] = ["A": [], "B": []]
        var ids: [Int64] = []
        for i in 0..<300 {
            let tenant = i % 3 == 0 ? "B" : "A"
            let latency = Double(Int.random(in: 50...5_000, using: &generator))
            latencies[tenant]!.append(latency)
            let response = i % 5 == 0 ? "No source here." : "Fact [1]. Other."
            let model = i % 7 == 0 ? "unknown-model" : "gpt-4o-mini"
            ids.append(try dialogues.record(Self.answer(tenant, user: "u\(i % 11)", at: "2026-11-03T\(10 + i % 10):00:00Z",
                                                        latency: latency, response: response, model: model),
                                            retrieval: nil, prices: .standard).id)
        }
        // An answer a minute after midnight belongs to the next day.
        try dialogues.record(Self.answer("A", user: "late", at: "2026-11-04T00:01:00Z", latency: 1), retrieval: nil,
                             prices: .standard)
        let rollup = DailyRollup(database: store.database)
        let first = try rollup.rollUp(from: "2026-11-02", to: "2026-11-04", objectives: ServiceLevelObjective.defaults)
        #expect(first.days == 3 && first.answers == 301 && first.written == 3 && first.removed == 0)
        let rows = try rollup.history(from: "2026-11-01", to: "2026-11-30", tenant: nil)
        #expect(rows.map { "\($0.day) \($0.tenant)" } == ["2026-11-03 A", "2026-11-03 B", "2026-11-04 A"])
        for row in rows where row.day == "2026-11-03" {
            let sorted = latencies[row.tenant]!.sorted()
            #expect(row.answers == sorted.count)
            // Brute force: the smallest observed latency with at least p of all at or below it.
            func oracle(_ p: Int) -> Double { sorted.first { v in sorted.filter { $0 <= v }.count * 100 >= p * sorted.count }! }
            #expect(row.latencyP50 == oracle(50) && row.latencyP95 == oracle(95) && row.latencyP99 == oracle(99))
            let indices = (0..<300).filter { ($0 % 3 == 0 ? "B" : "A") == row.tenant }
            // No answer here recorded a citation (markers alone are not citations).
            #expect(row.answersWithoutCitation == indices.count)
            #expect(row.unpricedAnswers == indices.filter { $0 % 7 == 0 }.count)
            #expect(row.uniqueUsers == Set(indices.map { $0 % 11 }).count)
            // Every priced answer costs 1,000 × 22.50 + 200 × 90 per million = 0.0405 → ¥0.04.
            let priced = indices.filter { $0 % 7 != 0 }.count
            #expect(row.totalCost == Yen(hundredths: Int64(4 * priced)))
            #expect(row.costPerAnswer == Yen(hundredths: 4))
            let cited = Double(indices.filter { $0 % 5 != 0 }.count) * 0.5
            #expect(abs(row.citationRateMean! - cited / Double(indices.count)) < 1e-12)
            // Objectives: p95 ≤ 2000 ms is missed (latencies go to 5 s), citation rate ≥ 0.7 missed, cost met.
            let verdicts = Dictionary(uniqueKeysWithValues: row.objectives.map { ($0.metric, $0.met) })
            #expect(verdicts["latency_p95_ms"] == false && verdicts["citation_rate_mean"] == false)
            #expect(verdicts["cost_per_answer_jpy"] == true)
            #expect(row.allMet == false)
        }
        // Idempotent: nothing changes, nothing is written.
        let again = try rollup.rollUp(from: "2026-11-02", to: "2026-11-04", objectives: ServiceLevelObjective.defaults)
        #expect(again.written == 0 && again.unchanged == 3)
        let rowsAgain = try rollup.history(from: "2026-11-01", to: "2026-11-30", tenant: nil)
        #expect(rowsAgain == rows)
        // Late feedback moves exactly that day's row of that tenant.
        _ = try dialogues.setFeedback(ids[1], 1, tenant: nil)
        let late = try rollup.rollUp(from: "2026-11-03", to: "2026-11-04", objectives: ServiceLevelObjective.defaults)
        #expect(late.written == 1 && late.unchanged == 2)
        #expect(try rollup.history(from: "2026-11-03", to: "2026-11-03", tenant: "A").first?.feedbackPositive == 1)
        // Answers gone (an erasure): the row goes too.
        try store.database.execute("DELETE FROM ai_dialogue_log WHERE created_at LIKE '2026-11-04%'")
        let emptied = try rollup.rollUp(from: "2026-11-04", to: "2026-11-04", objectives: ServiceLevelObjective.defaults)
        #expect(emptied.removed == 1)
        #expect(try rollup.history(from: "2026-11-04", to: "2026-11-04", tenant: nil).isEmpty)
    }

    @Test("objectives: upper and lower bounds, nothing to judge, every metric")
    func objectives() {
        var rows: [RollupRow] = []
        for i in 1...20 {
            let feedback: Int? = i % 5 == 0 ? -1 : (i % 2 == 0 ? 1 : nil)
            rows.append(RollupRow(tenant: "T", userID: "u", citationRate: 0.8, citationCount: i % 4 == 0 ? 0 : 2,
                                  latencyTotal: Double(i * 100), cost: Yen(hundredths: 300), relevance: 0.5,
                                  feedback: feedback))
        }
        let all: [ServiceLevelObjective] = ServiceLevelObjective.Metric.allCases.map { metric in
            ServiceLevelObjective(metric, metric.isUpperBound ? 1_500 : 0.6)
        }
        let m = DailyMetrics.compute(day: "2026-11-03", tenant: "T", rows: rows, objectives: all, computedAt: "")
        var byMetric: [String: ObjectiveResult] = [:]
        for o in m.objectives { byMetric[o.metric] = o }
        #expect(byMetric["latency_p50_ms"]?.actual == 1_000 && byMetric["latency_p50_ms"]?.met == true)
        #expect(byMetric["latency_p95_ms"]?.actual == 1_900 && byMetric["latency_p95_ms"]?.met == false)
        #expect(byMetric["citation_rate_mean"]?.met == true)
        #expect(byMetric["relevance_mean"]?.actual == 0.5 && byMetric["relevance_mean"]?.met == false)
        #expect(byMetric["cost_per_answer_jpy"]?.actual == 3)
        #expect(byMetric["uncited_answer_share"]?.actual == 0.25)
        // Negative share of the rated answers: 4 of 4 + 8 positives (even, not multiples of 5) = 4 / 12.
        #expect(abs((byMetric["negative_feedback_share"]?.actual ?? 0) - 4.0 / 12.0) < 1e-12)
        let empty = DailyMetrics.compute(day: "2026-11-03", tenant: "T", rows: [], objectives: all, computedAt: "")
        #expect(empty.objectives.allSatisfy { $0.met == nil && $0.actual == nil })
        #expect(empty.allMet == nil)
    }
}
