import CairnNightly
import CairnPostgres
import Foundation

/// pgvector in the nightly's index section: ``PgvectorComparison`` on the synthetic set of the first size,
/// through the PostgreSQL of `settings.databaseURL` (or `$CAIRN_DATABASE_URL`), else one this runner starts
/// with `scripts/postgres.sh` under `Benchmarks/data/nightly-postgres` and stops afterwards.
///
/// Figures: Cairn's queries/s at the recall pgvector reaches with each `hnsw.ef_search` (40/100/200), against
/// pgvector's (`pgvector qps@ef_search <ef> <n>k`); pgvector's recall–throughput points become its curve.
struct NightlyPgvector {
    let settings: NightlyRunner.Settings
    let log: @Sendable (String) -> Void

    func run(n: Int) throws -> (figures: [BenchFigure], curves: [RecallCurve]) {
        let env = ProcessInfo.processInfo.environment
        var started: String?
        let raw: String
        if let given = settings.databaseURL ?? env["CAIRN_DATABASE_URL"], !given.isEmpty {
            raw = given
        } else {
            let directory = ((settings.benchmarksDirectory as NSString).appendingPathComponent("data/nightly-postgres")
                as NSString).standardizingPath
            raw = try Self.postgres(["start", directory], settings: settings)
            started = directory
        }
        defer {
            if let started { _ = try? Self.postgres(["stop", started], settings: settings) }
        }
        var dataset = IndexBenchSettings(source: .synthetic(n: n, queries: 1_000, dimension: 384, seed: 42))
        dataset.benchmarksDirectory = settings.benchmarksDirectory
        let set = try IndexBenchDataset.load(dataset, log: log)
        let report = try PgvectorComparison(url: PostgresURL(raw), log: log)
            .run(name: set.name, base: set.base, queries: set.queries, truth: set.groundTruth.map { Array($0.prefix(10)) })
        let tag = "\(n / 1_000)k/64"
        var figures = report.matches.map { m in
            BenchFigure(section: NightlyIndexFigures.section, name: "pgvector qps@ef_search \(m.pgvectorEfSearch) \(tag)",
                        kind: .throughput, value: m.cairnQps, unit: "q/s", peer: "pgvector", peerValue: m.pgvectorQps)
        }
        figures.append(BenchFigure(section: NightlyIndexFigures.section, name: "pgvector build \(tag)", kind: .latency,
                                   value: report.cairnBuildSeconds, unit: "s", peer: "pgvector",
                                   peerValue: report.pgvectorBuildSeconds))
        let curve = RecallCurve(engine: "pgvector", dataset: tag, points: report.pgvector.map {
            .init(ef: $0.efSearch, recall: $0.recallAt10, qps: $0.qps)
        })
        return (figures, [curve])
    }

    /// Runs `scripts/postgres.sh` with `arguments`; for `start DIR`, returns the URL it wrote to `DIR/url`.
    static func postgres(_ arguments: [String], settings: NightlyRunner.Settings) throws -> String {
        let script = ((settings.benchmarksDirectory as NSString).appendingPathComponent("../scripts/postgres.sh")
            as NSString).standardizingPath
        try ChildProcess.run("/usr/bin/env", ["bash", script] + arguments, output: .nullDevice,
                             what: "scripts/postgres.sh \(arguments.joined(separator: " "))")
        guard arguments.first == "start", arguments.count > 1 else { return "" }
        let url = (try? String(contentsOfFile: arguments[1] + "/url", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !url.isEmpty else { throw IndexBenchError.peer("scripts/postgres.sh start wrote no \(arguments[1])/url") }
        return url
    }
}
