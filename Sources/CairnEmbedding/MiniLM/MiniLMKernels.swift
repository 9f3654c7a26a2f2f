/// The element-wise steps of the encoder, fused so each pass reads and writes a row once or twice.
///
/// Rows are `width` floats, `width` a multiple of 16 (384 or 1536); everything is done in
/// ``FloatVector``s on raw pointers.
enum MiniLMKernels {
    /// `x ← LayerNorm(x + bias) · scale + shift` for each of `rows` rows of `width` floats.
    ///
    /// Mean and variance are taken in two passes over the row (which stays in L1), as PyTorch does,
    /// rather than from a running sum of squares that loses precision.
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
                    k += 16
                }
            } else {
                while k < width {
                    sum += row.vector(at: k)
                    k += 16
                }
            }
            let mean = sum.sum() / n
            var squares = FloatVector()
            k = 0
            while k < width {
                let d = row.vector(at: k) - mean
                squares += d * d
                k += 16
            }
            let inverse = 1 / (squares.sum() / n + MiniLMShape.layerNormEpsilon).squareRoot()
            k = 0
            while k < width {
                let v = (row.vector(at: k) - mean) * inverse
                row.setVector(v * scale.vector(at: k) + shift.vector(at: k), at: k)
                k += 16
            }
        }
    }

    /// `x ← GELU(x + bias)` for each of `rows` rows of `width` floats.
    static func addBiasGELU(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>) {
        for r in 0..<rows {
            let row = x + r * width
            var k = 0
            while k < width {
                row.setVector(MiniLMVectorMath.gelu(row.vector(at: k) + bias.vector(at: k)), at: k)
                k += 16
            }
        }
    }

    /// `x ← x + bias` for the first `width` floats of `rows` rows that start `stride` floats apart.
    static func addBias(
        _ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int, bias: UnsafePointer<Float>
    ) {
        for r in 0..<rows {
            let row = x + r * stride
            var k = 0
            while k < width {
                row.setVector(row.vector(at: k) + bias.vector(at: k), at: k)
                k += 16
            }
        }
    }

    /// Softmax of each of the `count` rows of an attention score matrix (`count` valid floats per row,
    /// rows `stride` floats apart, `stride` a multiple of 16 and ≥ `count`).
    ///
    /// The row's padding columns are set to -∞ first so that every step works on whole vectors; they end
    /// up holding (near) zero, and the following product reads only the first `count` columns.
    static func softmaxRows(_ s: UnsafeMutablePointer<Float>, count: Int, stride: Int) {
        for r in 0..<count {
            let row = s + r * stride
            for j in count..<stride { row[j] = -.infinity }
            var maxima = FloatVector(repeating: -.infinity)
            var k = 0
            while k < stride {
                maxima = MiniLMVectorMath.maximum(maxima, row.vector(at: k))
                k += 16
            }
            let peak = MiniLMVectorMath.largest(maxima)
            var sum = FloatVector()
            k = 0
            while k < stride {
                let e = MiniLMVectorMath.exp(row.vector(at: k) - peak)
                row.setVector(e, at: k)
                sum += e
                k += 16
            }
            let inverse = 1 / sum.sum()
            k = 0
            while k < stride {
                row.setVector(row.vector(at: k) * inverse, at: k)
                k += 16
            }
        }
    }

    /// `x[t] = word[ids[t]] + position[t]` for the tokens of one sequence (ids already validated).
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
                k += 16
            }
        }
    }

    /// The mean of `rows` rows of `width` floats, scaled to unit length, written to `out` (`width` floats).
    ///
    /// As sentence-transformers does, the norm is clamped at 1e-12 so an all-zero mean stays zero.
    static func meanPoolNormalized(
        _ x: UnsafePointer<Float>, rows: Int, width: Int, into out: UnsafeMutablePointer<Float>
    ) {
        out.update(repeating: 0, count: width)
        for r in 0..<rows {
            let row = x + r * width
            var k = 0
            while k < width {
                out.setVector(out.vector(at: k) + row.vector(at: k), at: k)
                k += 16
            }
        }
        var squares = FloatVector()
        var k = 0
        while k < width {
            let v = out.vector(at: k)
            squares += v * v
            k += 16
        }
        // mean / max(|mean|, 1e-12) with mean = sum / n.
        let n = Float(max(rows, 1))
        let inverse = 1 / (n * max(squares.sum().squareRoot() / n, 1e-12))
        k = 0
        while k < width {
            out.setVector(out.vector(at: k) * inverse, at: k)
            k += 16
        }
    }
}
