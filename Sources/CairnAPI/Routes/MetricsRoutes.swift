import CairnDialogue
import CairnIngest
import CairnService
import Foundation
import Hummingbird

/// The daily picture and data governance: `GET /v1/metrics/rag`, `GET /v1/report` (HTML), `POST
/// /v1/retention/run`, `DELETE /v1/users/{user_id}/data` and `POST`/`GET /v1/recall-check` (admin keys).
struct MetricsRoutes {
    let service: CairnService

    func register(on router: Router<CairnRequestContext>) {
        router.get("/v1/metrics/rag") { request, context in try metrics(request, context) }
        router.get("/v1/report") { request, context in try await report(request, context) }
        router.post("/v1/retention/run") { request, context in try await retention(request, context) }
        router.delete("/v1/users/{user_id}/data") { request, context in try await erase(request, context) }
        router.post("/v1/recall-check") { request, context in try await recallCheck(request, context) }
        router.get("/v1/recall-check") { request, context in try lastRecallCheck(request, context) }
    }

    func recallCheck(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        return JSONResponse.make(Wire.recallCheck(try await service.recallCheck(as: identity)))
    }

    func lastRecallCheck(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        guard identity.role == .admin else { throw ServiceError(.forbidden, "recall checks need an admin key") }
        guard let report = service.lastRecallCheck else {
            throw ServiceError(.notFound, "no recall check has run since the start; POST /v1/recall-check runs one")
        }
        return JSONResponse.make(Wire.recallCheck(report))
    }

    /// `from` and `to` as days (default: the 30 days up to today, UTC). A value that is not a date is a 400; a
    /// date the range cannot use (from after to, over 366 days, before year 1) is a 422.
    static func range(_ query: inout QueryParameters) throws(ServiceError) -> (String, String) {
        func day(_ key: String) throws(ServiceError) -> String? {
            guard let raw = query.string(key) else { return nil }
            guard raw.utf8.count == 10, MetadataFields.isRFC3339(raw) else {
                throw ServiceError(.invalid, "\"\(key)\" is \"\(raw)\"; give a day (YYYY-MM-DD)", field: key)
            }
            guard DailyRollup.date(raw) != nil, raw >= "0001-01-01" else {
                throw ServiceError(.unprocessable, "\"\(key)\" is \(raw), a day Cairn does not report on", field: key)
            }
            return raw
        }
        let to = try day("to") ?? DailyRollup.day(Date())
        let from = try day("from") ?? DailyRollup.day(DailyRollup.date(to)!.addingTimeInterval(-29 * 86_400))
        guard from <= to else {
            throw ServiceError(.unprocessable, "\"from\" (\(from)) is after \"to\" (\(to))", field: "from")
        }
        guard DailyRollup.date(to)!.timeIntervalSince(DailyRollup.date(from)!) < Double(ReportData.maxDays) * 86_400 else {
            throw ServiceError(.unprocessable, "from \(from) to \(to) is over \(ReportData.maxDays) days", field: "from")
        }
        return (from, to)
    }

    func metrics(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        var query = QueryParameters(request)
        let (from, to) = try Self.range(&query)
        let tenant = query.string("tenant")
        try query.rejectUnknown()
        let rows = try service.ragMetrics(from: from, to: to, tenant: tenant, as: identity)
        return JSONResponse.make(["object": "list", "from": .string(from), "to": .string(to),
                                  "data": .array(rows.map(Wire.dailyMetrics))])
    }

    func report(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        var query = QueryParameters(request)
        let (from, to) = try Self.range(&query)
        let tenant = query.string("tenant")
        try query.rejectUnknown()
        let html = try await UploadRoutes.offload { [service] in
            try service.report(from: from, to: to, tenant: tenant, as: identity)
        }
        return HTMLResponse.make(html)
    }

    func retention(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        guard identity.role == .admin else { throw ServiceError(.forbidden, "retention runs need an admin key") }
        let report = try await UploadRoutes.offload { [service] in try service.runRetention() }
        return JSONResponse.make(Wire.purge(report, object: "retention_run"))
    }

    func erase(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        let raw = context.parameters.get("user_id") ?? ""
        let user = raw.removingPercentEncoding ?? raw
        guard !user.isEmpty, user.unicodeScalars.count <= 256 else {
            throw ServiceError(.invalid, "\"user_id\" must be 1 to 256 characters", field: "user_id")
        }
        let report = try await UploadRoutes.offload { [service] in try service.eraseUser(user, as: identity) }
        return JSONResponse.make(Wire.purge(report, object: "user_erasure"))
    }
}

extension Wire {
    static func recallSample(_ s: RecallSample) -> JSONValue {
        ["chunks": .int(s.chunks), "queries": .int(s.queries), "logged_queries": .int(s.loggedQueries),
         "recall": .double(s.recall), "worst": .double(s.worst), "exact_scans": .int(s.exactScans),
         "below_floor": .bool(s.belowFloor)]
    }

    static func recallCheck(_ r: RecallCheckReport) -> JSONValue {
        [
            "object": "recall_check", "started_at": .string(r.startedAt), "seconds": .double(r.seconds),
            "k": .int(r.k), "ef_search": .int(r.efSearch), "floor": .double(r.floor),
            "overall": r.overall.map(recallSample) ?? .null,
            "tenants": .object(r.tenants.sorted { $0.key < $1.key }.map { ($0.key, recallSample($0.value)) }),
            "tenants_not_checked": .int(r.tenantsNotChecked),
            "below_floor": .array(r.belowFloor.map(JSONValue.string)), "failed": .bool(r.failed),
        ]
    }

    static func purge(_ r: PurgeReport, object: String) -> JSONValue {
        ["object": .string(object), "materials": .int(r.materials), "chunks": .int(r.chunks),
         "embedding_cache_entries": .int(r.embeddingCacheEntries), "dialogues": .int(r.dialogues),
         "retrievals": .int(r.retrievals), "audit_id": .int(r.auditID)]
    }

    static func dailyMetrics(_ m: DailyMetrics) -> JSONValue {
        func number(_ v: Double?) -> JSONValue { v.map(JSONValue.double) ?? .null }
        return [
            "day": .string(m.day), "tenant": .string(m.tenant), "answers": .int(m.answers),
            "unique_users": .int(m.uniqueUsers), "citation_rate_mean": number(m.citationRateMean),
            "citations_per_answer": number(m.citationsPerAnswer), "answers_without_citation": .int(m.answersWithoutCitation),
            "latency_p50_ms": number(m.latencyP50), "latency_p95_ms": number(m.latencyP95),
            "latency_p99_ms": number(m.latencyP99), "cost_per_answer_jpy": .string(m.costPerAnswer?.description),
            "total_cost_jpy": .string(m.totalCost.description), "unpriced_answers": .int(m.unpricedAnswers),
            "relevance_mean": number(m.relevanceMean),
            "feedback": ["positive": .int(m.feedbackPositive), "neutral": .int(m.feedbackNeutral),
                         "negative": .int(m.feedbackNegative)],
            "slo_compliance": .array(m.objectives.map {
                ["metric": .string($0.metric), "comparison": .string($0.comparison), "target": .double($0.target),
                 "actual": number($0.actual), "met": $0.met.map(JSONValue.bool) ?? .null]
            }),
            "all_met": m.allMet.map(JSONValue.bool) ?? .null, "computed_at": .string(m.computedAt),
        ]
    }
}
