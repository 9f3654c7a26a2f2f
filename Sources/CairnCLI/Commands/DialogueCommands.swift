import ArgumentParser
import CairnDialogue
import CairnIngest
import CairnService
import Foundation

/// The configuration's objectives and prices (`--config`, `CAIRN_*`), for commands that work without a server.
struct DialogueConfigOptions: ParsableArguments {
    @Option(help: "A JSON configuration file, as `cairn serve` takes ($CAIRN_CONFIG): its slo.* settings apply.")
    var config: String?

    func resolve() throws -> ServiceConfiguration {
        do {
            return try ServiceConfiguration.resolve(configFile: config)
        } catch {
            throw CLIError(error.message)
        }
    }
}

/// Opens the store of a data directory (migrating it) for the dialogue commands; they work beside a running
/// server (SQLite lets both write).
func openStore(_ data: DataDirectoryOptions) throws -> MaterialStore {
    do {
        return try MaterialStore(dataDirectory: data.path)
    } catch {
        throw CLIError(error.message)
    }
}

/// `cairn metrics rollup`.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "The dialogue log's daily metrics (rag_metrics_history).",
        subcommands: [MetricsRollupCommand.self])
}

/// `cairn metrics rollup [--from DAY] [--to DAY] [--all]`.
struct MetricsRollupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollup",
        abstract: "Sum the dialogue log up per UTC day and tenant against the objectives; idempotent, safe to re-run "
            + "and beside a running server.")

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var settings: DialogueConfigOptions

    @Option(help: "First day, YYYY-MM-DD (default: 7 days ago, UTC).")
    var from: String?

    @Option(help: "Last day, YYYY-MM-DD (default: today, UTC).")
    var to: String?

    @Flag(help: "Every day from the first answer to the last.")
    var all = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let config = try settings.resolve()
        let store = try openStore(data)
        let rollup = DailyRollup(database: store.database)
        var first = from ?? DailyRollup.day(Date().addingTimeInterval(-7 * 86_400))
        var last = to ?? DailyRollup.day(Date())
        if all {
            guard let span = try wrapDialogue({ () throws(DialogueError) in try rollup.span() }) else {
                print("no dialogues recorded yet")
                return
            }
            (first, last) = span
        }
        let report = try wrapDialogue { () throws(DialogueError) in
            try rollup.rollUp(from: first, to: last, objectives: config.objectives)
        }
        if json {
            try printJSON(["from": first, "to": last, "days": report.days, "answers": report.answers,
                           "written": report.written, "unchanged": report.unchanged, "removed": report.removed,
                           "seconds": report.seconds])
        } else {
            print(String(format: "rolled up %@ to %@: %d days, %d answers; %d rows written, %d unchanged, %d removed "
                + "in %.3f s", first, last, report.days, report.answers, report.written, report.unchanged,
                report.removed, report.seconds))
        }
    }
}

/// `cairn report [--from DAY] [--to DAY] [--tenant T] --out FILE`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the answer report (one self-contained HTML page) for a range of days.")

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var settings: DialogueConfigOptions

    @Option(help: "First day, YYYY-MM-DD (default: 29 days before --to).")
    var from: String?

    @Option(help: "Last day, YYYY-MM-DD (default: today, UTC).")
    var to: String?

    @Option(help: "Only this tenant (default: all).")
    var tenant: String?

    @Option(help: "Where to write the page.")
    var out: String = "report.html"

    func run() throws {
        let config = try settings.resolve()
        let store = try openStore(data)
        let last = to ?? DailyRollup.day(Date())
        guard let end = DailyRollup.date(last) else { throw ValidationError("--to \(last) is not a day (YYYY-MM-DD)") }
        let first = from ?? DailyRollup.day(end.addingTimeInterval(-29 * 86_400))
        let report = try wrapDialogue { () throws(DialogueError) in
            try ReportData.load(store.database, from: first, to: last, tenant: tenant, objectives: config.objectives)
        }
        let html = ReportPage.render(report)
        do {
            try Data(html.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw CLIError("cannot write \(out): \(error.localizedDescription)")
        }
        print("wrote \(out): \(report.total.answers) answers, \(first) to \(last), \(tenant.map { "tenant \($0)" } ?? "all tenants")")
    }
}

/// `cairn retention run`.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention", abstract: "Data retention.", subcommands: [RetentionRunCommand.self])
}

/// `cairn retention run`: what the server does nightly, on a data directory no server holds.
struct RetentionRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Delete materials whose retention_years after acquired_at have passed from the index, the store, the "
            + "mirror and the embedding cache, with an audit record.")

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var embedding: EmbedderOptions
    @OptionGroup var mirror: MirrorOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        try data.claim("retention run") { url in
            "the server runs retention daily after 00:05 UTC; to run it now, POST \(url)/v1/retention/run with an admin key"
        }
        let embedder = try embedding.make(dataDirectory: data.path, cached: true)
        let library: MaterialLibrary
        do {
            library = try MaterialLibrary.open(dataDirectory: data.path, embedder: embedder)
        } catch {
            throw CLIError(error.message)
        }
        let worker = try mirror.open(library)
        let purger = DataPurger(library: library, ledger: PurgeLedger(database: library.store.database),
                                dataDirectory: data.path)
        let report: PurgeReport
        do {
            report = try purger.retention()
            try library.checkpoint(ifRecordsAtLeast: 1)
        } catch let error as ServiceError {
            throw CLIError(error.detail ?? error.message)
        }
        mirror.finish(worker)
        if json {
            try printJSON(["materials": report.materials, "chunks": report.chunks,
                           "embedding_cache_entries": report.embeddingCacheEntries,
                           "audit_id": report.auditID.map { $0 as Any } ?? NSNull()])
        } else if report.materials == 0 {
            print("nothing to purge: no material's retention has ended")
        } else {
            print("purged \(report.materials) materials (\(report.chunks) chunks, \(report.embeddingCacheEntries) cached "
                + "embeddings); audit record \(report.auditID ?? 0)")
        }
    }
}

func wrapDialogue<T>(_ body: () throws(DialogueError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw CLIError(error.message)
    }
}
