import CairnEmbedding
import Metrics
import Foundation

extension CairnService {
    /// Embeds texts with the service's query embedder — the same model, and so the same vectors, the index
    /// holds and `cairn embed` prints. Inputs longer than the model's token limit are truncated as ingestion
    /// truncates them.
    /// - Throws: `.invalid` naming `input`, `input[i]` or `dimensions`; `.notFound` naming `model` for another
    ///   model; `.notReady`; `.internal` when the embedder fails.
    public func embed(_ request: EmbeddingsRequest, as identity: Identity) async throws(ServiceError) -> EmbeddingsResult {
        let parts = try parts()
        let model = parts.queryEmbedder.model
        guard Self.names(model: model.id, request.model) else {
            throw ServiceError(.notFound, "the model \"\(request.model)\" does not exist here; this server embeds with "
                + "\"\(model.id)\"", field: "model")
        }
        if let dimensions = request.dimensions, dimensions != model.dimension {
            throw ServiceError(.invalid, "\"dimensions\" is \(dimensions); \(model.id) gives \(model.dimension)-"
                + "dimensional vectors only", field: "dimensions")
        }
        guard !request.inputs.isEmpty else { throw ServiceError(.invalid, "\"input\" is empty", field: "input") }
        guard request.inputs.count <= EmbeddingsRequest.maxInputs else {
            throw ServiceError(.invalid, "\"input\" has \(request.inputs.count) texts; allowed: at most "
                + "\(EmbeddingsRequest.maxInputs)", field: "input")
        }
        for (i, text) in request.inputs.enumerated() {
            if text.isEmpty { throw ServiceError(.invalid, "\"input[\(i)]\" is empty", field: "input[\(i)]") }
            if text.unicodeScalars.count > EmbeddingsRequest.maxInputLength {
                throw ServiceError(.invalid, "\"input[\(i)]\" is over \(EmbeddingsRequest.maxInputLength) characters",
                                   field: "input[\(i)]")
            }
        }
        let started = ContinuousClock.now
        let output: EmbeddingOutput
        do {
            output = try await parts.queryEmbedder.embed(request.inputs)
        } catch {
            throw .failure("embedding \(request.inputs.count) inputs: \(error)")
        }
        guard output.vectors.count == request.inputs.count else {
            throw .failure("the embedder returned \(output.vectors.count) vectors for \(request.inputs.count) inputs")
        }
        let tokens = output.tokenCounts?.reduce(0, +)
            ?? (output.usage.promptTokens > 0 ? output.usage.promptTokens
                : request.inputs.reduce(0) { $0 + parts.queryEmbedder.countTokens($1) })
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
        metrics.embeddings.recordMilliseconds(milliseconds)
        metrics.embeddedInputs.increment(by: request.inputs.count)
        return EmbeddingsResult(vectors: output.vectors, model: model.id, promptTokens: tokens, milliseconds: milliseconds)
    }

    /// Whether `asked` names the model `id`: the id itself, any letter case, or with an organisation prefix
    /// (`sentence-transformers/all-MiniLM-L6-v2`).
    static func names(model id: String, _ asked: String) -> Bool {
        let bare = asked.split(separator: "/").last.map(String.init) ?? asked
        let own = id.split(separator: "/").last.map(String.init) ?? id
        return asked.caseInsensitiveCompare(id) == .orderedSame || bare.caseInsensitiveCompare(own) == .orderedSame
    }
}
