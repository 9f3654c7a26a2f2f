import CairnVectorMath

/// One input sequence of a chunk: its token ids and where its embedding goes.
struct MiniLMSequence: @unchecked Sendable {
    /// Validated token ids (`[CLS] … [SEP]`), 1...512 of them.
    let tokens: UnsafePointer<Int32>
    let count: Int
    /// Where the 384-float unit-length embedding is written.
    let output: UnsafeMutablePointer<Float>
}

/// The BERT encoder forward pass over a chunk of sequences, on BLAS.
///
/// The sequences of a chunk are packed back to back, without padding: every step except attention works
/// token by token, so it sees one `tokens × 384` matrix, and attention runs per sequence on that
/// sequence's rows only. A token therefore never attends to another sequence's tokens or to padding,
/// which is exactly what BERT's attention mask achieves, without spending any work on pad tokens.
///
/// Per layer: one GEMM for the query and key projections, one for the transposed values, two small GEMMs
/// per head and sequence (scores, then scores·values), one for the attention output (accumulated onto the
/// residual), and two for the feed-forward block (by row tiles); bias, softmax, GELU and LayerNorm are
/// fused passes in ``MiniLMKernels``.
struct MiniLMEncoder: Sendable {
    let weights: MiniLMWeights

    /// `1/√32`, the attention scale, applied by the score GEMM.
    private static let scoreScale: Float = 0.176_776_695_296_636_88

    /// Embeds `sequences` (a non-empty chunk) using `workspace`. When the chunk is short enough for the
    /// small-batch kernel, its projections are split over `ways` threads (a lone query on a multi-core
    /// embedder); otherwise `ways` is ignored and the chunk runs on the caller's thread.
    func encode(_ sequences: [MiniLMSequence], workspace: MiniLMWorkspace, ways: Int = 1) {
        let h = MiniLMShape.hidden
        var starts: [Int] = []
        starts.reserveCapacity(sequences.count)
        var total = 0, longest = 0
        for s in sequences {
            starts.append(total)
            total += s.count
            longest = max(longest, s.count)
        }
        workspace.reserve(tokens: total, longest: longest)
        let x = workspace.hidden.pointer
        for (s, start) in zip(sequences, starts) {
            MiniLMKernels.embed(UnsafeBufferPointer(start: s.tokens, count: s.count), into: x + start * h,
                                words: weights.wordEmbeddings, positions: weights.positionEmbeddings)
        }
        MiniLMKernels.addBiasLayerNorm(x, rows: total, width: h, bias: nil, scale: weights.embeddingNormScale,
                                       shift: weights.embeddingNormShift)
        for layer in weights.layers {
            attention(layer, sequences: sequences, starts: starts, tokens: total, workspace: workspace, ways: ways)
            feedForward(layer, tokens: total, workspace: workspace, ways: ways)
        }
        for (s, start) in zip(sequences, starts) {
            MiniLMKernels.meanPoolNormalized(x + start * h, rows: s.count, width: h, into: s.output)
        }
    }

    /// Self-attention and its output block: `x ← LayerNorm(x + Attention(x)·W_oᵀ + b_o)`.
    private func attention(
        _ layer: MiniLMLayerWeights, sequences: [MiniLMSequence], starts: [Int], tokens: Int,
        workspace: MiniLMWorkspace, ways: Int
    ) {
        let h = MiniLMShape.hidden, qkWidth = MiniLMShape.queryKeyWidth, d = MiniLMShape.headWidth
        let x = workspace.hidden.pointer
        let qk = workspace.queryKey.pointer, vt = workspace.valueTransposed.pointer
        let context = workspace.context.pointer, scores = workspace.scores.pointer
        let inverseSums = workspace.inverseSums.pointer

        layer.queryKey.apply(x, rows: tokens, into: qk, ldc: qkWidth, ways: ways)
        MiniLMKernels.addBias(qk, rows: tokens, width: h, stride: qkWidth, bias: layer.queryBias)
        // Vᵀ = W_v·Xᵀ: each head's values are then 32 rows of a matrix whose columns are tokens, the B operand
        // that scores·values needs. The small-batch kernel makes V itself, transposed through `context`
        // (free until the heads write it).
        if layer.value.usesSmallKernel(rows: tokens) {
            layer.value.apply(x, rows: tokens, into: context, ldc: h, ways: ways)
            MiniLMKernels.transpose(context, rows: tokens, cols: h, into: vt)
        } else {
            BLAS.sgemm(layer.value.view, MatrixView(base: x, rows: tokens, cols: h), into: vt, ldc: tokens)
        }

        for (s, start) in zip(sequences, starts) {
            let n = s.count, stride = MiniLMWorkspace.scoreStride(n)
            let rows = qk + start * qkWidth
            for head in 0..<MiniLMShape.heads {
                let q = MatrixView(base: rows + head * d, rows: n, cols: d, rowStride: qkWidth)
                let k = MatrixView(base: rows + h + head * d, rows: n, cols: d, rowStride: qkWidth)
                BLAS.sgemm(q, k, into: scores, ldc: stride, alpha: Self.scoreScale)
                MiniLMKernels.softmaxRows(scores, count: n, stride: stride, inverseSums: inverseSums)
                let p = MatrixView(base: scores, rows: n, cols: n, rowStride: stride)
                let v = MatrixView(base: vt + head * d * tokens + start, rows: d, cols: n, rowStride: tokens)
                BLAS.sgemm(p, v, into: context + start * h + head * d, ldc: h)
                MiniLMKernels.scaleHeadRows(context + start * h + head * d, rows: n, stride: h, factors: inverseSums)
            }
        }

        layer.attentionOutput.apply(context, rows: tokens, into: x, ldc: h, accumulate: true, ways: ways)
        MiniLMKernels.addBiasLayerNorm(x, rows: tokens, width: h, bias: layer.attentionOutputBias,
                                       scale: layer.attentionNormScale, shift: layer.attentionNormShift)
    }

    /// The feed-forward block, by row tiles: `x ← LayerNorm(x + GELU(x·W₁ᵀ + b₁)·W₂ᵀ + b₂)`.
    private func feedForward(_ layer: MiniLMLayerWeights, tokens: Int, workspace: MiniLMWorkspace, ways: Int) {
        let h = MiniLMShape.hidden, f = MiniLMShape.intermediate
        let x = workspace.hidden.pointer, inner = workspace.intermediate.pointer
        var first = 0
        while first < tokens {
            let m = min(MiniLMWorkspace.feedForwardTile, tokens - first)
            let rows = x + first * h
            layer.intermediate.apply(rows, rows: m, into: inner, ldc: f, ways: ways)
            MiniLMKernels.addBiasGELU(inner, rows: m, width: f, bias: layer.intermediateBias)
            layer.output.apply(inner, rows: m, into: rows, ldc: h, accumulate: true, ways: ways)
            MiniLMKernels.addBiasLayerNorm(rows, rows: m, width: h, bias: layer.outputBias,
                                           scale: layer.outputNormScale, shift: layer.outputNormShift)
            first += m
        }
    }
}
