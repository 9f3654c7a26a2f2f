import ArgumentParser
import CairnIndex
import CairnStorage
import Foundation

/// `cairn vectors search`: nearest neighbours of a given vector or of a stored label's vector.
struct VectorsSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search the index.")

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "Query vector as comma-separated floats.")
    var vector: String?

    @Option(help: "Use the stored vector of this label as the query.")
    var like: UInt64?

    @Option(help: "Number of results.")
    var k: Int = 10

    @Option(help: "Candidate list size (default: the index's).")
    var efSearch: Int?

    @Flag(help: "Scan every vector (exact).")
    var exact = false

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store = try openVectors(data, command: "vectors search")
        let query: [Float]
        if let vector {
            query = try vector.split(separator: ",").map { part in
                guard let x = Float(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--vector: '\(part)' is not a number")
                }
                return x
            }
        } else if let like {
            guard let v = store.index.vector(for: like) else { throw CLIError("label \(like) is not in the index") }
            query = v
        } else {
            throw ValidationError("give --vector or --like")
        }
        let started = Date()
        let result: SearchResult
        do {
            result = try store.index.search(query, options: SearchOptions(k: k, efSearch: efSearch, exact: exact))
        } catch { throw CLIError(error.description) }
        let micros = Int(Date().timeIntervalSince(started) * 1e6)
        if json {
            try printJSON([
                "results": result.hits.map { ["label": $0.label, "distance": $0.distance, "similarity": $0.similarity] },
                "exact": result.exact, "micros": micros,
            ])
        } else {
            for hit in result.hits { print("\(hit.label)\t\(hit.similarity)") }
            print("\(result.hits.count) results in \(micros) µs\(result.exact ? " (exact)" : "")")
        }
    }
}
