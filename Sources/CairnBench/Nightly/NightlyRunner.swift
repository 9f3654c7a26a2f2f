public import CairnNightly
import CairnIngest
import Foundation

/// `cairn bench nightly`: the benchmarks in a fixed order within a time budget, every figure with its peer's,
/// appended to the history (the store's `benchmark_runs` and `<data-dir>/benchmarks/history.jsonl`) with the
/// regressions the rules find against earlier runs on the same kind of machine.
///
/// Sections run in ``sections`` order; one that fails is recorded as failed with its reason and the rest go
/// on; one the budget no longer allows is recorded as skipped. Sections not yet part of the nightly run are
/// recorded as skipped, saying so.
public struct NightlyRunner: Sendable {
    public struct Settings: Sendable {
        /// Where the history goes (the server's data directory serves it).
        public var dataDirectory: String
        public var rules: RegressionRules
        public var budgetSeconds: Double = 45 * 60
        /// The index section's synthetic sizes and ef_construction values.
        public var indexSizes: [Int] = [100_000]
        public var efConstructions: [Int] = [64]
        public var peers = true
        public var benchmarksDirectory = "Benchmarks"
        public var commit = "unknown"

        public init(dataDirectory: String, rules: RegressionRules) {
            self.dataDirectory = dataDirectory
            self.rules = rules
        }
    }

    /// The sections, in the order they run.
    public static let sections = ["index", "filtered", "embed", "ingest", "serve", "quality"]

    public let settings: Settings
    let log: @Sendable (String) -> Void

    public init(settings: Settings, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        self.log = log
    }

    /// Runs every section and records the run.
    /// - Returns: the run as recorded (with its id and regressions).
    public func run() throws(NightlyError) -> NightlyRun {
        let started = Date()
        let loadBefore = MachineInfo.loadAverage()
        var sections: [NightlyRun.Section] = []
        var figures: [BenchFigure] = []
        for name in Self.sections {
            let elapsed = Date().timeIntervalSince(started)
            guard elapsed < settings.budgetSeconds else {
                sections.append(.init(name: name, seconds: 0, status: .skipped,
                                      detail: String(format: "the %.0f-minute budget was spent", settings.budgetSeconds / 60)))
                continue
            }
            let sectionStarted = Date()
            log("nightly: \(name)")
            switch name {
            case "index":
                do {
                    let (found, missing) = try indexSection()
                    figures += found
                    sections.append(.init(name: name, seconds: Date().timeIntervalSince(sectionStarted), status: .ok,
                                          detail: settings.peers ? nil : "without peers (--no-peers)",
                                          missingPeers: missing))
                } catch {
                    sections.append(.init(name: name, seconds: Date().timeIntervalSince(sectionStarted), status: .failed,
                                          detail: "\(error)"))
                }
            case "filtered":
                do {
                    figures += try NightlyFilteredSection.figures(n: settings.indexSizes.first ?? 100_000, log: log)
                    sections.append(.init(name: name, seconds: Date().timeIntervalSince(sectionStarted), status: .ok,
                                          detail: "against exact search of the same subset; peers not measured here yet"))
                } catch {
                    sections.append(.init(name: name, seconds: Date().timeIntervalSince(sectionStarted), status: .failed,
                                          detail: "\(error)"))
                }
            default:
                sections.append(.init(name: name, seconds: 0, status: .skipped, detail: "not yet part of the nightly run"))
            }
        }
        var run = NightlyRun(startedAt: Date.ISO8601FormatStyle().format(started), commit: settings.commit,
                             machine: .current(), loadBefore: loadBefore, loadAfter: MachineInfo.loadAverage(),
                             wallSeconds: Date().timeIntervalSince(started), sections: sections, figures: figures)
        let store: MaterialStore
        do {
            store = try MaterialStore(dataDirectory: settings.dataDirectory)
        } catch {
            throw NightlyError(.storage, "opening the store of \(settings.dataDirectory): \(error.message)")
        }
        let history = NightlyHistory(database: store.database, file: NightlyHistoryFile(dataDirectory: settings.dataDirectory))
        run.regressions = settings.rules.regressions(of: run, history: try history.runs())
        return try history.append(run)
    }

    /// The index benchmark on the synthetic set at each size and ef_construction, with the peers.
    /// - Returns: the figures, and the peers that could not run.
    func indexSection() throws(IndexBenchError) -> ([BenchFigure], [String]) {
        var template = IndexBenchSettings(source: .synthetic(n: 1, queries: 1_000, dimension: 384, seed: 42))
        template.efSearch = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]
        template.repeats = 1
        template.benchmarksDirectory = settings.benchmarksDirectory
        var sweep = IndexSweep(template: template, sizes: settings.indexSizes, efConstructions: settings.efConstructions)
        sweep.int8 = true
        let stamp = Date.ISO8601FormatStyle().format(Date()).filter { $0.isNumber }
        let report = try sweep.validated().run(stamp: "nightly-\(stamp)", peers: settings.peers, log: log)
        var figures: [BenchFigure] = []
        var missing = Set<String>()
        for entry in report.entries {
            figures += NightlyIndexFigures.figures(entry, defaultEf: 64)
            if settings.peers {
                let present = Set((entry.peers?.peerReports ?? []).map(\.engine))
                missing.formUnion(PeerComparison.graphPeers.filter { !present.contains($0) })
            }
        }
        return (figures, missing.sorted())
    }
}
