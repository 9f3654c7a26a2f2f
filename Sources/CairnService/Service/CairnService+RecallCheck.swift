import CairnEmbedding
public import CairnIngest
import Dispatch
import Foundation
import Logging
import Synchronization

extension CairnService {
    /// Runs a recall check of the live index now (``MaterialLibrary/checkRecall(options:loggedQueries:)``)
    /// with the configured options: each tenant's logged questions are embedded by the query embedder, the
    /// searches run on a thread of their own. The report is kept for `/readyz` and `/metrics`.
    /// - Throws: ``ServiceError`` `.forbidden` without an admin key, `.conflict` while a check runs.
    public func recallCheck(as identity: Identity) async throws(ServiceError) -> RecallCheckReport {
        guard identity.role == .admin else { throw ServiceError(.forbidden, "recall checks need an admin key") }
        return try await runRecallCheck()
    }

    /// The last recall check's report since the start, if any.
    public var lastRecallCheck: RecallCheckReport? { recallState.withLock { $0.last } }

    /// The daily job's recall check (after the rollup and retention); failures are logged.
    func nightlyRecallCheck() async {
        do {
            _ = try await runRecallCheck()
        } catch {
            logger.error("nightly recall check failed", metadata: ["error": "\(error)"])
        }
    }

    func runRecallCheck() async throws(ServiceError) -> RecallCheckReport {
        let parts = try parts()
        let busy = recallState.withLock { state -> Bool in
            if state.running { return true }
            state.running = true
            return false
        }
        guard !busy else { throw ServiceError(.conflict, "a recall check is running; wait for its report") }
        defer { recallState.withLock { $0.running = false } }
        let options = configuration.recallCheck
        let logged: [String: [[Float]]]
        do {
            logged = try await parts.library.loggedQueryVectors(perTenant: options.loggedQueriesPerTenant,
                                                                 embedder: parts.queryEmbedder)
        } catch {
            throw ServiceError(error)
        }
        let result: Result<RecallCheckReport, IngestError> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                do {
                    continuation.resume(returning: .success(try parts.library.checkRecall(options: options,
                                                                                        loggedQueries: logged)))
                } catch {
                    continuation.resume(returning: .failure(error as? IngestError ?? IngestError(.storage, "\(error)")))
                }
            }
        }
        let report: RecallCheckReport
        switch result {
        case .success(let r): report = r
        case .failure(let error): throw ServiceError(error)
        }
        recallState.withLock { $0.last = report }
        metrics.recordRecall(report)
        let metadata: Logger.Metadata = [
            "overall": "\(report.overall.map { String(format: "%.4f", $0.recall) } ?? "-")",
            "tenants": "\(report.tenants.count)", "not_checked": "\(report.tenantsNotChecked)",
            "below_floor": "\(report.belowFloor.joined(separator: ","))", "ef": "\(report.efSearch)",
            "seconds": "\(String(format: "%.2f", report.seconds))",
        ]
        if report.failed {
            logger.warning("recall check: below the floor", metadata: metadata)
        } else {
            logger.notice("recall check", metadata: metadata)
        }
        return report
    }
}
