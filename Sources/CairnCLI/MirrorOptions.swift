import ArgumentParser
import CairnEmbedding
import CairnIndex
import CairnStorage
import CairnIngest
import CairnMirror
import CairnPostgres
import Foundation
import Logging

/// `--database-url` (else `$CAIRN_DATABASE_URL`): the PostgreSQL a writing command mirrors its changes into.
struct MirrorOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "PostgreSQL to mirror changes into, postgresql://user@host:5432/db (default: $CAIRN_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Seconds to wait, at the end, for the mirror to apply this command's changes (default 30).")
    var mirrorWait: Double = 30

    /// The URL given, if any.
    var url: String? {
        if let databaseURL, !databaseURL.isEmpty { return databaseURL }
        if let env = ProcessInfo.processInfo.environment["CAIRN_DATABASE_URL"], !env.isEmpty { return env }
        return nil
    }

    /// The library's mirror, its outbox turned on; `nil` without a URL. A database that cannot mirror this data
    /// directory (another dimension) is an error now; one that is down is not (the outbox keeps the changes).
    func open(_ library: MaterialLibrary) throws -> MirrorWorker? {
        guard let url else { return nil }
        do {
            let target = MirrorApplier.Target(url: PostgresURL(url), dimension: library.vectors.configuration.dimension,
                                              model: library.embedder.model.id)
            let (applier, _) = try MirrorApplier.open(storePath: library.store.path, target: target) { error in
                FileHandle.standardError.write(Data("mirror: \(error.message); changes wait in the outbox\n".utf8))
            }
            return MirrorWorker(applier: applier, logger: Logger(label: "cairn.mirror"))
        } catch {
            throw CLIError("the PostgreSQL mirror: \(error)")
        }
    }

    /// Drains what the command changed (at most ``mirrorWait`` seconds) and says how it went on standard error.
    func finish(_ worker: MirrorWorker?) {
        guard let worker else { return }
        let emptied = worker.drain(until: Date().addingTimeInterval(mirrorWait))
        let status = worker.status()
        let target = worker.applier.target.url.redacted
        if emptied {
            FileHandle.standardError.write(Data("mirror: up to date in \(target)\n".utf8))
        } else {
            FileHandle.standardError.write(Data(("mirror: \(status.changes) changes not yet in \(target) ("
                + "\(status.lastError ?? "still applying")); `cairn mirror sync` or the next run applies them\n").utf8))
        }
    }
}
