import CairnEmbedding
import Foundation

extension BulkIngestor {
    /// The embedding stage: take parsed materials, embed their chunks in batches, commit finished ones.
    func consume(
        queue: BoundedQueue<PipelineItem>, job: Int64, stop: StopFlag, state: inout ConsumerState, started: Date,
        progress: @Sendable (BulkProgress) -> Void
    ) async throws(IngestError) {
        var producerDone = false
        while true {
            if stop.isStopped { break }
            let pending = state.inFlight.reduce(0) { $0 + $1.missing }
            if pending < options.batchSize && !producerDone {
                let item = pending == 0 ? await queue.next() : queue.poll()
                if let item {
                    try take(item, job: job, state: &state)
                    try commitFinished(job: job, state: &state)
                    continue
                }
                if pending == 0 {
                    producerDone = true  // next() returned nil: the producer finished
                }
            }
            if pending == 0 {
                if producerDone { break }
                continue
            }
            try beginNew(job: job, state: &state)
            try await embedBatch(state: &state)
            try library.store.updateEmbedProgress(state.inFlight.compactMap { entry in
                guard entry.missing > 0, entry.material.begun, let id = entry.material.existing else { return nil }
                return (id, entry.vectors.count - entry.missing, entry.vectors.count)
            })
            try commitFinished(job: job, state: &state)
            if Date().timeIntervalSince(state.savedAt) >= 2 {
                try library.store.updateBulkJob(job, status: "running", counts: state.progress.counts)
                state.savedAt = Date()
            }
            state.progress.elapsedSeconds = Date().timeIntervalSince(started)
            progress(state.progress)
        }
        try commitFinished(job: job, state: &state)
        state.progress.elapsedSeconds = Date().timeIntervalSince(started)
        progress(state.progress)
    }

    private func take(_ item: PipelineItem, job: Int64, state: inout ConsumerState) throws(IngestError) {
        switch item {
        case .material(let material):
            var vectors = [[Float]?](repeating: nil, count: material.chunks.count)
            if let existing = material.existing {
                // Chunks whose text did not change keep their stored embedding.
                let stored = try library.store.embeddings(material: existing, model: library.embedder.model.id)
                for (i, chunk) in material.chunks.enumerated() { vectors[i] = stored[chunk.chunk.contentHash] }
            }
            state.inFlight.append((material, vectors, vectors.filter { $0 == nil }.count))
            state.progress.chunksKnown += material.chunks.count
        case .unchanged:
            state.progress.counts.unchanged += 1
        case .failure(let path, let error, let draft, let existing):
            state.progress.counts.failed += 1
            try library.store.recordBulkError(job: job, path: path, reason: error.message)
            if let draft { state.failures.append((draft, existing, error.message)) }
        case .fileDone:
            state.progress.filesDone += 1
        }
    }

    /// Records the in-flight materials that have no row yet as `processing`, one transaction for all, so
    /// their jobs are visible (and resumable) while they are embedded.
    private func beginNew(job: Int64, state: inout ConsumerState) throws(IngestError) {
        let fresh = state.inFlight.indices.filter { !state.inFlight[$0].material.begun }
        guard !fresh.isEmpty else { return }
        let ids = try library.store.beginMaterials(
            fresh.map { (state.inFlight[$0].material.draft, state.inFlight[$0].material.existing,
                         state.inFlight[$0].material.chunks.count) }, bulkJob: job)
        for (i, id) in zip(fresh, ids) {
            state.inFlight[i].material.existing = id
            state.inFlight[i].material.begun = true
        }
    }

    /// Embeds up to one batch of the oldest missing chunks.
    private func embedBatch(state: inout ConsumerState) async throws(IngestError) {
        var slots: [(Int, Int)] = []
        var texts: [String] = []
        outer: for (m, entry) in state.inFlight.enumerated() where entry.missing > 0 {
            for (c, vector) in entry.vectors.enumerated() where vector == nil {
                slots.append((m, c))
                texts.append(entry.material.chunks[c].chunk.content)
                if texts.count == options.batchSize { break outer }
            }
        }
        let clock = Date()
        do {
            let output = try await library.embedder.embed(texts)
            guard output.vectors.count == texts.count else {
                throw EmbeddingError(.malformedResponse, "\(texts.count) texts gave \(output.vectors.count) vectors")
            }
            for ((m, c), vector) in zip(slots, output.vectors) {
                state.inFlight[m].vectors[c] = vector
                state.inFlight[m].missing -= 1
            }
        } catch {
            // The whole batch failed: fail every material with a chunk in it, keep the others going.
            let failed = Set(slots.map(\.0))
            for m in failed.sorted(by: >) {
                let entry = state.inFlight.remove(at: m)
                state.progress.counts.failed += 1
                state.failures.append((entry.material.draft, entry.material.existing,
                                       "\(entry.material.path): embedding failed: \(error)"))
            }
        }
        state.embedSeconds += Date().timeIntervalSince(clock)
    }

    /// Commits every material whose chunks all have vectors (and recorded failures) in one transaction,
    /// then applies the chunk changes to the index.
    private func commitFinished(job: Int64, state: inout ConsumerState) throws(IngestError) {
        let ready = state.inFlight.indices.filter { state.inFlight[$0].missing == 0 }
        guard !ready.isEmpty || !state.failures.isEmpty else { return }
        var finished: [FinishedMaterial] = []
        for i in ready {
            let entry = state.inFlight[i]
            var rows = entry.material.chunks
            for r in rows.indices { rows[r].embedding = entry.vectors[r] ?? [] }
            finished.append(FinishedMaterial(draft: entry.material.draft, existing: entry.material.existing,
                                             extractedText: entry.material.extracted.text, rows: rows,
                                             begun: entry.material.begun))
        }
        try library.commit(finished, failures: state.failures, bulkJob: job)
        for i in ready {
            let entry = state.inFlight[i]
            if entry.material.existing != nil && entry.material.isUpdate {
                state.progress.counts.updated += 1
            } else {
                state.progress.counts.added += 1
            }
            state.progress.counts.chunks += entry.material.chunks.count
            state.progress.chunksDone += entry.material.chunks.count
        }
        for i in ready.reversed() { state.inFlight.remove(at: i) }
        state.failures.removeAll()
    }
}
