import Dispatch
import Foundation

/// all-MiniLM-L6-v2 run in process: the WordPiece tokenizer, then the 6-layer encoder on BLAS, mean pooling
/// and L2 normalisation. The default embedder: no network, no server.
///
/// Encoding runs on a Dispatch queue, off Swift's cooperative thread pool, so a long batch never starves
/// other tasks of the process.
public final class BuiltinEmbedder: Embedder {
    /// The model's identity: 384 dimensions, 256 tokens (its sentence-transformers `max_seq_length`).
    public static let modelInfo = EmbeddingModelInfo(
        id: "all-MiniLM-L6-v2", dimension: MiniLMModel.dimension, maxTokens: 256, provider: .builtin)

    public var model: EmbeddingModelInfo { Self.modelInfo }
    public let tokenizer: WordPieceTokenizer
    let encoder: MiniLMModel
    let threads: Int
    /// For a background embedder: the lower-priority thread its batches run on.
    let worker: WorkerThread?

    /// Loads the model from `modelDirectory` (vocab.txt, model.safetensors).
    /// - Parameter threads: threads one `embed` call may use; 0 for every core.
    /// - Throws: ``EmbeddingError/Kind/modelMissing`` naming the command that installs the model.
    public init(modelDirectory: String, threads: Int = 0) throws(EmbeddingError) {
        tokenizer = try WordPieceTokenizer(modelDirectory: modelDirectory)
        encoder = try MiniLMModel(directory: modelDirectory)
        self.threads = threads > 0 ? threads : MiniLMModel.defaultThreads
        self.worker = nil
    }

    private init(tokenizer: WordPieceTokenizer, encoder: MiniLMModel, threads: Int, worker: WorkerThread?) {
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.threads = threads
        self.worker = worker
    }

    /// Another embedder on the same loaded model (no second copy of the weights) that spreads each call over
    /// `threads` threads: a server gives queries and ingestion one each, so a query never waits in line
    /// behind an ingestion batch.
    /// - Parameter background: run each call on a thread of lower priority (nice 10), so that a query
    ///   embedding at the same time gets the CPU first (with more than one thread, the helpers that share a
    ///   batch run at normal priority).
    public func sharingModel(threads: Int, background: Bool = false) -> BuiltinEmbedder {
        BuiltinEmbedder(tokenizer: tokenizer, encoder: encoder, threads: threads > 0 ? threads : MiniLMModel.defaultThreads,
                        worker: background ? WorkerThread(name: "cairn-embed-bulk", nice: 10) : nil)
    }

    /// WordPiece tokens of `text`, without `[CLS]`/`[SEP]` and before truncation: a chunk fits the model's window
    /// when this is at most `maxTokens - 2`.
    public func countTokens(_ text: String) -> Int { tokenizer.tokenCount(text) }

    /// Token ids of `texts` as the model sees them (with specials, truncated to 256).
    public func tokenIDs(_ texts: [String]) -> [[Int32]] {
        texts.map { tokenizer.encode($0, maxLength: Self.modelInfo.maxTokens) }
    }

    public func embed(_ texts: [String]) async throws(EmbeddingError) -> EmbeddingOutput {
        if texts.isEmpty { return EmbeddingOutput(vectors: [], tokenCounts: [], usage: TokenUsage()) }
        let result: Result<EmbeddingOutput, EmbeddingError> = await withCheckedContinuation { continuation in
            if let worker {
                worker.submit { continuation.resume(returning: self.embedNow(texts)) }
            } else {
                DispatchQueue.global(qos: .userInitiated).async {
                    continuation.resume(returning: self.embedNow(texts))
                }
            }
        }
        return try result.get()
    }

    /// The synchronous path, for callers already on their own thread (benchmarks, the CLI).
    public func embedNow(_ texts: [String]) -> Result<EmbeddingOutput, EmbeddingError> {
        let ids = tokenIDs(texts)
        let vectors: [[Float]]
        do { vectors = try encoder.embed(tokenBatch: ids, threads: threads) } catch { return .failure(error) }
        let counts = ids.map(\.count)
        let total = counts.reduce(0, +)
        return .success(EmbeddingOutput(
            vectors: vectors, tokenCounts: counts,
            usage: TokenUsage(promptTokens: total, totalTokens: total, requests: 0)))
    }
}
