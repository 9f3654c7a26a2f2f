import CairnKeyword
import CairnSQL
import Logging
import Synchronization
import Foundation

/// How the keyword index was built from the store.
public struct KeywordBuildReport: Sendable, Hashable, Codable {
    /// Chunks indexed.
    public var chunks: Int
    /// Distinct terms.
    public var terms: Int
    /// Seconds reading the chunks' text from the store.
    public var readSeconds: Double
    /// Seconds tokenising and indexing.
    public var indexSeconds: Double
    /// Whether it was loaded from the last clean shutdown's snapshot (then `readSeconds` is reading the file).
    public var fromSnapshot = false
    public var totalSeconds: Double { readSeconds + indexSeconds }
}

extension MaterialLibrary {
    /// Chunks read from the store per batch while building the keyword index.
    static let keywordBuildBatch = 8_192

    /// Builds the keyword index from the store unless it is built already (a server does this before it
    /// reports ready; otherwise the first keyword or hybrid search does). The store is the truth: the index
    /// is loaded from the snapshot of the last clean shutdown only when that was saved for the store's
    /// content as it is (see ``saveSnapshots()``), and holds exactly the store's chunks from here on, as
    /// commits and deletes apply their changes to it under the same lock as to the vector index.
    /// - Parameter threads: tokenising threads (default: one per core; the store is read on the calling one).
    @discardableResult
    public func prepareKeywordIndex(threads: Int? = nil)
        throws(IngestError) -> KeywordBuildReport
    {
        if let built = keywordBuild.withLock({ $0 }) { return built }
        return try writeLock.withLock { _ throws(IngestError) -> KeywordBuildReport in
            if let built = keywordBuild.withLock({ $0 }) { return built }
            let started = Date()
            if let generation = try adoptKeywordSnapshot() {
                keywordGeneration.withLock { $0 = generation }
                let report = KeywordBuildReport(chunks: keywords.count, terms: keywords.termCount, readSeconds: 0,
                                                indexSeconds: Date().timeIntervalSince(started), fromSnapshot: true)
                keywordBuild.withLock { $0 = report }
                logger.info("keyword index loaded from its snapshot", metadata: [
                    "chunks": "\(report.chunks)", "terms": "\(report.terms)",
                    "seconds": "\(String(format: "%.2f", report.totalSeconds))",
                ])
                return report
            }
            // The chunk generation before and after the reads: equal, the index holds exactly its chunks.
            let generationBefore = try store.chunkGeneration()
            var readSeconds = 0.0
            var after: Int64 = 0
            keywords.removeAll()
            while true {
                let readStarted = Date()
                let batch: [(label: UInt64, text: String)]
                do {
                    batch = try store.reader.query(
                        "SELECT id, content FROM material_chunks WHERE id > ? ORDER BY id LIMIT ?",
                        [.integer(after), .int(Self.keywordBuildBatch)]
                    ).map { (UInt64(try $0.get(0) as Int64), try $0.get(1)) }
                } catch {
                    throw IngestError(.storage, "reading chunk texts for the keyword index: \(error)")
                }
                readSeconds += Date().timeIntervalSince(readStarted)
                guard let last = batch.last else { break }
                after = Int64(last.label)
                keywords.add(batch, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            }
            let generationAfter = try store.chunkGeneration()
            keywordGeneration.withLock { $0 = generationBefore == generationAfter ? generationAfter : nil }
            let report = KeywordBuildReport(chunks: keywords.count, terms: keywords.termCount, readSeconds: readSeconds,
                                            indexSeconds: Date().timeIntervalSince(started) - readSeconds)
            keywordBuild.withLock { $0 = report }
            logger.info("keyword index built", metadata: [
                "chunks": "\(report.chunks)", "terms": "\(report.terms)",
                "seconds": "\(String(format: "%.2f", report.totalSeconds))",
                "read_seconds": "\(String(format: "%.2f", report.readSeconds))",
            ])
            return report
        }
    }

    /// How the keyword index was built, or nil while it has not been.
    public var keywordBuildReport: KeywordBuildReport? { keywordBuild.withLock { $0 } }

    /// Applies a commit's chunk changes to the keyword index (nothing while it is not built: building reads
    /// the store, which already holds them). Called under the write lock.
    func applyKeywords(_ commit: ChunkCommit) {
        guard keywordBuild.withLock({ $0 != nil }) else { return }
        keywords.remove(commit.removed.map(\.label))
        if !commit.added.isEmpty {
            precondition(commit.addedContent.count == commit.added.count, "a commit's added chunks without their text")
            keywords.add(zip(commit.added, commit.addedContent).map { ($0.0.id.label, $0.1) })
        }
    }
}
