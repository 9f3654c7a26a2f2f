public import ArgumentParser
import CairnBench
import CairnEmbedding
import CairnIngest
import CairnNightly
import Foundation

/// `cairn bench nightly`: every benchmark in a fixed order within a budget, recorded in the history and
/// judged by the regression rules.
struct BenchNightlyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightly",
        abstract: "Run the nightly benchmarks, record them in the history and check them for regressions.",
        discussion: """
            Runs the sections in a fixed order within --budget-minutes, each with its peers measured in the same
            run, appends the run to the history (the store's benchmark_runs table, mirrored like the rest, and
            <data-dir>/benchmarks/history.jsonl) and judges it by the rules of --rules (floors, and the median of
            the last comparable runs on the same kind of machine: Cairn/peer ratios where a peer ran). Prints a
            Markdown summary, writes the HTML report with --html; exits 1 with one line per regression on standard
            error. Sections: index (synthetic set; hnswlib, faiss, usearch, pgvector), filtered (50/5/0.5/0.05 %
            against exact), embed (onnxruntime, PyTorch), ingest (against embedding alone), serve (Chroma), quality
            (bm25s, onnxruntime exact). Peers are set up by Benchmarks/peers/setup*.sh on first use; a peer that
            cannot be set up or run is recorded as missing. pgvector uses --database-url, $CAIRN_DATABASE_URL, or a
            server started with scripts/postgres.sh under Benchmarks/data/nightly-postgres.
            """)

    @Option(name: .customLong("data-dir"), help: "The data directory whose history records the run.")
    var dataDirectory = "index-data"

    @Option(help: "The regression rules (JSON; default: Benchmarks/nightly-rules.json when present, else built-in).")
    var rules: String?

    @Option(help: "Minutes the run may take; sections beyond it are skipped and recorded so.")
    var budgetMinutes = 45.0

    @Option(help: "Synthetic sizes of the index section (comma-separated).")
    var sizes = "100000"

    @Option(help: "ef_construction values of the index section (comma-separated).")
    var efConstructions = "64"

    @Option(help: ArgumentHelp("A .fvecs dataset the index section also measures: NAME=BASE.fvecs,QUERIES.fvecs"
        + "[,GROUNDTRUTH.ivecs] (repeatable; ground truth is computed and cached beside BASE when left out)."))
    var fvecs: [String] = []

    @Flag(help: "Leave the peers out (recorded in the run).")
    var noPeers = false

    @Option(help: "Sections to run, comma-separated (the others are recorded as skipped); default: all.")
    var sections = NightlyRunner.sections.joined(separator: ",")

    @Option(name: .customLong("database-url"), help: ArgumentHelp("The PostgreSQL with pgvector to compare with (default: "
        + "$CAIRN_DATABASE_URL, else one started with scripts/postgres.sh)."))
    var databaseURL: String?

    @Option(help: "Passages of the serve section's index (built once under Benchmarks/data/serve-N).")
    var servePassages = 5_000

    @Option(help: "Manual pages of the quality section (an evenly spaced sample of the corpus).")
    var qualityDocuments = 300

    @Option(help: "Also write the HTML report of the whole history to this file.")
    var html: String?

    @Option(help: "The benchmark harness directory (peers, texts; data and results go under it).")
    var benchmarksDir = "Benchmarks"

    @Option(help: "Also write the Markdown summary to this file.")
    var markdown: String?

    func run() async throws {
        let rulePath = rules ?? (FileManager.default.fileExists(atPath: "Benchmarks/nightly-rules.json")
            ? "Benchmarks/nightly-rules.json" : nil)
        let loaded: RegressionRules
        do {
            loaded = try rulePath.map(RegressionRules.load) ?? RegressionRules()
        } catch {
            throw CLIError(error.message)
        }
        func list(_ raw: String, _ flag: String) throws -> [Int] {
            let values = raw.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw CLIError("--\(flag) is \"\(raw)\"; give positive whole numbers, comma-separated")
            }
            return values.map { $0! }
        }
        guard budgetMinutes > 0 else { throw CLIError("--budget-minutes is \(budgetMinutes); give more than 0") }
        var settings = NightlyRunner.Settings(dataDirectory: dataDirectory, rules: loaded)
        settings.budgetSeconds = budgetMinutes * 60
        settings.indexSizes = try list(sizes, "sizes")
        settings.efConstructions = try list(efConstructions, "ef-constructions")
        settings.peers = !noPeers
        settings.commit = Self.commit()
        let chosen = sections.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let unknown = chosen.first(where: { !NightlyRunner.sections.contains($0) }) {
            throw CLIError("--sections names \"\(unknown)\"; choose from \(NightlyRunner.sections.joined(separator: ", "))")
        }
        guard !chosen.isEmpty else { throw CLIError("--sections is empty; name at least one section") }
        guard servePassages > 0, qualityDocuments > 0 else {
            throw CLIError("--serve-passages and --quality-documents must be more than 0")
        }
        settings.sections = chosen
        for entry in fvecs {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let files = parts.count == 2 ? parts[1].split(separator: ",").map(String.init) : []
            guard parts.count == 2, !parts[0].isEmpty, !parts[0].contains(" "), (2...3).contains(files.count) else {
                throw CLIError("--fvecs is \"\(entry)\"; give NAME=BASE.fvecs,QUERIES.fvecs[,GROUNDTRUTH.ivecs]")
            }
            for file in files where !FileManager.default.fileExists(atPath: file) {
                throw CLIError("--fvecs \(parts[0]): \(file) does not exist")
            }
            settings.datasets.append((parts[0], files[0], files[1], files.count == 3 ? files[2] : nil))
        }
        settings.benchmarksDirectory = benchmarksDir
        settings.databaseURL = databaseURL
        settings.servePassages = servePassages
        settings.qualityDocuments = qualityDocuments
        settings.executable = ModelLocator.executablePath() ?? CommandLine.arguments[0]
        settings.modelDirectory = EmbedderFactory.modelDirectory(dataDirectory: dataDirectory)
        let run: NightlyRun
        do {
            run = try await NightlyRunner(settings: settings) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }.run()
        } catch {
            throw CLIError(error.message)
        }
        if let html {
            do {
                let store = try MaterialStore(dataDirectory: dataDirectory)
                let history = NightlyHistory(database: store.database, file: NightlyHistoryFile(dataDirectory: dataDirectory))
                try Data(NightlyReport.render(try history.runs(limit: NightlyReport.historyShown), rules: loaded).utf8)
                    .write(to: URL(fileURLWithPath: html))
            } catch {
                throw CLIError("cannot write the report \(html): \(error)")
            }
        }
        let summary = NightlyMarkdown.summary(run, comparableRuns: loaded.comparableRuns)
        print(summary, terminator: "")
        if let markdown {
            do {
                try Data(summary.utf8).write(to: URL(fileURLWithPath: markdown))
            } catch {
                throw CLIError("cannot write \(markdown): \(error.localizedDescription)")
            }
        }
        if !run.regressions.isEmpty {
            FileHandle.standardError.write(Data(run.regressions.map { $0.line + "\n" }.joined().utf8))
            throw ExitCode(1)
        }
    }

    /// The checkout's commit (`git rev-parse --short=12 HEAD`), or `unknown`.
    static func commit() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["rev-parse", "--short=12", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return "unknown"
        }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !out.isEmpty ? out : "unknown"
    }
}
