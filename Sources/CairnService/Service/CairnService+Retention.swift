public import CairnDialogue
import CairnIngest
public import Foundation
import Logging

extension CairnService {
    func purger(_ parts: Parts) -> DataPurger {
        DataPurger(library: parts.library, ledger: PurgeLedger(database: parts.dialogues.database),
                   dataDirectory: configuration.dataDirectory)
    }

    /// Deletes every material whose retention has ended (see `DataPurger.retention`).
    public func runRetention(now: Date = Date()) throws(ServiceError) -> PurgeReport {
        let parts = try parts()
        let report = try purger(parts).retention(now: now)
        if report.materials > 0 {
            logger.notice("retention purge", metadata: [
                "materials": "\(report.materials)", "chunks": "\(report.chunks)", "audit_id": "\(report.auditID ?? 0)"])
        }
        return report
    }

    /// Erases a user's data (admin keys; see `DataPurger.erase`), then rolls up again the days their answers
    /// counted in.
    public func eraseUser(_ userID: String, as identity: Identity) throws(ServiceError) -> PurgeReport {
        try require(.admin, identity)
        let parts = try parts()
        let report = try purger(parts).erase(userID: userID, requestedBy: identity.keyID.rawValue)
        for day in report.days { _ = try? rollUp(from: day, to: day) }
        logger.notice("user data erased", metadata: [
            "materials": "\(report.materials)", "dialogues": "\(report.dialogues)", "audit_id": "\(report.auditID ?? 0)",
            "key_id": "\(identity.keyID)"])
        return report
    }

    /// The nightly retention run (errors are logged).
    func nightlyRetention() {
        do {
            _ = try runRetention()
        } catch {
            logger.error("nightly retention failed", metadata: ["error": "\(error)"])
        }
    }
}
