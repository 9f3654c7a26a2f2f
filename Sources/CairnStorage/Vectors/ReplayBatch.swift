import CairnIndex

/// Applies replayed WAL operations to a graph, inserting runs of upserts in parallel.
///
/// Replaying one record at a time costs a single-threaded graph insert per record, which made opening a
/// directory after a long bulk job take seconds. Consecutive upserts of distinct labels are independent, so
/// they are gathered (up to ``limit``) and inserted with ``HNSWIndex/insert(labels:vectors:threads:)`` on every
/// core; a remove, or an upsert of a label already gathered, first flushes the run, so the graph ends in the
/// state the log describes in order. While the graph is small (under ``sequentialBelow`` nodes) inserts stay
/// sequential: concurrent inserts into a graph with little structure yet leave nodes unreachable.
struct ReplayBatch {
    let index: HNSWIndex
    /// Upserts gathered before a parallel insert.
    let limit = 4_096
    /// Graphs with fewer nodes than this are grown one insert at a time.
    let sequentialBelow = 2_000
    private var labels: [UInt64] = []
    private var seen: Set<UInt64> = []
    private var vectors: [Float] = []
    private var firstLSN: UInt64 = 0
    /// Operations applied so far.
    private(set) var applied = 0

    init(index: HNSWIndex) {
        self.index = index
    }

    mutating func add(_ op: VectorOperation, lsn: UInt64) throws {
        switch op {
        case .upsert(let label, let vector):
            if seen.contains(label) { try flush() }
            if labels.isEmpty { firstLSN = lsn }
            labels.append(label)
            seen.insert(label)
            vectors.append(contentsOf: vector)
            if labels.count >= limit { try flush() }
        case .remove:
            try flush()
            do { try op.apply(to: index) } catch {
                throw StorageError.corruption("WAL record \(lsn) cannot be applied: \(error)")
            }
            applied += 1
        }
    }

    mutating func flush() throws {
        guard !labels.isEmpty else { return }
        do {
            if labels.count == 1 || index.count < sequentialBelow {
                let dim = vectors.count / labels.count
                for (i, label) in labels.enumerated() {
                    try index.insert(label: label, vector: Array(vectors[(i * dim)..<((i + 1) * dim)]))
                }
            } else {
                try index.insert(labels: labels, vectors: vectors)
            }
        } catch {
            throw StorageError.corruption(
                "WAL records from \(firstLSN) (\(labels.count) upserts) cannot be applied: \(error)")
        }
        applied += labels.count
        labels.removeAll(keepingCapacity: true)
        seen.removeAll(keepingCapacity: true)
        vectors.removeAll(keepingCapacity: true)
    }
}
