public import ArgumentParser
import CairnBench
import CairnNightly
import Foundation

/// `cairn bench nightly`: every benchmark in a fixed order within a budget, recorded in the history and
/// judged by the regression rules.
struct BenchNightlyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightly",
        abstract: "Run the nightly benchmarks, record them in the history and check them for regressions.",
        discussion: """
            Runs the sections in a fixed order within --budget-minutes, each with its peers measured in the same
            run, appends the run to the history (the store's benchmark_runs table, mirrored like the rest, and
            <data-dir>/benchmarks/history.jsonl) and judges it by the rules of --rules (floors, and the median of
            the last comparable runs on the same kind of machine: Cairn/peer ratios where a peer ran). Prints a
            Markdown summary; exits 1 with one line per regression on standard error. Sections in this version:
            index (synthetic set, hnswlib, faiss and usearch); the others are recorded as not yet part of the
            run.
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

    @Flag(help: "Leave the peers out (recorded in the run).")
    var noPeers = false

    @Option(help: "Also write the Markdown summary to this file.")
    var markdown: String?

    func run() throws {
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
        let run: NightlyRun
        do {
            run = try NightlyRunner(settings: settings) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }.run()
        } catch {
            throw CLIError(error.message)
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
