/// The element-wise steps of the encoder, fused so each pass reads and writes a row once or twice.
///
/// Rows are `width` floats, `width` a multiple of 16 (384 or 1536); everything is done in
/// ``FloatVector``s on raw pointers.
enum MiniLMKernels {
    /// Floats per ``FloatVector``.
    private static let lanes = FloatVector.scalarCount

    /// `x ← LayerNorm(x + bias) · scale + shift` for each of `rows` rows of `width` floats.
    ///
    /// Mean and variance are taken in two passes over the row (which stays in L1), as PyTorch does,
    /// rather than from a running sum of squares that loses precision.
    @_optimize(speed)
    static func addBiasLayerNorm(
        _ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>?,
        scale: UnsafePointer<Float>, shift: UnsafePointer<Float>
    ) {
        let n = Float(width)
        for r in 0..<rows {
            let row = x + r * width
            var sum = FloatVector()
            var k = 0
            if let bias {
                while k < width {
                    let v = row.vector(at: k) + bias.vector(at: k)
                    row.setVector(v, at: k)
                    sum += v
                    k += lanes
                }
            } else {
                while k < width {
                    sum += row.vector(at: k)
                    k += lanes
                }
            }
            let mean = sum.sum() / n
            var squares = FloatVector()
            k = 0
            while k < width {
                let d = row.vector(at: k) - mean
                squares += d * d
                k += lanes
            }
            let inverse = 1 / (squares.sum() / n + MiniLMShape.layerNormEpsilon).squareRoot()
            k = 0
            while k < width {
                let v = (row.vector(at: k) - mean) * inverse
                row.setVector(v * scale.vector(at: k) + shift.vector(at: k), at: k)
                k += lanes
            }
        }
    }

    /// `x ← GELU(x + bias)` for each of `rows` rows of `width` floats.
    @_optimize(speed)
    static func addBiasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * width
            var k = 0
            while k < width {
                row.setVector(MiniLMVectorMath.gelu(row.vector(at: k) + bias.vector(at: k)), at: k)
                k += lanes
            }
        }
    }

    /// `x ← x + bias` for the first `width` floats of `rows` rows that start `stride` floats apart.
    @_optimize(speed)
    static func addBias(
        _ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int, bias: UnsafePointer<Float>
    ) {
        for r in 0..<rows {
            let row = x + r * stride
            var k = 0
            while k < width {
                row.setVector(row.vector(at: k) + bias.vector(at: k), at: k)
                k += lanes
            }
        }
    }

    /// The unnormalised softmax of each of the `count` rows of an attention score matrix (`count` valid
    /// floats per row, rows `stride` floats apart, `stride` a multiple of 16 and ≥ `count`):
    /// `s[i][j] ← e^(s[i][j] - max_j s[i][j])`, with `1 / Σ_j` of row i written to `inverseSums[i]`.
    ///
    /// The caller scales the product of these rows with the values instead of the rows themselves: 32
    /// multiplications per row and head instead of `count`. The padding columns are set to -∞ first so
    /// every step works on whole vectors; they end up near zero, and the product reads only the first
    /// `count` columns.
    @_optimize(speed)
    static func softmaxRows(
        _ s: UnsafeMutablePointer<Float>, count: Int, stride: Int, inverseSums: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<count {
            let row = s + r * stride
            for j in count..<stride { row[j] = -.infinity }
            var maxima = row.vector(at: 0)
            var k = lanes
            while k < stride {
                maxima = MiniLMVectorMath.maximum(maxima, row.vector(at: k))
                k += lanes
            }
            let peak = MiniLMVectorMath.largest(maxima)
            var sum = FloatVector()
            k = 0
            while k < stride {
                let e = MiniLMVectorMath.softmaxExp(row.vector(at: k) - peak)
                row.setVector(e, at: k)
                sum += e
                k += lanes
            }
            inverseSums[r] = 1 / sum.sum()
        }
    }

    /// `x[i][0..<32] *= factors[i]` for `rows` rows `stride` floats apart: one head's slice of the context.
    @_optimize(speed)
    static func scaleHeadRows(
        _ x: UnsafeMutablePointer<Float>, rows: Int, stride: Int, factors: UnsafePointer<Float>
    ) {
        for r in 0..<rows {
            let row = x + r * stride, f = factors[r]
            var k = 0
            while k < MiniLMShape.headWidth {
                row.setVector(row.vector(at: k) * f, at: k)
                k += lanes
            }
        }
    }

    /// `out[j][i] = x[i][j]` for a `rows × cols` row-major `x`; `out` is `cols × rows`.
    @_optimize(speed)
    static func transpose(
        _ x: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<rows {
            let row = x + i * cols
            for j in 0..<cols { out[j * rows + i] = row[j] }
        }
    }

    /// `x[t] = word[ids[t]] + position[t]` for the tokens of one sequence (ids already validated).
    @_optimize(speed)
    static func embed(
        _ ids: UnsafeBufferPointer<Int32>, into x: UnsafeMutablePointer<Float>,
        words: UnsafePointer<Float>, positions: UnsafePointer<Float>
    ) {
        let width = MiniLMShape.hidden
        for (t, id) in ids.enumerated() {
            let word = words + Int(id) * width, position = positions + t * width, row = x + t * width
            var k = 0
            while k < width {
                row.setVector(word.vector(at: k) + position.vector(at: k), at: k)
                k += lanes
            }
        }
    }

    /// The mean of `rows` rows of `width` floats, scaled to unit length, written to `out` (`width` floats).
    ///
    /// As sentence-transformers does, the norm is clamped at 1e-12 so an all-zero mean stays zero.
    @_optimize(speed)
    static func meanPoolNormalized(
        _ x: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>
    ) {
        out.update(repeating: 0, count: width)
        for r in 0..<rows {
            let row = x + r * width
            var k = 0
            while k < width {
                out.setVector(out.vector(at: k) + row.vector(at: k), at: k)
                k += lanes
            }
        }
        var squares = FloatVector()
        var k = 0
        while k < width {
            let v = out.vector(at: k)
            squares += v * v
            k += lanes
        }
        // mean / max(|mean|, 1e-12) with mean = sum / n.
        let n = Float(max(rows, 1))
        let inverse = 1 / (n * max(squares.sum().squareRoot() / n, 1e-12))
        k = 0
        while k < width {
            out.setVector(out.vector(at: k) * inverse, at: k)
            k += lanes
        }
    }
}
