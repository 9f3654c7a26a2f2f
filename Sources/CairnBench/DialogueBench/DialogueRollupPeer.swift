public import CairnDialogue
import CairnMirror
public import CairnPostgres
import CairnSQL
public import Foundation

/// The peer of the dialogue rollup: PostgreSQL computing the same daily figures over the mirrored
/// `cairn.ai_dialogue_log` with `GROUP BY` and `percentile_disc` — what an operator would otherwise run
/// nightly. The store is mirrored into a fresh database first (that time is reported too), and every row's
/// answers, percentiles and total cost are compared with Cairn's.
public struct DialogueRollupPeer: Sendable {
    public struct Report: Codable, Sendable {
        public var mirrorSeconds: Double
        public var allDaysSeconds: Double
        public var oneDaySeconds: Double
        public var rows: Int
        /// Rows whose answers, p50/p95/p99 and total cost equal Cairn's.
        public var matchingRows: Int
        /// PostgreSQL's time over Cairn's for the same work (above 1: Cairn is faster).
        public var allDaysRatio: Double
        public var oneDayRatio: Double
    }

    let url: PostgresURL
    let log: @Sendable (String) -> Void

    public init(url: PostgresURL, log: @escaping @Sendable (String) -> Void) {
        self.url = url
        self.log = log
    }

    static let sql = """
        SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, tenant, count(*),
            percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_total_ms),
            percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_total_ms),
            percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_total_ms),
            coalesce(sum(token_cost_jpy), 0)::text, count(DISTINCT user_id), avg(citation_rate),
            count(*) FILTER (WHERE citation_count = 0), count(*) FILTER (WHERE token_cost_jpy IS NULL),
            avg(relevance_score), count(*) FILTER (WHERE user_feedback = 1)
        FROM cairn.ai_dialogue_log
        """

    /// Mirrors `storePath` into a fresh database at `url`, times the rollup SQL over every day and over `day`,
    /// and compares with `cairn` (Cairn's rows) and Cairn's times.
    public func run(storePath: String, cairn: [DailyMetrics], cairnAllSeconds: Double, day: String,
                    cairnOneDaySeconds: Double) throws -> Report {
        let name = "cairn_bench_dialogue_\(getpid())"
        let admin = try PostgresConnection(url: url)
        try admin.execute("DROP DATABASE IF EXISTS \(name)")
        try admin.execute("CREATE DATABASE \(name)")
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        let target = url.database(name)
        log("peer: mirroring the store into PostgreSQL")
        var t = Date()
        let outbox = try MirrorOutbox(storePath: storePath)
        try outbox.enable()
        let applier = MirrorApplier(target: .init(url: target, dimension: 384, model: "all-MiniLM-L6-v2"), outbox: outbox)
        try applier.drain()
        let mirrorSeconds = Date().timeIntervalSince(t)
        let pg = try PostgresConnection(url: target)
        try pg.execute("ANALYZE cairn.ai_dialogue_log")
        t = Date()
        let all = try pg.execute(Self.sql + " GROUP BY 1, 2 ORDER BY 1, 2")
        let allSeconds = Date().timeIntervalSince(t)
        let start = DailyRollup.date(day)!
        t = Date()
        _ = try pg.execute(Self.sql + " WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2",
                           [.timestamptz(microsecondsSince1970: Int64(start.timeIntervalSince1970 * 1e6)),
                            .timestamptz(microsecondsSince1970: Int64((start.timeIntervalSince1970 + 86_400) * 1e6))])
        let oneSeconds = Date().timeIntervalSince(t)
        let ours = Dictionary(uniqueKeysWithValues: cairn.map { ("\($0.day) \($0.tenant)", $0) })
        var matching = 0
        for row in 0..<all.rowCount {
            guard let mine = ours["\(all.string(row, 0) ?? "") \(all.string(row, 1) ?? "")"] else { continue }
            let same = Int(all.int64(row, 2) ?? -1) == mine.answers
                && Double(all.string(row, 3) ?? "") == mine.latencyP50 && Double(all.string(row, 4) ?? "") == mine.latencyP95
                && Double(all.string(row, 5) ?? "") == mine.latencyP99
                && Yen(Self.twoPlaces(all.string(row, 6) ?? "")) == mine.totalCost
            if same { matching += 1 }
        }
        log(String(format: "peer: PostgreSQL %.2f s over every day, %.3f s for one day; %d of %d rows match", allSeconds,
                   oneSeconds, matching, all.rowCount))
        return Report(mirrorSeconds: mirrorSeconds, allDaysSeconds: allSeconds, oneDaySeconds: oneSeconds,
                      rows: all.rowCount, matchingRows: matching, allDaysRatio: allSeconds / cairnAllSeconds,
                      oneDayRatio: oneSeconds / cairnOneDaySeconds)
    }

    /// `12.3` → `12.30`, `7` → `7.00`.
    static func twoPlaces(_ text: String) -> String {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return "\(parts[0]).\((fraction + "00").prefix(2))"
    }
}
