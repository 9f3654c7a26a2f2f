public import CairnNightly
import CairnIngest
import CairnVectorMath
import Foundation

/// `cairn bench nightly`: the benchmarks in a fixed order within a time budget, every figure with its peer's,
/// appended to the history (the store's `benchmark_runs` and `<data-dir>/benchmarks/history.jsonl`) with the
/// regressions the rules find against earlier runs on the same kind of machine.
///
/// Sections run in ``sections`` order; one that fails is recorded as failed with its reason and the rest go
/// on; one the budget no longer allows, or one left out of ``Settings/sections``, is recorded as skipped with
/// the reason. A peer that cannot be set up or run is named in its section's missing peers.
public struct NightlyRunner: Sendable {
    public struct Settings: Sendable {
        /// Where the history goes (the server's data directory serves it).
        public var dataDirectory: String
        public var rules: RegressionRules
        public var budgetSeconds: Double = 45 * 60
        /// The sections to run (the others are recorded as skipped); all by default.
        public var sections: [String] = NightlyRunner.sections
        /// `.fvecs` datasets the index section also measures (name, base, queries, ground truth or nil).
        public var datasets: [(name: String, base: String, queries: String, groundTruth: String?)] = []
        /// The index section's synthetic sizes and ef_construction values.
        public var indexSizes: [Int] = [100_000]
        public var efConstructions: [Int] = [64]
        public var peers = true
        public var benchmarksDirectory = "Benchmarks"
        public var commit = "unknown"
        /// This executable (the serve section runs its `serve`).
        public var executable = CommandLine.arguments.first ?? "cairn"
        /// The built-in model's directory.
        public var modelDirectory = "index-data/models/all-MiniLM-L6-v2"
        /// The PostgreSQL with pgvector to compare with; nil: the runner starts one with scripts/postgres.sh.
        public var databaseURL: String?
        /// Passages of the serve section's index (built once under Benchmarks/data/serve-N).
        public var servePassages = 5_000
        /// Manual pages of the quality section's corpus (an evenly spaced sample of the corpus).
        public var qualityDocuments = 300

        public init(dataDirectory: String, rules: RegressionRules) {
            self.dataDirectory = dataDirectory
            self.rules = rules
        }
    }

    /// What one section measured.
    struct SectionResult {
        var figures: [BenchFigure] = []
        var missingPeers: [String] = []
        var detail: String?
        var curves: [RecallCurve] = []
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
    public func run() async throws(NightlyError) -> NightlyRun {
        // Open the store first: a data directory that cannot record the run fails before an hour of work.
        let store: MaterialStore
        do {
            store = try MaterialStore(dataDirectory: settings.dataDirectory)
        } catch {
            throw NightlyError(.storage, "opening the store of \(settings.dataDirectory): \(error.message)")
        }
        let started = Date()
        let loadBefore = MachineInfo.loadAverage()
        var sections: [NightlyRun.Section] = []
        var figures: [BenchFigure] = []
        for name in Self.sections {
            guard settings.sections.contains(name) else {
                sections.append(.init(name: name, seconds: 0, status: .skipped, detail: "not selected (--sections)"))
                continue
            }
            let elapsed = Date().timeIntervalSince(started)
            guard elapsed < settings.budgetSeconds else {
                sections.append(.init(name: name, seconds: 0, status: .skipped,
                                      detail: String(format: "the %.0f-minute budget was spent", settings.budgetSeconds / 60)))
                continue
            }
            let sectionStarted = Date()
            log("nightly: \(name) (\(String(format: "%.1f", elapsed / 60)) min into the run)")
            do {
                let result = try await section(name)
                figures += result.figures
                var detail = result.detail
                if !settings.peers { detail = [detail, "without peers (--no-peers)"].compactMap { $0 }.joined(separator: "; ") }
                sections.append(.init(name: name, seconds: Date().timeIntervalSince(sectionStarted), status: .ok,
                                      detail: detail, missingPeers: result.missingPeers, curves: result.curves))
            } catch {
                log("nightly: \(name) failed: \(error)")
                sections.append(.init(name: name, seconds: Date().timeIntervalSince(sectionStarted), status: .failed,
                                      detail: "\(error)"))
            }
            log(String(format: "nightly: %@ took %.1f s", name, sections.last?.seconds ?? 0))
        }
        var run = NightlyRun(startedAt: Date.ISO8601FormatStyle().format(started), commit: settings.commit,
                             machine: .current(), loadBefore: loadBefore, loadAfter: MachineInfo.loadAverage(),
                             wallSeconds: Date().timeIntervalSince(started), sections: sections, figures: figures)
        let history = NightlyHistory(database: store.database, file: NightlyHistoryFile(dataDirectory: settings.dataDirectory))
        run.regressions = settings.rules.regressions(of: run, history: try history.runs())
        return try history.append(run)
    }

