import CairnIngest
public import CairnSQL
public import Foundation

/// Everything the report shows, read from the store for a range of days and one tenant or all.
public struct ReportData: Sendable {
    public struct CitedMaterial: Sendable, Hashable {
        public var materialID: Int64
        public var title: String
        public var license: String
        public var citations: Int
    }

    public struct UncitedAnswer: Sendable, Hashable {
        public var id: Int64
        public var createdAt: String
        public var tenant: String
        public var model: String
        public var query: String
    }

    public var from: String
    public var to: String
    /// The tenant, or nil for all.
    public var tenant: String?
    public var objectives: [ServiceLevelObjective]
    /// Each day's figures.
    public var days: [DailyMetrics]
    /// The whole range's figures (percentiles over every answer of the range).
    public var total: DailyMetrics
    public var topMaterials: [CitedMaterial]
    public var licences: [(license: String, citations: Int)]
    public var uncited: [UncitedAnswer]
    public var generatedAt: String

    /// The most days a report covers.
    public static let maxDays = 366

    /// Reads the range `from`…`to` (inclusive days) of `tenant` (nil: all tenants).
    public static func load(_ database: SQLiteDatabase, from: String, to: String, tenant: String?,
                            objectives: [ServiceLevelObjective]) throws(DialogueError) -> ReportData {
        let dayList = try DailyRollup.days(from: from, to: to)
        guard dayList.count <= maxDays else {
            throw DialogueError(.invalid, "a report covers at most \(maxDays) days; \(from) to \(to) is \(dayList.count)",
                                field: "from")
        }
        let rollup = DailyRollup(database: database)
        let now = storeTimestamp()
        do {
            var days: [DailyMetrics] = []
            var all: [RollupRow] = []
            for day in dayList {
                let rows = try rollup.answers(on: DailyRollup.date(day)!, tenant: tenant).values.flatMap { $0 }
                days.append(DailyMetrics.compute(day: day, tenant: tenant ?? "all", rows: rows, objectives: objectives,
                                                 computedAt: now))
                all += rows
            }
            let total = DailyMetrics.compute(day: "\(from)…\(to)", tenant: tenant ?? "all", rows: all,
                                             objectives: objectives, computedAt: now)
            let start = storeTimestamp(DailyRollup.date(from)!)
            let end = storeTimestamp(DailyRollup.date(to)!.addingTimeInterval(86_400))
            let scope = tenant == nil ? "" : " AND d.tenant = ?"
            let bindings: [SQLValue] = [.text(start), .text(end)] + (tenant.map { [SQLValue.text($0)] } ?? [])
            let top = try database.query("""
                SELECT json_extract(c.value, '$.material_id'), max(json_extract(c.value, '$.material_title')),
                    max(json_extract(c.value, '$.provenance.license_type')), count(*)
                FROM ai_dialogue_log d, json_each(d.citations) c
                WHERE d.created_at >= ? AND d.created_at < ?\(scope)
                GROUP BY 1 ORDER BY 4 DESC, 1 LIMIT 10
                """, bindings).map { r in
                CitedMaterial(materialID: try r.get(0), title: (try r.get(1) as String?) ?? "?",
                              license: (try r.get(2) as String?) ?? "unknown", citations: try r.get(3))
            }
            let licences = try database.query("""
                SELECT coalesce(json_extract(c.value, '$.provenance.license_type'), 'unknown'), count(*)
                FROM ai_dialogue_log d, json_each(d.citations) c
                WHERE d.created_at >= ? AND d.created_at < ?\(scope)
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 12
                """, bindings).map { r in (license: try r.get(0, as: String.self), citations: try r.get(1, as: Int.self)) }
            let uncited = try database.query("""
                SELECT d.id, d.created_at, d.tenant, d.model_used, d.query FROM ai_dialogue_log d
                WHERE d.citation_count = 0 AND d.created_at >= ? AND d.created_at < ?\(scope)
                ORDER BY d.id DESC LIMIT 12
                """, bindings).map { r in
                UncitedAnswer(id: try r.get(0), createdAt: try r.get(1), tenant: try r.get(2), model: try r.get(3),
                              query: try r.get(4))
            }
            return ReportData(from: from, to: to, tenant: tenant, objectives: objectives, days: days, total: total,
                              topMaterials: top, licences: licences, uncited: uncited, generatedAt: now)
        } catch {
            throw .storage("reading the report's data", error)
        }
    }
}
