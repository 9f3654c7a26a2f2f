import CairnIngest
public import CairnSQL
public import Foundation

/// `rag_metrics_history`: the dialogue log summed up per UTC day and tenant, judged against the objectives.
///
/// ``rollUp(from:to:objectives:)`` is idempotent: for each day it reads that day's answers (through the
/// `created_at` index), computes every tenant's row, writes the rows whose figures changed (keeping their ids),
/// and deletes rows of tenants with no answers left that day (after an erasure, say). Run again over the same
/// days it writes nothing; run after late feedback it updates exactly the rows that moved.
public struct DailyRollup: Sendable {
    public let database: SQLiteDatabase

    public init(database: SQLiteDatabase) {
        self.database = database
    }

    /// What a rollup did.
    public struct Report: Sendable, Hashable {
        public var days = 0
        public var answers = 0
        /// Rows written (new or changed), left as they were, and removed.
        public var written = 0
        public var unchanged = 0
        public var removed = 0
        public var seconds = 0.0
    }

    /// `YYYY-MM-DD` of a date in UTC.
    public static func day(_ date: Date) -> String {
        String(storeTimestamp(date).prefix(10))
    }

    /// The days from `from` to `to` inclusive (`YYYY-MM-DD`), at most 100 years of them.
    public static func days(from: String, to: String) throws(DialogueError) -> [String] {
        guard let start = date(from) else { throw DialogueError(.invalid, "\"\(from)\" is not a day (YYYY-MM-DD)", field: "from") }
        guard let end = date(to) else { throw DialogueError(.invalid, "\"\(to)\" is not a day (YYYY-MM-DD)", field: "to") }
        guard start <= end else { throw DialogueError(.invalid, "from \(from) is after to \(to)", field: "from") }
        let count = Int((end.timeIntervalSince(start) / 86_400).rounded()) + 1
        guard count <= 36_600 else { throw DialogueError(.invalid, "from \(from) to \(to) is over 100 years", field: "from") }
        return (0..<count).map { day(start.addingTimeInterval(Double($0) * 86_400)) }
    }

    /// Midnight UTC of `YYYY-MM-DD`.
    public static func date(_ day: String) -> Date? {
        guard day.count == 10, day.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        guard let date = formatter.date(from: day), Self.day(date) == day else { return nil }
        return date
    }

    /// The first and last day holding answers, if any.
    public func span() throws(DialogueError) -> (first: String, last: String)? {
        do {
            guard let row = try database.queryFirst("SELECT min(created_at), max(created_at) FROM ai_dialogue_log"),
                  let first: String = try row.get(0), let last: String = try row.get(1) else { return nil }
            return (String(first.prefix(10)), String(last.prefix(10)))
        } catch {
            throw .storage("reading the dialogue log's span", error)
        }
    }

