public import CairnDialogue
import Foundation
import Logging

extension CairnService {
    /// Rolls the dialogue log up into `rag_metrics_history` for the days `from`…`to` (see `DailyRollup`).
    public func rollUp(from: String, to: String) throws(ServiceError) -> DailyRollup.Report {
        let parts = try parts()
        return try ServiceError.catching { () throws(DialogueError) in
            try DailyRollup(database: parts.dialogues.database).rollUp(from: from, to: to,
                                                                      objectives: configuration.objectives)
        }
    }

    /// The daily rows from `from` to `to` (inclusive days), a coach's own tenant's only.
    public func ragMetrics(from: String, to: String, tenant: String?, as identity: Identity) throws(ServiceError)
        -> [DailyMetrics] {
        let parts = try parts()
        let tenant = try scope(tenant, identity: identity, field: "tenant")
        return try ServiceError.catching { () throws(DialogueError) in
            try DailyRollup(database: parts.dialogues.database).history(from: from, to: to, tenant: tenant)
        }
    }

    /// The days the nightly run rolls up: the last seven, so feedback given days after an answer still counts.
    static let nightlyRollupDays = 7

    /// Seconds from `now` to the next 00:05 UTC.
    static func secondsUntilNightly(after now: Date = Date()) -> Double {
        let day = floor(now.timeIntervalSince1970 / 86_400) * 86_400
        var next = day + 300
        if next <= now.timeIntervalSince1970 { next += 86_400 }
        return next - now.timeIntervalSince1970
    }

    /// The nightly work: the rollup of the last days and the retention run. Errors are logged.
    func nightly() {
        let today = DailyRollup.day(Date())
        let first = DailyRollup.day(Date().addingTimeInterval(-Double(Self.nightlyRollupDays) * 86_400))
        do {
            let report = try rollUp(from: first, to: today)
            logger.notice("nightly rollup", metadata: [
                "from": "\(first)", "to": "\(today)", "answers": "\(report.answers)", "written": "\(report.written)",
                "removed": "\(report.removed)", "seconds": "\(String(format: "%.3f", report.seconds))"])
        } catch {
            logger.error("nightly rollup failed", metadata: ["error": "\(error)"])
        }
        nightlyRetention()
    }
}

extension CairnService {
    /// The HTML report of `from`…`to` for one tenant or all (a coach's own tenant only), computed from the
    /// dialogue log now.
    public func report(from: String, to: String, tenant: String?, as identity: Identity) throws(ServiceError) -> String {
        let parts = try parts()
        let tenant = try scope(tenant, identity: identity, field: "tenant")
        let data = try ServiceError.catching { () throws(DialogueError) in
            try ReportData.load(parts.dialogues.database, from: from, to: to, tenant: tenant,
                                objectives: configuration.objectives)
        }
        return ReportPage.render(data)
    }
}
