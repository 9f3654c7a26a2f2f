import ArgumentParser
import CairnBench
import CairnDialogue
import CairnPostgres
import CairnSQL
import Foundation

/// `cairn bench dialogue`: recording throughput and the rollup of a million answers.
struct BenchDialogueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialogue",
        abstract: "Benchmark recording dialogues (with citation resolution) and rolling a million of them up.",
        discussion: """
            In a scratch data directory: --durable answers recorded one transaction each (as POST /v1/dialogues \
            does), the rest up to --records in batches of 1,000, spread over --days days; then the rollup of every \
            day, again (idempotent), of one day alone, and the HTML report. With --database-url (or \
            $CAIRN_DATABASE_URL) the store is mirrored into a fresh PostgreSQL database and the same daily figures \
            are computed there with percentile_disc, as the peer; rows are compared.
            """)

    @Option(help: "Answers in all.") var records = 1_000_000
    @Option(help: "Days they spread over.") var days = 10
    @Option(help: "Tenants.") var tenants = 20
    @Option(help: "Answers recorded one per transaction (durable recording rate).") var durable = 10_000
    @Option(help: "Scratch directory (default: a new one under /tmp, removed afterwards).") var scratch: String?
    @Option(name: .customLong("database-url"), help: "PostgreSQL for the peer (default: $CAIRN_DATABASE_URL).")
    var databaseURL: String?
    @Flag(help: "Skip the PostgreSQL peer even when a URL is set.") var noPeer = false
    @Option(help: "Write the JSON report to this file.") var json: String?

    func validate() throws {
        guard records >= durable, durable >= 0, days >= 1, tenants >= 1 else {
            throw ValidationError("--records must be at least --durable; --days and --tenants at least 1")
        }
    }

    func run() throws {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let directory = scratch ?? NSTemporaryDirectory() + "cairn-bench-dialogue-\(getpid())"
        if FileManager.default.fileExists(atPath: directory + "/cairn.sqlite3") {
            throw ValidationError("\(directory) already holds a store; give an empty --scratch")
        }
        defer { if scratch == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var settings = DialogueBench.Settings(directory: directory)
        settings.records = records
        settings.days = days
        settings.tenants = tenants
        settings.durableSample = durable
        var (report, storePath) = try DialogueBench(settings: settings, log: log).run()
        let url = databaseURL ?? ProcessInfo.processInfo.environment["CAIRN_DATABASE_URL"]
        if let url, !noPeer {
            let store = try SQLiteDatabase(path: storePath)
            let rows = try DailyRollup(database: store).history(from: "2000-01-01", to: "2999-12-31", tenant: nil)
            let middle = DailyRollup.day(DailyRollup.date(DialogueBench.firstDay)!.addingTimeInterval(Double(days / 2) * 86_400))
            report.peer = try DialogueRollupPeer(url: PostgresURL(url), log: log).run(
                storePath: storePath, cairn: rows, cairnAllSeconds: report.rollupAllSeconds, day: middle,
                cairnOneDaySeconds: report.rollupOneDaySeconds)
        }
        print(String(format: """
            dialogues: %d over %d days, %d tenants (store %.0f MB)
              recording, one transaction per answer: %.0f answers/s (%d answers)
              recording, 1,000 per transaction:      %.0f answers/s
              rollup of every day: %.2f s (%d rows); again: %.2f s (%d written); one day of %d answers: %.3f s
              report over every day: %.2f s (%d KB)
            """, report.records, report.days, report.tenants, Double(report.storeBytes) / 1e6, report.durable.perSecond,
            report.durable.records, report.batched.perSecond, report.rollupAllSeconds, report.rollupRows,
            report.rollupAgainSeconds, report.rollupAgainWritten, report.rollupOneDayAnswers, report.rollupOneDaySeconds,
            report.reportSeconds, report.reportBytes / 1024))
        if let peer = report.peer {
            print(String(format: """
                  PostgreSQL (percentile_disc over the mirror): every day %.2f s (%.1fx Cairn's time), one day %.3f s \
                (%.1fx); %d of %d rows equal; mirroring took %.1f s
                """, peer.allDaysSeconds, peer.allDaysRatio, peer.oneDaySeconds, peer.oneDayRatio, peer.matchingRows,
                peer.rows, peer.mirrorSeconds))
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}
