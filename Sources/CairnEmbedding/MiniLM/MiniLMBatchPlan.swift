import CairnVectorMath
import Synchronization

/// How a batch of sequences is cut into chunks for the encoder.
///
/// Sequences are taken longest first and each goes to the chunk with the least work so far (longest
/// processing time first), so the chunks end up of nearly equal cost. There is no padding to minimise:
/// a chunk packs its sequences back to back (see ``MiniLMEncoder``). The number of chunks is a multiple
/// of the thread count (at most one chunk per input), each near ``chunkCost`` or below (big enough that
/// the GEMMs run at full speed, small enough that a chunk's buffers stay in cache); a single input is one
/// chunk, so a query runs on the caller's thread alone.
struct MiniLMBatchPlan: Sendable, Equatable {
    /// Input indices per chunk, most expensive chunk first; within a chunk, longest first.
    let chunks: [[Int]]

    /// The work one chunk aims at, in tokens (about 1024 tokens of short sequences).
    static let chunkCost = 1024.0

    /// The work of a sequence of `n` tokens, in tokens: the projections and feed-forward cost grows with
    /// `n`, attention with `n²` (per token pair about 1/2300 of a token's other work).
    static func cost(_ n: Int) -> Double { Double(n) * (1 + Double(n) / 2300) }

    /// Plans `lengths` (tokens per input) for `threads` threads.
    init(lengths: [Int], threads: Int) {
        if lengths.isEmpty {
            chunks = []
            return
        }
        let order = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        let total = lengths.reduce(0.0) { $0 + Self.cost($1) }
        let threads = max(1, min(threads, lengths.count))
        let count = threads * max(1, Int((total / Double(threads) / Self.chunkCost).rounded(.up)))
        var bins = [[Int]](repeating: [], count: min(count, lengths.count))
        var load = [Double](repeating: 0, count: bins.count)
        for i in order {
            var best = 0
            for b in 1..<bins.count where load[b] < load[best] { best = b }
            bins[best].append(i)
            load[best] += Self.cost(lengths[i])
        }
        chunks = bins.indices.sorted { load[$0] > load[$1] }.map { bins[$0] }.filter { !$0.isEmpty }
    }
}

/// Hands out chunk numbers `0..<count` to the threads of one batch, each number once.
final class MiniLMChunkQueue: Sendable {
    private let cursor = Atomic<Int>(0)
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    /// The next chunk to run, or nil when all are taken.
    func next() -> Int? {
        let c = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        return c < count ? c : nil
    }
}
