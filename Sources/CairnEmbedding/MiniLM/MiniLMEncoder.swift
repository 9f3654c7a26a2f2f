import CairnVectorMath
import Glibc
nonisolated(unsafe) public var miniLMProfile = [Double](repeating: 0, count: 12)
@inline(__always) func tick() -> Double { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9 }


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

    /// Embeds `sequences` (a non-empty chunk) using `workspace`.
    func encode(_ sequences: [MiniLMSequence], workspace: MiniLMWorkspace) {
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
            attention(layer, sequences: sequences, starts: starts, tokens: total, workspace: workspace)
            feedForward(layer, tokens: total, workspace: workspace)
        }
        for (s, start) in zip(sequences, starts) {
            MiniLMKernels.meanPoolNormalized(x + start * h, rows: s.count, width: h, into: s.output)
        }
    }

    /// Self-attention and its output block: `x ← LayerNorm(x + Attention(x)·W_oᵀ + b_o)`.
    private func attention(
        _ layer: MiniLMLayerWeights, sequences: [MiniLMSequence], starts: [Int], tokens: Int,
        workspace: MiniLMWorkspace
    ) {
        let h = MiniLMShape.hidden, qkWidth = MiniLMShape.queryKeyWidth, d = MiniLMShape.headWidth
        let x = workspace.hidden.pointer
        let qk = workspace.queryKey.pointer, vt = workspace.valueTransposed.pointer
        let context = workspace.context.pointer, scores = workspace.scores.pointer
        let hidden = MatrixView(base: x, rows: tokens, cols: h)

        let _t0 = tick()
        BLAS.sgemm(hidden, MatrixView(base: layer.queryKey, rows: qkWidth, cols: h), into: qk, ldc: qkWidth)
        miniLMProfile[0] += tick() - _t0
        let _t1 = tick()
        MiniLMKernels.addBias(qk, rows: tokens, width: h, stride: qkWidth, bias: layer.queryBias)
        miniLMProfile[1] += tick() - _t1
        // Vᵀ = W_v·Xᵀ: each head's values are then 32 rows of a matrix whose columns are tokens, the B operand
        // that scores·values needs.
        let _t2 = tick()
        BLAS.sgemm(MatrixView(base: layer.value, rows: h, cols: h), hidden, into: vt, ldc: tokens)
        miniLMProfile[2] += tick() - _t2

        for (s, start) in zip(sequences, starts) {
            let n = s.count, stride = MiniLMWorkspace.scoreStride(n)
            let rows = qk + start * qkWidth
            for head in 0..<MiniLMShape.heads {
                let q = MatrixView(base: rows + head * d, rows: n, cols: d, rowStride: qkWidth)
                let k = MatrixView(base: rows + h + head * d, rows: n, cols: d, rowStride: qkWidth)
                let _t3 = tick()
                BLAS.sgemm(q, k, into: scores, ldc: stride, alpha: Self.scoreScale)
                miniLMProfile[3] += tick() - _t3
                let _t4 = tick()
                MiniLMKernels.softmaxRows(scores, count: n, stride: stride)
                miniLMProfile[4] += tick() - _t4
                let p = MatrixView(base: scores, rows: n, cols: n, rowStride: stride)
                let v = MatrixView(base: vt + head * d * tokens + start, rows: d, cols: n, rowStride: tokens)
                let _t5 = tick()
                BLAS.sgemm(p, v, into: context + start * h + head * d, ldc: h)
                miniLMProfile[5] += tick() - _t5
            }
        }

        let _t6 = tick()
        BLAS.sgemm(MatrixView(base: context, rows: tokens, cols: h),
                   MatrixView(base: layer.attentionOutput, rows: h, cols: h), into: x, ldc: h, beta: 1)
        miniLMProfile[6] += tick() - _t6
        MiniLMKernels.addBiasLayerNorm(x, rows: tokens, width: h, bias: layer.attentionOutputBias,
                                       scale: layer.attentionNormScale, shift: layer.attentionNormShift)
    }

    /// The feed-forward block, by row tiles: `x ← LayerNorm(x + GELU(x·W₁ᵀ + b₁)·W₂ᵀ + b₂)`.
    private func feedForward(_ layer: MiniLMLayerWeights, tokens: Int, workspace: MiniLMWorkspace) {
        let h = MiniLMShape.hidden, f = MiniLMShape.intermediate
        let x = workspace.hidden.pointer, inner = workspace.intermediate.pointer
        let expand = MatrixView(base: layer.intermediate, rows: f, cols: h)
        let contract = MatrixView(base: layer.output, rows: h, cols: f)
        var first = 0
        while first < tokens {
            let m = min(MiniLMWorkspace.feedForwardTile, tokens - first)
            let rows = x + first * h
            let _t7 = tick()
            BLAS.sgemm(MatrixView(base: rows, rows: m, cols: h), expand, into: inner, ldc: f)
            miniLMProfile[7] += tick() - _t7
            let _t8 = tick()
            MiniLMKernels.addBiasGELU(inner, rows: m, width: f, bias: layer.intermediateBias)
            miniLMProfile[8] += tick() - _t8
            let _t9 = tick()
            BLAS.sgemm(MatrixView(base: inner, rows: m, cols: f), contract, into: rows, ldc: h, beta: 1)
            miniLMProfile[9] += tick() - _t9
            let _t10 = tick()
            MiniLMKernels.addBiasLayerNorm(rows, rows: m, width: h, bias: layer.outputBias,
                                           scale: layer.outputNormScale, shift: layer.outputNormShift)
            miniLMProfile[10] += tick() - _t10
            first += m
        }
    }
}
