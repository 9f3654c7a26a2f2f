import CairnIndex
public import CairnPostgres
public import CairnVectorMath
import Foundation

/// pgvector's HNSW against Cairn's index on the same vectors, through the same PostgreSQL the mirror writes:
/// build time, and recall@10 and single-client queries/s at `hnsw.ef_search` 40/100/200 against Cairn at equal
/// recall (Cairn's fastest ef_search whose recall@10 is at least pgvector's).
///
/// pgvector: a table `(id bigint, embedding vector(d))` filled by binary COPY, `CREATE INDEX … USING hnsw
/// (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)` with the server's default parallel
/// maintenance workers, then one client sending `SELECT id … ORDER BY embedding <=> $1 LIMIT 10` with the
/// query as a binary parameter. Cairn: `HNSWIndex` with the same M and ef_construction built on every core,
/// searched in process on one thread. Both see the same base vectors, the same queries and the same exact
/// ground truth.
public struct PgvectorComparison: Sendable {
    public struct Row: Sendable, Codable {
        public var efSearch: Int
        public var recallAt10: Double
        public var qps: Double
        public var p50Ms: Double
        public var p99Ms: Double
    }

    public struct Match: Sendable, Codable {
        public var pgvectorEfSearch: Int
        public var pgvectorRecall: Double
        public var pgvectorQps: Double
        public var cairnEfSearch: Int
        public var cairnRecall: Double
        public var cairnQps: Double
        /// Cairn's queries/s over pgvector's at (at least) equal recall.
        public var ratio: Double
    }

    public struct Report: Sendable, Codable {
        public var dataset: String
        public var vectors: Int
        public var queries: Int
        public var dimension: Int
        public var pgvectorLoadSeconds: Double
        public var pgvectorBuildSeconds: Double
        public var cairnBuildSeconds: Double
        public var pgvector: [Row]
        public var cairn: [Row]
        public var matches: [Match]
    }

    public var url: PostgresURL
    public var pgvectorEf: [Int] = [40, 100, 200]
    public var cairnEf: [Int] = [10, 16, 20, 24, 32, 40, 48, 64, 80, 100, 128, 160, 200, 256, 320, 400, 512, 640, 800, 1000]
    public var log: @Sendable (String) -> Void

    public init(url: PostgresURL, log: @escaping @Sendable (String) -> Void) {
        self.url = url
        self.log = log
    }

