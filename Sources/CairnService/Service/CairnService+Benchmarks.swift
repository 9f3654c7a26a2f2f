import CairnIngest
public import CairnNightly
import Foundation

extension CairnService {
    /// The nightly benchmark history of this data directory (`cairn bench nightly --data-dir` records it in
    /// the store's `benchmark_runs`), newest last, at most `limit` runs (admin keys).
    public func benchmarkRuns(limit: Int, as identity: Identity) throws(ServiceError) -> [NightlyRun] {
        guard identity.role == .admin else { throw ServiceError(.forbidden, "the benchmark history needs an admin key") }
        let parts = try parts()
        let history = NightlyHistory(database: parts.library.store.database,
                                     file: NightlyHistoryFile(dataDirectory: configuration.dataDirectory))
        do {
            return try history.runs(limit: limit)
        } catch {
            throw .failure("reading the benchmark history: \(error.message)")
        }
    }

    /// The nightly report page of the last ``NightlyReport/historyShown`` runs (admin keys). The rules for the
    /// "median before" column are the defaults; each run's regressions are the ones recorded with it.
    public func benchmarkReport(as identity: Identity) throws(ServiceError) -> String {
        NightlyReport.render(try benchmarkRuns(limit: NightlyReport.historyShown, as: identity))
    }
}