    /// Rolls up every day from `from` to `to` (inclusive, `YYYY-MM-DD`); see the type's description.
    @discardableResult
    public func rollUp(from: String, to: String, objectives: [ServiceLevelObjective],
                       progress: (String, Int) -> Void = { _, _ in }) throws(DialogueError) -> Report {
        let started = Date()
        var report = Report()
        for day in try Self.days(from: from, to: to) {
            let (answers, written, unchanged, removed) = try rollUp(day: day, objectives: objectives)
            report.days += 1
            report.answers += answers
            report.written += written
            report.unchanged += unchanged
            report.removed += removed
            progress(day, answers)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func rollUp(day: String, objectives: [ServiceLevelObjective]) throws(DialogueError)
        -> (Int, Int, Int, Int) {
        guard let start = Self.date(day) else { throw DialogueError(.invalid, "\"\(day)\" is not a day", field: "from") }
        let now = storeTimestamp()
        do {
            return try database.transaction(.immediate) { () throws -> (Int, Int, Int, Int) in
                let byTenant = try answers(on: start)
                let answers = byTenant.values.reduce(0) { $0 + $1.count }
                let existing = try stored(day: day)
                var written = 0, unchanged = 0
                for (tenant, rows) in byTenant {
                    let metrics = DailyMetrics.compute(day: day, tenant: tenant, rows: rows, objectives: objectives,
                                                       computedAt: now)
                    if let old = existing[tenant], old.sameFigures(as: metrics) {
                        unchanged += 1
                        continue
                    }
                    try upsert(metrics)
                    written += 1
                }
                var removed = 0
                for tenant in existing.keys where byTenant[tenant] == nil {
                    removed += try database.execute("DELETE FROM rag_metrics_history WHERE day = ? AND tenant = ?",
                                                    [.text(day), .text(tenant)])
                }
                return (answers, written, unchanged, removed)
            }
        } catch let error as DialogueError {
            throw error
        } catch {
            throw .storage("rolling up \(day)", error)
        }
    }

    /// The answers of the UTC day starting at `start`, by tenant (of `tenant` only when given).
    func answers(on start: Date, tenant: String? = nil) throws -> [String: [RollupRow]] {
        var byTenant: [String: [RollupRow]] = [:]
        try database.withStatement("""
            SELECT tenant, user_id, citation_rate, citation_count, latency_total_ms, token_cost_jpy,
                relevance_score, user_feedback
            FROM ai_dialogue_log WHERE created_at >= ? AND created_at < ?
            """) { statement in
            try statement.forEachRow([.text(storeTimestamp(start)),
                                      .text(storeTimestamp(start.addingTimeInterval(86_400)))]) { r in
                let rowTenant = r.string(at: 0) ?? ""
                if let tenant, rowTenant != tenant { return }
                let row = RollupRow(
                    tenant: rowTenant, userID: r.string(at: 1) ?? "", citationRate: r.double(at: 2),
                    citationCount: Int(r.int64(at: 3)), latencyTotal: r.double(at: 4),
                    cost: r.isNull(at: 5) ? nil : r.string(at: 5).flatMap(Yen.init),
                    relevance: r.isNull(at: 6) ? nil : r.double(at: 6),
                    feedback: r.isNull(at: 7) ? nil : Int(r.int64(at: 7)))
                byTenant[row.tenant, default: []].append(row)
            }
        }
        return byTenant
    }

    private func upsert(_ m: DailyMetrics) throws {
        func real(_ v: Double?) -> SQLValue { v.map(SQLValue.real) ?? .null }
        try database.execute("""
            INSERT INTO rag_metrics_history (day, tenant, answers, unique_users, citation_rate_mean, citations_per_answer,
                answers_without_citation, latency_p50_ms, latency_p95_ms, latency_p99_ms, cost_per_answer_jpy,
                total_cost_jpy, unpriced_answers, relevance_mean, feedback_positive, feedback_neutral, feedback_negative,
                slo_compliance, computed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (day, tenant) DO UPDATE SET answers = excluded.answers, unique_users = excluded.unique_users,
                citation_rate_mean = excluded.citation_rate_mean, citations_per_answer = excluded.citations_per_answer,
                answers_without_citation = excluded.answers_without_citation, latency_p50_ms = excluded.latency_p50_ms,
                latency_p95_ms = excluded.latency_p95_ms, latency_p99_ms = excluded.latency_p99_ms,
                cost_per_answer_jpy = excluded.cost_per_answer_jpy, total_cost_jpy = excluded.total_cost_jpy,
                unpriced_answers = excluded.unpriced_answers, relevance_mean = excluded.relevance_mean,
                feedback_positive = excluded.feedback_positive, feedback_neutral = excluded.feedback_neutral,
                feedback_negative = excluded.feedback_negative, slo_compliance = excluded.slo_compliance,
                computed_at = excluded.computed_at
            """, [
                .text(m.day), .text(m.tenant), .int(m.answers), .int(m.uniqueUsers), real(m.citationRateMean),
                real(m.citationsPerAnswer), .int(m.answersWithoutCitation), real(m.latencyP50), real(m.latencyP95),
                real(m.latencyP99), m.costPerAnswer.map { .text($0.description) } ?? .null, .text(m.totalCost.description),
                .int(m.unpricedAnswers), real(m.relevanceMean), .int(m.feedbackPositive), .int(m.feedbackNeutral),
                .int(m.feedbackNegative), .text(DialogueJSON.encode(m.objectives)), .text(m.computedAt),
            ])
    }

    /// The stored rows of `day`, by tenant.
    func stored(day: String) throws -> [String: DailyMetrics] {
        var out: [String: DailyMetrics] = [:]
        for m in try rows(where: "day = ?", [.text(day)]) { out[m.tenant] = m }
        return out
    }

    /// Stored rows from `from` to `to` (inclusive days), of `tenant` when given, by day then tenant.
    public func history(from: String, to: String, tenant: String?) throws(DialogueError) -> [DailyMetrics] {
        do {
            return try rows(where: "day >= ? AND day <= ?" + (tenant == nil ? "" : " AND tenant = ?"),
                            [.text(from), .text(to)] + (tenant.map { [SQLValue.text($0)] } ?? []))
        } catch {
            throw .storage("reading rag_metrics_history", error)
        }
    }

    private func rows(where condition: String, _ bindings: [SQLValue]) throws -> [DailyMetrics] {
        try database.query("""
            SELECT day, tenant, answers, unique_users, citation_rate_mean, citations_per_answer, answers_without_citation,
                latency_p50_ms, latency_p95_ms, latency_p99_ms, cost_per_answer_jpy, total_cost_jpy, unpriced_answers,
                relevance_mean, feedback_positive, feedback_neutral, feedback_negative, slo_compliance, computed_at
            FROM rag_metrics_history WHERE \(condition) ORDER BY day, tenant
            """, bindings).map { row in
            DailyMetrics(
                day: try row.get(0), tenant: try row.get(1), answers: try row.get(2), uniqueUsers: try row.get(3),
                citationRateMean: try row.get(4), citationsPerAnswer: try row.get(5), answersWithoutCitation: try row.get(6),
                latencyP50: try row.get(7), latencyP95: try row.get(8), latencyP99: try row.get(9),
                costPerAnswer: (try row.get(10) as String?).flatMap(Yen.init),
                totalCost: Yen(try row.get(11) as String) ?? Yen(hundredths: 0), unpricedAnswers: try row.get(12),
                relevanceMean: try row.get(13), feedbackPositive: try row.get(14), feedbackNeutral: try row.get(15),
                feedbackNegative: try row.get(16),
                objectives: DialogueJSON.decode([ObjectiveResult].self, try row.get(17)) ?? [],
                computedAt: try row.get(18))
        }
    }
}
