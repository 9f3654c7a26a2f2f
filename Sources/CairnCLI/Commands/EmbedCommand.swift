public import ArgumentParser
public import CairnEmbedding
import Foundation

extension EmbeddingProvider: ExpressibleByArgument {}

/// `cairn embed TEXT…`: embeds texts (or standard-input lines) with the configured embedder.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with the built-in model or a remote embedding API.",
        discussion: """
            Texts come from the arguments, or one per line from standard input. Without --json it prints each
            vector's dimension, norm, first values and the time taken; with --json it prints
            {"model", "dim", "items": [{"text", "token_ids", "embedding"}]} (token ids for the built-in model only).
            Remote providers read their API key from the variable named by --api-key-env (OpenAI: OPENAI_API_KEY).
            """)

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var embedding: EmbedderOptions

    @Option(help: "Ask the API for vectors of this dimension (OpenAI text-embedding-3).")
    var dimensions: Int?

    @Option(help: "Dimension the model produces (remote models Cairn does not know).")
    var expectedDimension: Int?

    @Flag(help: "Use the embedding cache in the data directory.")
    var cache = false

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: "Texts to embed (default: lines of standard input).")
    var texts: [String] = []

    func run() async throws {
        var inputs = texts
        if inputs.isEmpty {
            while let line = readLine() { inputs.append(line) }
        }
        guard !inputs.isEmpty else { throw ValidationError("nothing to embed: give texts or lines on standard input") }
        var config = embedding.configuration
        config.dimensions = dimensions
        if let expectedDimension { config.expectedDimension = expectedDimension }
        let started = Date()
        let (embedder, output) = try await embed(inputs, config)
        let seconds = Date().timeIntervalSince(started)
        if json {
            let ids = (embedder as? BuiltinEmbedder)?.tokenIDs(inputs)
            let items: [[String: Any]] = inputs.indices.map { i in
                var item: [String: Any] = ["text": inputs[i], "embedding": output.vectors[i].map(Double.init)]
                if let ids { item["token_ids"] = ids[i].map(Int.init) }
                return item
            }
            try printJSON(["model": embedder.model.id, "dim": embedder.model.dimension, "items": items])
            return
        }
        for (text, vector) in zip(inputs, output.vectors) {
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let head = vector.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: ", ")
            print("\(text.prefix(60))\n  dim \(vector.count), norm \(String(format: "%.4f", norm)), [\(head), …]")
        }
        print(String(format: "%d texts in %.1f ms with %@ (%d prompt tokens, %d requests)", inputs.count,
                     seconds * 1000, embedder.model.id, output.usage.promptTokens, output.usage.requests))
    }

    private func embed(_ inputs: [String], _ config: EmbedderConfiguration) async throws -> (any Embedder, EmbeddingOutput) {
        let embedder = try embedding.make(dataDirectory: data.path, cached: cache, config: config)
        do {
            return (embedder, try await embedder.embed(inputs))
        } catch {
            throw CLIError(error.description)
        }
    }
}