    /// Runs both on `base` (rows normalised for cosine) with `queries` and their exact top-10 `truth`.
    public func run(name: String, base: Matrix, queries: Matrix, truth: [[Int32]]) throws -> Report {
        let n = base.rows, d = base.cols, q = queries.rows
        let pg = try PostgresConnection(url: url)
        try pg.execute("CREATE EXTENSION IF NOT EXISTS vector")
        try pg.execute("DROP TABLE IF EXISTS cairn_bench_vectors")
        try pg.execute("CREATE TABLE cairn_bench_vectors (id bigint PRIMARY KEY, embedding vector(\(d)) NOT NULL)")
        let row = { (i: Int) -> [Float] in base.rowArray(i) }
        let loadStart = Date()
        try pg.copyIn("COPY cairn_bench_vectors (id, embedding) FROM STDIN (FORMAT binary)") { writer in
            for i in 0..<n {
                try writer.row(fields: 2)
                try writer.field(.int8(Int64(i)))
                try writer.field(.vector(row(i)))
            }
        }
        let loadSeconds = Date().timeIntervalSince(loadStart)
        log(String(format: "pgvector: %d vectors copied in %.1f s", n, loadSeconds))
        try pg.execute("SET maintenance_work_mem = '2GB'")
        let buildStart = Date()
        try pg.execute("CREATE INDEX ON cairn_bench_vectors USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)")
        let pgBuild = Date().timeIntervalSince(buildStart)
        log(String(format: "pgvector: HNSW built in %.1f s", pgBuild))
        try pg.execute("ANALYZE cairn_bench_vectors")
        let queryRow = { (i: Int) -> [Float] in queries.rowArray(i) }
        var pgRows: [Row] = []
        for ef in pgvectorEf {
            try pg.execute("SET hnsw.ef_search = \(ef)")
            for i in 0..<min(q, 100) {  // warm the buffers
                _ = try pg.execute("SELECT id FROM cairn_bench_vectors ORDER BY embedding <=> $1 LIMIT 10", [.vector(queryRow(i))])
            }
            var found: [[UInt64]] = []
            var latencies: [UInt64] = []
            let start = BenchClock.nanoseconds()
            for i in 0..<q {
                let t0 = BenchClock.nanoseconds()
                let result = try pg.execute("SELECT id FROM cairn_bench_vectors ORDER BY embedding <=> $1 LIMIT 10",
                                            [.vector(queryRow(i))], binaryResults: true)
                latencies.append(BenchClock.nanoseconds() - t0)
                found.append((0..<result.rowCount).map { UInt64(result.binaryInt64($0, 0) ?? -1) })
            }
            let seconds = Double(BenchClock.nanoseconds() - start) / 1e9
            latencies.sort()
            let r = Row(efSearch: ef, recallAt10: Recall.mean(at: 10, found: found, truth: truth), qps: Double(q) / seconds,
                        p50Ms: Double(BenchClock.quantile(latencies, 0.5)) / 1e6,
                        p99Ms: Double(BenchClock.quantile(latencies, 0.99)) / 1e6)
            log(String(format: "pgvector ef_search %d: recall@10 %.4f, %.0f queries/s, p50 %.2f ms", ef, r.recallAt10, r.qps, r.p50Ms))
            pgRows.append(r)
        }
        try pg.execute("DROP TABLE cairn_bench_vectors")

        let index = try HNSWIndex(configuration: IndexConfiguration(dimension: d, metric: .cosine, m: 16, efConstruction: 64))
        let vectors = base.toArray()
        let cairnStart = Date()
        try index.insert(labels: (0..<n).map(UInt64.init), vectors: vectors,
                         threads: ProcessInfo.processInfo.activeProcessorCount)
        let cairnBuild = Date().timeIntervalSince(cairnStart)
        log(String(format: "Cairn: HNSW built in %.1f s", cairnBuild))
        var cairnRows: [Row] = []
        for ef in cairnEf {
            let options = SearchOptions(k: 10, efSearch: ef)
            for i in 0..<min(q, 100) { _ = try index.search(UnsafeBufferPointer(start: queries.row(i), count: d), options: options) }
            var found: [[UInt64]] = []
            var latencies: [UInt64] = []
            let start = BenchClock.nanoseconds()
            for i in 0..<q {
                let t0 = BenchClock.nanoseconds()
                let hits = try index.search(UnsafeBufferPointer(start: queries.row(i), count: d), options: options).hits
                latencies.append(BenchClock.nanoseconds() - t0)
                found.append(hits.map(\.label))
            }
            let seconds = Double(BenchClock.nanoseconds() - start) / 1e9
            latencies.sort()
            cairnRows.append(Row(efSearch: ef, recallAt10: Recall.mean(at: 10, found: found, truth: truth),
                                 qps: Double(q) / seconds, p50Ms: Double(BenchClock.quantile(latencies, 0.5)) / 1e6,
                                 p99Ms: Double(BenchClock.quantile(latencies, 0.99)) / 1e6))
        }
        var matches: [Match] = []
        for p in pgRows {
            let atLeast = cairnRows.filter { $0.recallAt10 >= p.recallAt10 }
            guard let best = atLeast.max(by: { $0.qps < $1.qps }) ?? cairnRows.max(by: { $0.recallAt10 < $1.recallAt10 })
            else { continue }
            let m = Match(pgvectorEfSearch: p.efSearch, pgvectorRecall: p.recallAt10, pgvectorQps: p.qps,
                          cairnEfSearch: best.efSearch, cairnRecall: best.recallAt10, cairnQps: best.qps,
                          ratio: best.qps / p.qps)
            log(String(format: "at pgvector ef %d (recall %.4f, %.0f q/s): Cairn ef %d recall %.4f, %.0f q/s — %.1f×",
                       m.pgvectorEfSearch, m.pgvectorRecall, m.pgvectorQps, m.cairnEfSearch, m.cairnRecall, m.cairnQps,
                       m.ratio))
            matches.append(m)
        }
        return Report(dataset: name, vectors: n, queries: q, dimension: d, pgvectorLoadSeconds: loadSeconds,
                      pgvectorBuildSeconds: pgBuild, cairnBuildSeconds: cairnBuild, pgvector: pgRows, cairn: cairnRows,
                      matches: matches)
    }
}
