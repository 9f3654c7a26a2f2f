import CairnVectorMath
import Synchronization

/// The scratch buffers of one forward pass, reused from call to call.
///
/// A workspace serves one thread at a time; ``MiniLMWorkspacePool`` hands them out. Buffers only grow
/// (to the largest chunk seen), so steady-state embedding allocates nothing here.
final class MiniLMWorkspace: @unchecked Sendable {
    /// Tokens the per-token buffers hold.
    private(set) var tokenCapacity = 0
    /// Longest sequence the score buffer holds.
    private(set) var sequenceCapacity = 0

    /// Hidden states, `tokens × 384`.
    private(set) var hidden = Matrix(uninitializedRows: 0, cols: 0)
    /// Query (with bias) and key projections side by side, `tokens × 768`.
    private(set) var queryKey = Matrix(uninitializedRows: 0, cols: 0)
    /// The value projection transposed, `384 × tokens` (row stride = the chunk's token count).
    private(set) var valueTransposed = Matrix(uninitializedRows: 0, cols: 0)
    /// Attention output before its projection, `tokens × 384`.
    private(set) var context = Matrix(uninitializedRows: 0, cols: 0)
    /// Feed-forward activations of one row tile, `feedForwardTile × 1536`.
    let intermediate = Matrix(uninitializedRows: MiniLMWorkspace.feedForwardTile, cols: MiniLMShape.intermediate)
    /// One head's attention scores, `longest × stride(longest)`.
    private(set) var scores = Matrix(uninitializedRows: 0, cols: 0)

    /// `1 / Σ` of each softmax row of one head, `longest` floats.
    private(set) var inverseSums = Matrix(uninitializedRows: 0, cols: 0)

    /// Rows the feed-forward block handles at once, so its 1536-wide activations stay in L2 between the
    /// two products that surround GELU.
    static let feedForwardTile = 256

    /// Makes room for a chunk of `tokens` tokens whose longest sequence has `longest` tokens.
    func reserve(tokens: Int, longest: Int) {
        let h = MiniLMShape.hidden
        if tokens > tokenCapacity {
            let rows = max(tokens, tokenCapacity + tokenCapacity / 2)
            hidden = Matrix(uninitializedRows: rows, cols: h)
            queryKey = Matrix(uninitializedRows: rows, cols: MiniLMShape.queryKeyWidth)
            valueTransposed = Matrix(uninitializedRows: h, cols: rows)
            context = Matrix(uninitializedRows: rows, cols: h)
            tokenCapacity = rows
        }
        if longest > sequenceCapacity {
            scores = Matrix(uninitializedRows: longest, cols: Self.scoreStride(longest))
            inverseSums = Matrix(uninitializedRows: 1, cols: longest)
            sequenceCapacity = longest
        }
    }

    /// Row stride of a score matrix for a sequence of `count` tokens: `count` rounded up to 16.
    static func scoreStride(_ count: Int) -> Int { (count + 15) & ~15 }
}

/// Workspaces waiting for their next forward pass.
final class MiniLMWorkspacePool: Sendable {
    private let idle = Mutex<[MiniLMWorkspace]>([])
    /// Workspaces kept when idle; extra ones (from a burst of concurrent calls) are freed.
    private let keep: Int

    init(keep: Int) {
        self.keep = keep
    }

    /// Runs `body` with a workspace no other thread uses meanwhile.
    func withWorkspace<R>(_ body: (MiniLMWorkspace) throws -> R) rethrows -> R {
        let workspace = idle.withLock { $0.popLast() } ?? MiniLMWorkspace()
        defer {
            idle.withLock { list in
                if list.count < keep { list.append(workspace) }
            }
        }
        return try body(workspace)
    }
}
