import ArgumentParser
import CairnEmbedding
import CairnIngest
import CairnMirror
import CairnPostgres
import CairnSQL
import Foundation
import Logging

/// `cairn mirror`: the PostgreSQL mirror of a data directory.
struct MirrorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Show, apply, check and rebuild from the PostgreSQL mirror of a data directory.",
        discussion: """
            With a database URL (--database-url or $CAIRN_DATABASE_URL), `cairn serve` and every writing command \
            record each committed change in an outbox inside the data directory's store and apply it to the \
            database's `cairn` schema; a PostgreSQL outage only makes the outbox grow. See docs/POSTGRES.md.
            """,
        subcommands: [MirrorStatusCommand.self, MirrorSyncCommand.self, MirrorVerifyCommand.self,
                      MirrorRebuildCommand.self, MirrorResyncCommand.self])
}

/// What the mirror commands share: the data directory, the URL, and the mirror target read from the store.
struct MirrorContext: ParsableArguments {
    @OptionGroup var data: DataDirectoryOptions

    @Option(name: .customLong("database-url"), help: "The PostgreSQL mirror (default: $CAIRN_DATABASE_URL).")
    var databaseURL: String?

    var url: PostgresURL? {
        let raw = databaseURL ?? ProcessInfo.processInfo.environment["CAIRN_DATABASE_URL"]
        return raw.flatMap { $0.isEmpty ? nil : PostgresURL($0) }
    }

    func requireURL() throws -> PostgresURL {
        guard let url else { throw CLIError("give the PostgreSQL mirror with --database-url or $CAIRN_DATABASE_URL") }
        return url
    }

    var storePath: String { (data.path as NSString).appendingPathComponent(MaterialStore.fileName) }

    /// The store's outbox (the store must exist: it is migrated by opening it once).
    func outbox() throws -> MirrorOutbox {
        guard FileManager.default.fileExists(atPath: storePath) else {
            throw CLIError("\(data.path) holds no store (\(MaterialStore.fileName)); index something first or give --data-dir")
        }
        do {
            _ = try MaterialStore(path: storePath)
            return try MirrorOutbox(storePath: storePath)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// An applier for this data directory: the dimension and model of its stored chunks; without chunks, the
    /// dimension of its chunk index (`chunk-index/index.json`) and the model `cairn serve` would use.
    func applier(_ outbox: MirrorOutbox, takeOver: Bool = false) throws -> MirrorApplier {
        let url = try requireURL()
        let row = try? outbox.database.queryFirst("SELECT length(embedding) / 4, embedding_model FROM material_chunks LIMIT 1")
        var dimension = (try? row?.get(0, as: Int64.self)).flatMap { $0 }.map(Int.init)
        var model = (try? row?.get(1, as: String.self)).flatMap { $0 }
        if dimension == nil {
            let manifest = ((data.path as NSString).appendingPathComponent("chunk-index") as NSString)
                .appendingPathComponent("index.json")
            let object = (try? Data(contentsOf: URL(fileURLWithPath: manifest)))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            dimension = object?["dimension"] as? Int
            model = model ?? EmbedderOptions().configuration.modelID
        }
        guard let dimension, let model else {
            throw CLIError("\(data.path) has no chunk index yet: index something (or start `cairn serve`) first")
        }
        return MirrorApplier(target: .init(url: url, dimension: dimension, model: model), outbox: outbox, takeOver: takeOver)
    }

    func claim(_ command: String) throws {
        try data.claim(command) { url in
            "the server mirrors continuously; its lag is in \(url)/readyz and \(url)/metrics"
        }
    }

    /// Drains until empty (at most `seconds`), printing the outcome; returns whether it emptied.
    func sync(_ applier: MirrorApplier, seconds: Double) -> Bool {
        let worker = MirrorWorker(applier: applier, logger: Logger(label: "cairn.mirror"))
        let started = Date()
        let emptied = worker.drain(until: Date().addingTimeInterval(seconds))
        let status = worker.status()
        if emptied {
            print(String(format: "mirror: up to date in %@ (%.1f s)", applier.target.url.redacted,
                         Date().timeIntervalSince(started)))
        } else {
            print("mirror: \(status.changes) changes still waiting (\(status.lastError ?? "still applying"))")
        }
        return emptied
    }
}

struct MirrorStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "How far behind the mirror is, and what it holds.")

