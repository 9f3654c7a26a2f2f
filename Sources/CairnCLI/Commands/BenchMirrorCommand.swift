import ArgumentParser
import CairnBench
import CairnEmbedding
import CairnPostgres
import CairnSQL
import CairnVectorMath
import Foundation

/// `cairn bench mirror`: the PostgreSQL mirror under a bulk load, and pgvector's HNSW against Cairn's index.
struct BenchMirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Benchmark the PostgreSQL mirror during a bulk load, and pgvector's HNSW against Cairn's index.",
        discussion: """
            Needs a PostgreSQL with pgvector whose role may create databases (scripts/postgres.sh start DIR gives \
            one). Part 1: a bulk load of --files files with the built-in model while the mirror drains into a fresh \
            database: chunks/s of both, and the lag over the load. Part 2: the synthetic set (--synthetic vectors, \
            1,000 queries, 384 dimensions) and, with --corpus, the chunk vectors of a data directory with the \
            questions of Benchmarks/texts/queries.txt: pgvector HNSW (m 16, ef_construction 64) at ef_search \
            40/100/200 against Cairn's HNSW (same M and ef_construction) at equal recall@10, one client each.
            """)

    @OptionGroup var data: DataDirectoryOptions
    @Option(name: .customLong("database-url"), help: "The PostgreSQL to use (default: $CAIRN_DATABASE_URL).")
    var databaseURL: String?
    @Option(help: "Files of the bulk load (8 passages each).") var files = 300
    @Option(help: "Vectors of the synthetic set (0: skip).") var synthetic = 100_000
    @Option(help: "A data directory whose chunk vectors are the real corpus.") var corpus: String?
    @Option(help: "Directory with documents.txt and queries.txt.") var texts = "Benchmarks/texts"
    @Flag(help: "Skip the bulk load.") var skipLoad = false
    @Option(help: "Write the JSON report to this file.") var json: String?

    struct Report: Codable {
        var load: MirrorLoadBench.Report?
        var comparisons: [PgvectorComparison.Report]
    }

    func run() async throws {
        guard let raw = databaseURL ?? ProcessInfo.processInfo.environment["CAIRN_DATABASE_URL"] else {
            throw ValidationError("give --database-url (scripts/postgres.sh start DIR prints one)")
        }
        let url = PostgresURL(raw)
        let log: @Sendable (String) -> Void = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        var report = Report(load: nil, comparisons: [])
        let modelDirectory = EmbedderFactory.modelDirectory(dataDirectory: data.path)
        if !skipLoad {
            let name = "cairn_bench_mirror_\(getpid())"
            let admin = try PostgresConnection(url: url)
            try admin.execute("DROP DATABASE IF EXISTS \(name)")
            try admin.execute("CREATE DATABASE \(name)")
            defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
            let bench = MirrorLoadBench(url: url, modelDirectory: modelDirectory, textsDirectory: texts, files: files, log: log)
            report.load = try await bench.run(databaseURL: url.database(name))
        }
        let comparison = PgvectorComparison(url: url, log: log)
        if synthetic > 0 {
            var settings = IndexBenchSettings(source: .synthetic(n: synthetic, queries: 1_000, dimension: 384, seed: 42))
            settings.benchmarksDirectory = "Benchmarks"
            let set = try IndexBenchDataset.load(settings, log: log)
            report.comparisons.append(try comparison.run(name: set.name, base: set.base, queries: set.queries,
                                                         truth: set.groundTruth.map { Array($0.prefix(10)) }))
        }
        if let corpus {
            let (base, queries) = try await corpusVectors(corpus, modelDirectory: modelDirectory)
            let truth = ExactSearch.groundTruth(queries: queries.view, base: base.view, k: 10, metric: .cosine)
            report.comparisons.append(try comparison.run(name: "chunks of \(corpus)", base: base, queries: queries, truth: truth))
        }
        print(markdown(report))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }

    /// The stored chunk vectors of a data directory, and the benchmark questions embedded by the built-in model.
    func corpusVectors(_ directory: String, modelDirectory: String) async throws -> (Matrix, Matrix) {
        let store = try SQLiteDatabase(path: (directory as NSString).appendingPathComponent("cairn.sqlite3"),
                                       options: .init(readOnly: true))
        var rows: [[Float]] = []
        try store.withStatement("SELECT embedding FROM material_chunks ORDER BY id") { statement in
            try statement.forEachRow { row in
                rows.append(row.withBlob(at: 0) { raw in
                    (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
                })
            }
        }
        guard let dimension = rows.first?.count else { throw CLIError("\(directory) holds no chunks") }
        let base = Matrix(rows, cols: dimension)
        base.normalizeRows()
        let questions = try String(contentsOfFile: (texts as NSString).appendingPathComponent("queries.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let embedder = try BuiltinEmbedder(modelDirectory: modelDirectory, threads: 0)
        let vectors = try await embedder.embed(questions).vectors
        let queries = Matrix(vectors, cols: dimension)
        queries.normalizeRows()
        return (base, queries)
    }

    func markdown(_ report: Report) -> String {
        var out: [String] = []
        if let load = report.load {
            out += ["## Mirror during a bulk load", "",
                    "| files | chunks | ingest chunks/s | mirror chunks/s | caught up after last commit | lag p50 / p95 / max (changes) | lag p95 / max (s) | max lag per quarter |",
                    "|---|---|---|---|---|---|---|---|",
                    String(format: "| %d | %d | %.1f | %.1f | %.2f s | %d / %d / %d | %.2f / %.2f | %@ |", load.files, load.chunks,
                           load.ingestChunksPerSecond, load.mirrorChunksPerSecond, load.catchUpSeconds, load.lagChangesP50,
                           load.lagChangesP95, load.lagChangesMax, load.lagSecondsP95, load.lagSecondsMax,
                           load.lagChangesByQuarter.map(String.init).joined(separator: " / ")), ""]
        }
        for c in report.comparisons {
            out += ["## pgvector HNSW against Cairn: \(c.dataset) (\(c.vectors) × \(c.dimension), \(c.queries) queries)", "",
                    String(format: "Build: pgvector %.1f s (after a %.1f s COPY), Cairn %.1f s.", c.pgvectorBuildSeconds,
                           c.pgvectorLoadSeconds, c.cairnBuildSeconds), "",
                    "| pgvector ef_search | recall@10 | queries/s | Cairn ef_search | recall@10 | queries/s | ratio |",
                    "|---|---|---|---|---|---|---|"]
            for m in c.matches {
                out.append(String(format: "| %d | %.4f | %.0f | %d | %.4f | %.0f | %.1f× |", m.pgvectorEfSearch, m.pgvectorRecall,
                                  m.pgvectorQps, m.cairnEfSearch, m.cairnRecall, m.cairnQps, m.ratio))
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}
