import CairnVectorMath

/// One encoder layer's parameters in the layout the encoder uses.
///
/// Most pointers point into the memory-mapped safetensors file (PyTorch's `[out, in]` row-major layout is
/// exactly the `B` operand of `A·Bᵀ`); the few rewritten tensors live in ``MiniLMWeights``'s own buffers.
struct MiniLMLayerWeights: @unchecked Sendable {
    /// Query and key projections stacked: `[768, 384]` (rows 0..<384 query, 384..<768 key).
    let queryKey: MiniLMProjection
    /// The query bias (384). The key bias is not used: it adds `q·b_k` to every score of a row, which
    /// softmax cancels exactly.
    let queryBias: UnsafePointer<Float>
    /// The value projection `[384, 384]`.
    let value: MiniLMProjection
    /// The attention output projection `[384, 384]`.
    let attentionOutput: MiniLMProjection
    /// The attention output bias with the value bias folded in: `b_o + W_o·b_v` (each softmax row sums to
    /// one, so the value bias passes through attention unchanged).
    let attentionOutputBias: UnsafePointer<Float>
    let attentionNormScale: UnsafePointer<Float>
    let attentionNormShift: UnsafePointer<Float>
    /// The feed-forward expansion `[1536, 384]` and its bias.
    let intermediate: MiniLMProjection
    let intermediateBias: UnsafePointer<Float>
    /// The feed-forward contraction `[384, 1536]` and its bias.
    let output: MiniLMProjection
    let outputBias: UnsafePointer<Float>
    let outputNormScale: UnsafePointer<Float>
    let outputNormShift: UnsafePointer<Float>
}

/// All of all-MiniLM-L6-v2's parameters, read from `model.safetensors` without copying the 90 MB.
///
/// Only three small things are rewritten at load time (about 4 MB): the stacked query/key matrices, the
/// position table with token type 0 added to every row, and the folded attention output biases. When the
/// small-batch kernel is built in (``MiniLMSmallGEMM``), the projection matrices are also kept in its
/// packed layout (another 42 MB), which makes short queries several times faster.
final class MiniLMWeights: @unchecked Sendable {
    /// The mapping the pointers below point into; kept alive with them.
    let file: SafeTensorsFile
    /// `[30522, 384]`.
    let wordEmbeddings: UnsafePointer<Float>
    /// `[512, 384]`: position embedding plus the token type 0 embedding.
    let positionEmbeddings: UnsafePointer<Float>
    let embeddingNormScale: UnsafePointer<Float>
    let embeddingNormShift: UnsafePointer<Float>
    let layers: [MiniLMLayerWeights]
    /// Owners of the rewritten tensors.
    private let buffers: [Matrix]

    /// Loads and checks every tensor of `model.safetensors`.
    ///
    /// - Throws: `.modelMissing` when the file is absent; `.modelInvalid` naming the first tensor that is
    ///   missing, not F32, or of an unexpected shape.
    init(file: SafeTensorsFile) throws(EmbeddingError) {
        typealias S = MiniLMShape
        let h = S.hidden
        self.file = file
        var buffers: [Matrix] = []

        wordEmbeddings = try file.floats("embeddings.word_embeddings.weight", shape: [S.vocabulary, h])
        let positions = try file.floats("embeddings.position_embeddings.weight", shape: [S.maxPositions, h])
        let types = try file.floats("embeddings.token_type_embeddings.weight", shape: [S.tokenTypes, h])
        let table = Matrix(uninitializedRows: S.maxPositions, cols: h)
        for p in 0..<S.maxPositions {
            for j in 0..<h { table.pointer[p * h + j] = positions[p * h + j] + types[j] }
        }
        buffers.append(table)
        positionEmbeddings = UnsafePointer(table.pointer)
        embeddingNormScale = try file.floats("embeddings.LayerNorm.weight", shape: [h])
        embeddingNormShift = try file.floats("embeddings.LayerNorm.bias", shape: [h])

        let extra = file.entries.keys.compactMap { Self.layerIndex(in: $0) }.filter { $0 >= S.layers }
        if let layer = extra.min() {
            throw EmbeddingError(.modelInvalid, "\(file.path): encoder layer \(layer) found, expected \(S.layers) "
                + "layers (is this all-MiniLM-L6-v2?)")
        }
        var layers: [MiniLMLayerWeights] = []
        for i in 0..<S.layers {
            let (layer, owned) = try Self.loadLayer(i, from: file)
            layers.append(layer)
            buffers.append(contentsOf: owned)
        }
        self.layers = layers
        self.buffers = buffers
    }

