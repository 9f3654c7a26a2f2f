public import ArgumentParser
public import CairnIndex
import CairnStorage
public import CairnVectorMath
import Foundation

/// `cairn vectors …`: direct access to the durable vector index in `<data-dir>/vectors`.
struct VectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Add, remove, search and maintain the vector index.",
        subcommands: [
            VectorsAddCommand.self, VectorsRemoveCommand.self, VectorsSearchCommand.self,
            VectorsVerifyCommand.self, VectorsCheckpointCommand.self, VectorsCompactCommand.self,
        ]
    )
}

/// Index settings accepted where an index may be created.
struct IndexSettingsOptions: ParsableArguments {
    @Option(name: .customLong("dim"), help: "Vector dimension (required to create an index).")
    var dimension: Int?

    @Option(help: "Metric: cosine, ip or l2.")
    var metric: Metric = .cosine

    @Option(help: "Links per node (HNSW M).")
    var m: Int = 16

    @Option(help: "Candidate list size while inserting.")
    var efConstruction: Int = 64

    @Option(help: "Default candidate list size while searching.")
    var efSearch: Int = 100

    @Option(help: "How searches walk the graph: none (float32) or int8 (int8 codes, float32 re-rank).")
    var quantization: VectorQuantization = .none

    /// The requested configuration, or nil when no dimension was given (open an existing index).
    func configuration() throws -> IndexConfiguration? {
        guard let dimension else { return nil }
        do {
            var config = IndexConfiguration(dimension: dimension, metric: metric, m: m, efConstruction: efConstruction,
                                            efSearch: efSearch)
            config.quantization = quantization
            return try config.validated()
        } catch {
            throw ValidationError(error.description)
        }
    }
}

extension Metric: ExpressibleByArgument {}
extension VectorQuantization: ExpressibleByArgument {}

/// Opens the data directory's index, turning storage errors into plain messages; `command` claims the data
/// directory first (see ``DataDirectoryOptions/claim(_:instead:)``).
func openVectors(_ data: DataDirectoryOptions, _ settings: IndexSettingsOptions? = nil, command: String) throws
    -> DurableIndex
{
    try data.claim(command) { _ in "the server has no API for the raw vector index" }
    do {
        return try DurableIndex.open(directory: data.vectorsPath, configuration: try settings?.configuration())
    } catch let error as StorageError {
        throw CLIError(error.description)
    }
}

/// An error whose message is shown as is.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Prints a JSON object on one line.
func printJSON(_ object: Any) throws {
    let bytes = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: bytes, as: UTF8.self))
}
