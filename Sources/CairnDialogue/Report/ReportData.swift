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
            let scope = tenant == nil ? "" : " AND tenant = ?"
            let bindings: [SQLValue] = [.text(start), .text(end)] + (tenant.map { [SQLValue.text($0)] } ?? [])
            // One pass over the narrow citation rows of the range: counts per material, then per licence.
            var perMaterial: [(id: Int64, title: String, license: String, count: Int)] = []
            try database.withStatement("""
                SELECT material_id, max(material_title), max(license_type), count(*) FROM ai_dialogue_citations
                WHERE created_at >= ? AND created_at < ?\(scope) GROUP BY material_id
                """) { statement in
                try statement.forEachRow(bindings) { r in
                    perMaterial.append((r.int64(at: 0), r.string(at: 1) ?? "?", r.string(at: 2) ?? "unknown",
                                        Int(r.int64(at: 3))))
                }
            }
            let top = perMaterial.sorted { $0.count != $1.count ? $0.count > $1.count : $0.id < $1.id }.prefix(10).map {
                CitedMaterial(materialID: $0.id, title: $0.title, license: $0.license, citations: $0.count)
            }
            var byLicence: [String: Int] = [:]
            for m in perMaterial { byLicence[m.license, default: 0] += m.count }
            let licences = byLicence.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(12)
                .map { (license: $0.key, citations: $0.value) }
            let uncited = try database.query("""
                SELECT d.id, d.created_at, d.tenant, d.model_used, d.query FROM ai_dialogue_log d
                WHERE d.citation_count = 0 AND d.created_at >= ? AND d.created_at < ?\(scope.replacingOccurrences(of: "tenant", with: "d.tenant"))
                ORDER BY d.created_at DESC LIMIT 12
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
