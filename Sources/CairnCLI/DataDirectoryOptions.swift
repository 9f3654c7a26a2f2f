import ArgumentParser
import Foundation

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
}
