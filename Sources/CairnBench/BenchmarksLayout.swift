import Foundation

/// Paths inside the benchmark harness directory (`Benchmarks/` by default), shared by the peer runners.
public protocol BenchmarksLayout {
    /// The harness directory.
    var benchmarksDirectory: String { get }
}

extension BenchmarksLayout {
    func path(_ components: String...) -> String {
        components.reduce(benchmarksDirectory) { ($0 as NSString).appendingPathComponent($1) }
    }

    /// `Benchmarks/results/`.
    public var resultsDirectory: String { path("results") }

    /// The peers' virtual-environment interpreter.
    public var python: String { path(".venv", "bin", "python") }

    /// Runs `peers/setup.sh` (idempotent) so that the peers' virtual environment exists.
    func setUpPeers(log: (String) -> Void) throws(IndexBenchError) {
        let script = path("peers", "setup.sh")
        if FileManager.default.fileExists(atPath: script) {
            log("peers: bash \(script)")
            try ChildProcess.run("/usr/bin/env", ["bash", script], what: "peer setup (\(script))")
        } else {
            log("peers: \(script) not found; using \(python) as it is")
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw .peer("\(python) does not exist: run `bash \(script)` to create the peers' virtual environment")
        }
    }
}

/// The JSON encoder of every benchmark report: pretty-printed, sorted keys (stable diffs), slashes as they are.
func benchmarkJSONEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return encoder
}
