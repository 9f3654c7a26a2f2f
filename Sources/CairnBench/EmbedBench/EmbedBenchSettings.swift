import CairnEmbedding
import Foundation

/// What one `cairn bench embed` run measures, validated before any work starts.
///
/// ```swift
/// var settings = EmbedBenchSettings()
/// settings.threads = [1, 2]
/// let runner = EmbedBenchRunner(settings: try settings.validated())
/// ```
public struct EmbedBenchSettings: Sendable, Equatable {
    /// The peer engines `--peers` measures, in report order.
    public static let peerEngines = ["onnxruntime", "torch"]
    /// The batch size of the document measurement (the "batch 32").
    public static let defaultDocumentBatch = 32

    /// The text set directory (`queries.txt`, `documents.txt`).
    public var textsDirectory = "Benchmarks/texts"
    /// Thread counts measured, in order; each gets its own embedder.
    public var threads: [Int] = [1, 2]
    /// Documents per `embed` call.
    public var documentBatch = defaultDocumentBatch
    /// Passes over the queries and over the documents; the fastest pass counts (the peers get the same).
    public var repeats = 3
    /// Queries embedded one by one before timing (plus one document batch), so that lazy set-up, page
    /// faults of the mapped weights and thread start-up are not timed.
    public var warmupQueries = 16
    /// The data directory: the built-in model is read from its `models/all-MiniLM-L6-v2`.
    public var dataDirectory = "index-data"
    /// `Benchmarks/`: peer scripts live in its `peers/`, reports go to its `results/`.
    public var benchmarksDirectory = "Benchmarks"

    /// Settings with the defaults of the command line.
    public init() {}

    /// Returns `self` if every setting is in range, or throws an error naming the first bad one.
    public func validated() throws(EmbedBenchError) -> EmbedBenchSettings {
        func bad(_ message: String) -> EmbedBenchError { .invalidSetting(message) }
        guard !textsDirectory.isEmpty else { throw bad("--texts: empty path") }
        guard !threads.isEmpty else { throw bad("--threads: give at least one value, e.g. 1,2") }
        for t in threads where !(1...256).contains(t) {
            throw bad("--threads value \(t) is out of range: expected 1...256")
        }
        guard Set(threads).count == threads.count else { throw bad("--threads: a value is repeated") }
        guard (1...1024).contains(documentBatch) else {
            throw bad("--batch = \(documentBatch) is out of range: expected 1...1024")
        }
        guard (1...100).contains(repeats) else { throw bad("--repeats = \(repeats) is out of range: expected 1...100") }
        guard (0...10_000).contains(warmupQueries) else {
            throw bad("--warmup = \(warmupQueries) is out of range: expected 0...10000")
        }
        return self
    }

    /// Parses a comma-separated thread list such as `"1,2"`.
    /// - Throws: ``EmbedBenchError/invalidSetting(_:)`` naming the bad element.
    public static func parseThreadList(_ text: String) throws(EmbedBenchError) -> [Int] {
        var values: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let value = Int(trimmed) else {
                throw .invalidSetting("--threads: \"\(trimmed)\" is not an integer (expected e.g. 1,2)")
            }
            values.append(value)
        }
        return values
    }

    /// The built-in model's directory, found as Cairn finds it (so the peers load the same files).
    public var modelDirectory: String { EmbedderFactory.modelDirectory(dataDirectory: dataDirectory) }
}
