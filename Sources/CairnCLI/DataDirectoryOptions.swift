import ArgumentParser
import CairnStorage
import Foundation
import Synchronization

/// `--data-dir`, shared by every command: defaults to `$CAIRN_DATA_DIR`, else `index-data/`.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (default: $CAIRN_DATA_DIR or index-data/).")
    var dataDir: String?

    /// The resolved data directory.
    var path: String {
        if let dataDir { return dataDir }
        if let env = ProcessInfo.processInfo.environment["CAIRN_DATA_DIR"], !env.isEmpty { return env }
        return "index-data"
    }

    /// Where the vector index lives inside the data directory.
    var vectorsPath: String { (path as NSString).appendingPathComponent("vectors") }

    /// Takes the data directory for this command (until the process exits), so that a running `cairn serve`
    /// and this command never write to it together.
    /// - Parameters:
    ///   - command: what runs (`index`, `vectors add`), written into the lock file for others to see.
    ///   - instead: what to do against a server that holds the directory, given its base URL.
    /// - Throws: a ``CLIError`` naming the holder (pid, URL) and the API call to use instead.
    func claim(_ command: String, instead: (String) -> String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        do {
            let lock = try DirectoryLock(directory: path, holder: LockHolder(command: command))
            heldLocks.withLock { $0.append(lock) }
        } catch let error as StorageError {
            guard let holder = error.lockHolder else { throw CLIError(error.description) }
            if holder.command == "serve" {
                let url = holder.url ?? "http://127.0.0.1:8080"
                throw CLIError("\(path) is served by \(holder): \(instead(url)). `cairn \(command)` works on a data "
                    + "directory no server holds: stop the server (Ctrl-C or SIGTERM) or use another --data-dir.")
            }
            throw CLIError("\(path) is in use by \(holder); wait for it to finish or use another --data-dir")
        }
    }
}

/// Data-directory locks this process took; kept until it exits.
private let heldLocks = Mutex<[DirectoryLock]>([])
