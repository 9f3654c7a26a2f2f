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
}

/// The JSON encoder of every benchmark report: pretty-printed, sorted keys (stable diffs), slashes as they are.
func benchmarkJSONEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return encoder
}