    func section(_ name: String) async throws -> SectionResult {
        switch name {
        case "index": return try indexSection()
        case "filtered":
            let outcome = try NightlyFilteredSection.run(n: settings.indexSizes.first ?? 100_000, peers: settings.peers,
                                                         benchmarksDirectory: settings.benchmarksDirectory, log: log)
            return SectionResult(figures: outcome.figures, missingPeers: outcome.missingPeers,
                                 detail: outcome.detail ?? "against exact search of the same subset")
        case "embed": return await NightlyEmbedSection(settings: settings, log: log).run()
        case "ingest": return try await NightlyIngestSection(settings: settings, log: log).run()
        case "serve": return try await NightlyServeSection(settings: settings, log: log).run()
        case "quality": return try await NightlyQualitySection(settings: settings, log: log).run()
        default: throw NightlyError(.invalid, "no section \(name)")
        }
    }

    /// The index benchmark on the synthetic set at each size and ef_construction, with the graph peers, and
    /// pgvector on the first size.
    func indexSection() throws -> SectionResult {
        var template = IndexBenchSettings(source: .synthetic(n: 1, queries: 1_000, dimension: 384, seed: 42))
        template.efSearch = [16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]
        template.repeats = 1
        template.benchmarksDirectory = settings.benchmarksDirectory
        var sweep = IndexSweep(template: template, sizes: settings.indexSizes, efConstructions: settings.efConstructions)
        sweep.int8 = true
        let stamp = Date.ISO8601FormatStyle().format(Date()).filter { $0.isNumber }
        let report = try sweep.validated().run(stamp: "nightly-\(stamp)", peers: settings.peers, log: log)
        var entries = report.entries.map { (entry: $0, dataset: String?.none) }
        for dataset in settings.datasets {
            var files = template
            files.source = .files(base: dataset.base, queries: dataset.queries, groundTruth: dataset.groundTruth)
            let n = try IndexBenchDataset.load(files, log: log).base.rows
            var sweep = IndexSweep(template: files, sizes: [n], efConstructions: settings.efConstructions)
            sweep.int8 = true
            let found = try sweep.validated().run(stamp: "nightly-\(stamp)-\(dataset.name)", peers: settings.peers, log: log)
            entries += found.entries.map { ($0, dataset.name) }
        }
        var result = SectionResult()
        var missing = Set<String>()
        for (entry, dataset) in entries {
            result.figures += NightlyIndexFigures.figures(entry, defaultEf: 64, dataset: dataset)
            result.curves += NightlyIndexFigures.curves(entry, dataset: dataset)
            if settings.peers {
                let present = Set((entry.peers?.peerReports ?? []).map(\.engine))
                missing.formUnion(PeerComparison.graphPeers.filter { !present.contains($0) })
            }
        }
        if settings.peers, let n = settings.indexSizes.first {
            do {
                let pg = try NightlyPgvector(settings: settings, log: log).run(n: n)
                result.figures += pg.figures
                result.curves += pg.curves
            } catch {
                log("nightly: pgvector: \(error)")
                missing.insert("pgvector")
                result.detail = "pgvector: \(error)"
            }
        }
        result.missingPeers = missing.sorted()
        return result
    }
}
