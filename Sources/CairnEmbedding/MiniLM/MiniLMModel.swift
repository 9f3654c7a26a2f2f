import CairnVectorMath
import Dispatch
import Foundation

/// all-MiniLM-L6-v2 run in process on BLAS: token ids in, 384-float unit-length sentence embeddings out.
///
/// The model reads `model.safetensors` from its directory memory-mapped (the 90 MB are not copied) and
/// runs the 6-layer BERT encoder with mean pooling over each input's tokens and L2 normalisation, as
/// sentence-transformers does. Token ids come from the WordPiece tokenizer (`[CLS] … [SEP]`, truncated at
/// 256 by the model's configuration; up to 512 are accepted).
///
/// Batches are planned by ``MiniLMBatchPlan``: inputs are packed into chunks of similar cost with no
/// padding, and the chunks are shared out over `threads` threads. A single short input runs on the calling
/// thread with no hand-off. The model is safe to call from several threads at once; scratch memory comes
/// from a pool and is reused across calls.
///
/// ```swift
/// let model = try MiniLMModel(directory: "index-data/models/all-MiniLM-L6-v2")
/// let vectors = try model.embed(tokenBatch: [[101, 7592, 2088, 102]])
/// print(vectors[0].count)  // 384
/// ```
public final class MiniLMModel: Sendable {
    /// Floats per embedding.
    public static let dimension = MiniLMShape.hidden
    /// The longest input in tokens (the size of the position table).
    public static let maxPositions = MiniLMShape.maxPositions
    /// The model's vocabulary size: valid token ids are `0..<vocabularySize`.
    public static let vocabularySize = MiniLMShape.vocabulary

    /// The directory the model was loaded from.
    public let directory: String
    private let encoder: MiniLMEncoder
    private let pool: MiniLMWorkspacePool

    /// The number of threads ``embed(tokenBatch:threads:)`` uses by default: the active processor count.
    public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Loads the model from `directory` (which holds `model.safetensors`).
    ///
    /// - Throws: ``EmbeddingError`` `.modelMissing` (naming `bash scripts/bootstrap.sh`) when the file is
    ///   absent; `.modelInvalid` naming the tensor when the file is damaged or of another architecture.
    public init(directory: String) throws(EmbeddingError) {
        self.directory = directory
        let file = try SafeTensorsFile(path: (directory as NSString).appendingPathComponent("model.safetensors"))
        self.encoder = MiniLMEncoder(weights: try MiniLMWeights(file: file))
        self.pool = MiniLMWorkspacePool(keep: max(2, Self.defaultThreads))
    }

    /// Embeds each token id sequence; vectors come back in input order.
    ///
    /// - Parameters:
    ///   - ids: one sequence per input, each 1...512 ids below ``vocabularySize`` (with `[CLS]`/`[SEP]`).
    ///   - threads: threads to spread a batch over (the caller's thread is one of them); a batch too small to
    ///     share runs on the caller's thread alone.
    /// - Returns: one 384-float unit-length vector per input.
    /// - Throws: ``EmbeddingError`` `.invalidInput` naming the first bad sequence.
    public func embed(tokenBatch ids: [[Int32]], threads: Int = MiniLMModel.defaultThreads) throws(EmbeddingError)
        -> [[Float]]
    {
        if ids.isEmpty { return [] }
        var total = 0
        for (i, sequence) in ids.enumerated() {
            try Self.validate(sequence, index: i)
            total += sequence.count
        }
        let out = Matrix(uninitializedRows: ids.count, cols: Self.dimension)
        var flat: [Int32] = []
        flat.reserveCapacity(total)
        for sequence in ids { flat.append(contentsOf: sequence) }
        flat.withUnsafeBufferPointer { tokens in
            var sequences: [MiniLMSequence] = []
            sequences.reserveCapacity(ids.count)
            var offset = 0
            for (i, sequence) in ids.enumerated() {
                sequences.append(MiniLMSequence(tokens: tokens.baseAddress! + offset, count: sequence.count,
                                                output: out.row(i)))
                offset += sequence.count
            }
            run(sequences, threads: max(1, threads))
        }
        return (0..<ids.count).map { out.rowArray($0) }
    }

    /// Runs the planned chunks, on the caller's thread alone or on `threads` threads taking chunks in turn.
    private func run(_ sequences: [MiniLMSequence], threads: Int) {
        let plan = MiniLMBatchPlan(lengths: sequences.map(\.count), threads: threads)
        let chunks = plan.chunks.map { chunk in chunk.map { sequences[$0] } }
        // The encoder spreads chunks over threads itself, which beats OpenBLAS's threading on these shapes.
        BLASInfo.withSingleThread {
            let workers = min(threads, chunks.count)
            if workers <= 1 {
                // A lone chunk (a query, or a few short texts) shares its projections among the threads.
                pool.withWorkspace { workspace in
                    for chunk in chunks { encoder.encode(chunk, workspace: workspace, ways: threads) }
                }
                return
            }
            let queue = MiniLMChunkQueue(count: chunks.count)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                pool.withWorkspace { workspace in
                    while let c = queue.next() { encoder.encode(chunks[c], workspace: workspace) }
                }
            }
        }
    }

    private static func validate(_ sequence: [Int32], index: Int) throws(EmbeddingError) {
        guard !sequence.isEmpty else {
            throw EmbeddingError(.invalidInput, "input \(index) has no tokens (expected at least [CLS] [SEP])")
        }
        guard sequence.count <= maxPositions else {
            throw EmbeddingError(.invalidInput, "input \(index) has \(sequence.count) tokens; all-MiniLM-L6-v2 takes "
                + "at most \(maxPositions)")
        }
        if let bad = sequence.first(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw EmbeddingError(.invalidInput, "input \(index) holds token id \(bad), outside the vocabulary "
                + "0..<\(vocabularySize)")
        }
    }
}
