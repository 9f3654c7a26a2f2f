public import Foundation

/// Finds the built-in model's files the way an installed tool would, whatever the working directory.
///
/// In order: `$CAIRN_MODEL_DIR`; the data directory's own copy (`<data-dir>/models/all-MiniLM-L6-v2`, which
/// `scripts/bootstrap.sh` fills); the copy in the project the running `cairn` was built in (the nearest
/// `index-data/models/all-MiniLM-L6-v2` above the executable, so `.build/release/cairn` finds the
/// repository's); the per-user default `$XDG_DATA_HOME/cairn/models/all-MiniLM-L6-v2` (else
/// `~/.local/share/cairn/…`); and `index-data/models/all-MiniLM-L6-v2` under the working directory.
public enum ModelLocator {
    /// The model's directory name under a `models/` directory.
    public static let modelName = "all-MiniLM-L6-v2"

    /// The places looked at, in order (duplicates removed); `$CAIRN_MODEL_DIR` alone when it is set.
    public static func candidates(dataDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                                  executable: String? = executablePath()) -> [String] {
        if let dir = environment["CAIRN_MODEL_DIR"], !dir.isEmpty { return [dir] }
        var places = [(dataDirectory as NSString).appendingPathComponent("models/\(modelName)")]
        if let executable {
            var dir = (executable as NSString).deletingLastPathComponent
            while dir.count > 1 {
                let candidate = (dir as NSString).appendingPathComponent("index-data/models/\(modelName)")
                if FileManager.default.fileExists(atPath: candidate) {
                    places.append(candidate)
                    break
                }
                dir = (dir as NSString).deletingLastPathComponent
            }
        }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["HOME"].map { ($0 as NSString).appendingPathComponent(".local/share") }
        if let dataHome { places.append((dataHome as NSString).appendingPathComponent("cairn/models/\(modelName)")) }
        places.append("index-data/models/\(modelName)")
        var seen = Set<String>()
        return places.filter { seen.insert(($0 as NSString).standardizingPath).inserted }
    }

    /// The first candidate holding the model's files, else nil.
    public static func locate(dataDirectory: String) -> String? {
        candidates(dataDirectory: dataDirectory).first { isInstalled(at: $0) }
    }

    /// Whether `directory` holds the files the built-in embedder reads.
    public static func isInstalled(at directory: String) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: (directory as NSString).appendingPathComponent("model.safetensors"))
            && manager.fileExists(atPath: (directory as NSString).appendingPathComponent("vocab.txt"))
    }

    /// The running executable's resolved path (`/proc/self/exe`), or nil.
    public static func executablePath() -> String? {
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        return resolved ?? CommandLine.arguments.first.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
    }
}