    /// Reads layer `i` and builds its rewritten tensors (returned with the matrices that own them).
    private static func loadLayer(_ i: Int, from file: SafeTensorsFile) throws(EmbeddingError)
        -> (MiniLMLayerWeights, [Matrix])
    {
        typealias S = MiniLMShape
        let h = S.hidden
        let p = "encoder.layer.\(i)."
        let query = try file.floats(p + "attention.self.query.weight", shape: [h, h])
        let queryBias = try file.floats(p + "attention.self.query.bias", shape: [h])
        let key = try file.floats(p + "attention.self.key.weight", shape: [h, h])
        _ = try file.floats(p + "attention.self.key.bias", shape: [h])
        let value = try file.floats(p + "attention.self.value.weight", shape: [h, h])
        let valueBias = try file.floats(p + "attention.self.value.bias", shape: [h])
        let attentionOutput = try file.floats(p + "attention.output.dense.weight", shape: [h, h])
        let attentionOutputBias = try file.floats(p + "attention.output.dense.bias", shape: [h])

        let queryKey = Matrix(uninitializedRows: S.queryKeyWidth, cols: h)
        queryKey.pointer.update(from: query, count: h * h)
        (queryKey.pointer + h * h).update(from: key, count: h * h)

        // b_o + W_o·b_v, summed in double so the fold adds no rounding of its own.
        let folded = Matrix(uninitializedRows: 1, cols: h)
        for o in 0..<h {
            var sum = Double(attentionOutputBias[o])
            for j in 0..<h { sum += Double(attentionOutput[o * h + j]) * Double(valueBias[j]) }
            folded.pointer[o] = Float(sum)
        }

        var owners = [queryKey, folded]
        let layer = MiniLMLayerWeights(
            queryKey: .make(queryKey.pointer, outputs: S.queryKeyWidth, inputs: h, owners: &owners),
            queryBias: queryBias,
            value: .make(value, outputs: h, inputs: h, owners: &owners),
            attentionOutput: .make(attentionOutput, outputs: h, inputs: h, owners: &owners),
            attentionOutputBias: UnsafePointer(folded.pointer),
            attentionNormScale: try file.floats(p + "attention.output.LayerNorm.weight", shape: [h]),
            attentionNormShift: try file.floats(p + "attention.output.LayerNorm.bias", shape: [h]),
            intermediate: .make(try file.floats(p + "intermediate.dense.weight", shape: [S.intermediate, h]),
                                outputs: S.intermediate, inputs: h, owners: &owners),
            intermediateBias: try file.floats(p + "intermediate.dense.bias", shape: [S.intermediate]),
            output: .make(try file.floats(p + "output.dense.weight", shape: [h, S.intermediate]),
                          outputs: h, inputs: S.intermediate, owners: &owners),
            outputBias: try file.floats(p + "output.dense.bias", shape: [h]),
            outputNormScale: try file.floats(p + "output.LayerNorm.weight", shape: [h]),
            outputNormShift: try file.floats(p + "output.LayerNorm.bias", shape: [h]))
        return (layer, owners)
    }

    /// `N` for a tensor named `[bert.]encoder.layer.N.…`, else nil.
    private static func layerIndex(in name: String) -> Int? {
        let body = name.hasPrefix("bert.") ? name.dropFirst(5) : Substring(name)
        guard body.hasPrefix("encoder.layer.") else { return nil }
        return Int(body.dropFirst("encoder.layer.".count).prefix { $0 != "." })
    }
}
