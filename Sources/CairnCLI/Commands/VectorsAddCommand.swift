import ArgumentParser
import CairnBench
import CairnIndex
import CairnStorage
import CairnVectorMath
import Foundation

/// `cairn vectors add`: loads vectors from an .fvecs file or a seeded synthetic set, in durable batches.
///
/// After each batch is durable it prints `acked FIRST LAST` (labels, inclusive) and flushes, so a process
/// watching the output knows exactly which writes were acknowledged (the crash tests rely on this).
struct VectorsAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Insert vectors (labels start-label, start-label+1, …).")

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var settings: IndexSettingsOptions

    @Option(help: "Read vectors from this .fvecs file.")
    var fvecs: String?

    @Option(help: "Generate this many seeded synthetic vectors instead.")
    var synthetic: Int?

    @Option(help: "Seed of the synthetic set.")
    var seed: UInt64 = 1

    @Option(help: "Label of the first vector.")
    var startLabel: UInt64 = 0

    @Option(help: "Vectors per durable batch (one WAL group commit each).")
    var batch: Int = 256

    @Option(help: "Write a checkpoint whenever the WAL exceeds this many bytes.")
    var checkpointBytes: Int64?

    @Flag(help: "Write a checkpoint when done.")
    var checkpoint = false

    func validate() throws {
        guard (fvecs == nil) != (synthetic == nil) else { throw ValidationError("give exactly one of --fvecs and --synthetic") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let matrix: Matrix
        if let fvecs {
            do { matrix = try FVecs.read(fvecs) } catch { throw CLIError(error.description) }
        } else {
            let dim = settings.dimension ?? 384
            matrix = SyntheticDataset.make(n: synthetic!, queries: 0, dim: dim, seed: seed).base
        }
        var wanted = settings
        if wanted.dimension == nil, !FileManager.default.fileExists(atPath: data.vectorsPath + "/index.json") {
            wanted.dimension = matrix.cols
        }
        let store = try openVectors(data, wanted, command: "vectors add")
        if let checkpointBytes { store.checkpointThresholdBytes = checkpointBytes }
        let started = Date()
        var first = 0
        while first < matrix.rows {
            let end = min(first + batch, matrix.rows)
            let labels = (first..<end).map { startLabel + UInt64($0) }
            let vectors = Array(UnsafeBufferPointer(start: matrix.row(first), count: (end - first) * matrix.cols))
            do { try store.upsert(labels: labels, vectors: vectors) } catch let error as StorageError {
                throw CLIError(error.description)
            }
            print("acked \(labels.first!) \(labels.last!)")
            fflush(nil)
            first = end
        }
        if checkpoint { _ = try store.checkpoint() }
        let seconds = Date().timeIntervalSince(started)
        print("added \(matrix.rows) vectors in \(String(format: "%.2f", seconds)) s; index holds \(store.index.count)")
    }
}