    @OptionGroup var context: MirrorContext
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let outbox = try context.outbox()
        let enabled = try outbox.isEnabled()
        let backlog = try outbox.backlog()
        var mirrored: [String: Int] = [:]
        var reachError: String?
        if let url = context.url {
            do {
                let pg = try PostgresConnection(url: url)
                for table in ["materials", "material_chunks", "provenance", "material_processing_jobs", "bulk_jobs"] {
                    mirrored[table] = Int(try pg.execute("SELECT count(*) FROM cairn.\(table)").int64(0, 0) ?? 0)
                }
            } catch {
                reachError = "\(error)"
            }
        }
        if json {
            try printJSON(["outbox_enabled": enabled, "lag_changes": backlog.changes, "lag_seconds": backlog.secondsBehind(),
                           "mirror_rows": mirrored, "error": reachError as Any,
                           "rejected": try outbox.rejectedRows().map { ["table": $0.table, "id": $0.id, "error": $0.error] }])
            return
        }
        let rejected = try outbox.rejectedRows()
        print("outbox: \(enabled ? "on" : "off (no mirrored run yet)"); \(backlog.changes) changes waiting"
            + (backlog.changes > 0 ? String(format: ", %.1f s behind", backlog.secondsBehind()) : ""))
        if !rejected.isEmpty {
            print("rows PostgreSQL refused, set aside (`cairn mirror resync` tries them again once fixed):")
            for row in rejected.prefix(20) { print("  \(row.table) \(row.id): \(row.error)") }
        }
        if let url = context.url {
            if let reachError {
                print("mirror \(url.redacted): not reachable: \(reachError)")
            } else {
                print("mirror \(url.redacted): " + mirrored.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                    .joined(separator: ", "))
            }
        }
    }
}

struct MirrorSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Apply what waits in the outbox now; exit 0 when the lag is 0.")

    @OptionGroup var context: MirrorContext
    @Option(help: "Seconds to keep trying while PostgreSQL is unreachable (default 60).") var wait: Double = 60

    func run() throws {
        try context.claim("mirror sync")
        let outbox = try context.outbox()
        try outbox.enable()
        guard context.sync(try context.applier(outbox), seconds: wait) else { throw ExitCode(1) }
    }
}

struct MirrorVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare the store with the mirror row by row; exit 1 naming the first divergent rows.")

    @OptionGroup var context: MirrorContext

    func run() throws {
        try context.claim("mirror verify")
        let outbox = try context.outbox()
        let applier = try context.applier(outbox)
        guard context.sync(applier, seconds: 60) else { throw ExitCode(1) }
        let report: MirrorVerifier.Report
        do {
            report = try MirrorVerifier.verify(store: outbox.database, mirror: applier.connect())
        } catch {
            throw CLIError("\(error)")
        }
        for table in report.tables {
            print("\(table.table): store \(table.storeRows), mirror \(table.mirrorRows)"
                + (table.divergent > 0 ? ", \(table.divergent) divergent" : ", equal"))
        }
        guard report.isEqual else {
            for example in report.examples { print("  \(example)") }
            print("the mirror differs from the store: `cairn mirror resync` re-sends every row")
            throw ExitCode(1)
        }
        print("the mirror equals the store")
    }
}

struct MirrorRebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild an empty data directory (store and index) from the mirror: a new replica, or a lost disk.")

    @OptionGroup var context: MirrorContext

    func run() throws {
        let url = try context.requireURL()
        try context.claim("mirror rebuild")
        let report: MirrorRebuilder.Report
        do {
            report = try MirrorRebuilder.rebuild(from: url, into: context.data.path) { table, rows in
                if rows % 20_000 == 0 { FileHandle.standardError.write(Data("  \(table): \(rows)\n".utf8)) }
            }
        } catch {
            throw CLIError("\(error)")
        }
        print(String(format: "rebuilt %@ from %@: %d materials, %d chunks (%d-d, %@); copied in %.1f s, index built in %.1f s",
                     context.data.path, url.redacted, report.rows["materials"] ?? 0, report.chunks, report.dimension,
                     report.model, report.copySeconds, report.indexSeconds))
    }
}

struct MirrorResyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resync",
        abstract: "Re-send every row to the mirror (after an old PostgreSQL backup was restored, say).")

    @OptionGroup var context: MirrorContext
    @Flag(help: "Take over a database that mirrors another data directory (its rows are replaced by this one's).")
    var takeOver = false

    func run() throws {
        try context.claim("mirror resync")
        let outbox = try context.outbox()
        try outbox.enable()
        let queued = try outbox.queueEverything()
        print("queued \(queued) rows")
        let applier = try context.applier(outbox, takeOver: takeOver)
        // Rows the mirror holds that the store does not are deleted too.
        do {
            let removed = try applier.removeRowsNotInStore()
            if removed > 0 { print("removed \(removed) rows the store does not hold") }
        } catch {
            throw CLIError("\(error)")
        }
        guard context.sync(applier, seconds: 600) else { throw ExitCode(1) }
    }
}
