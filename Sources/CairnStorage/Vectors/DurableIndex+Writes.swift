import CairnIndex
import CairnVectorMath
import Foundation
import Logging
import Synchronization

extension DurableIndex {
    /// Inserts or replaces the vector of `label`; returns once the write is durable.
    public func upsert(label: UInt64, vector: [Float]) throws {
        try write([.upsert(label: label, vector: vector)])
    }

    /// Inserts or replaces many vectors with one WAL group (one fsync) and a parallel graph update.
    /// - Parameter vectors: row-major, `labels.count × dimension`.
    public func upsert(labels: [UInt64], vectors: [Float]) throws {
        let dim = configuration.dimension
        guard vectors.count == labels.count * dim else {
            throw StorageError.userError(
                "upsert of \(labels.count) labels needs \(labels.count * dim) floats, got \(vectors.count)")
        }
        try write((0..<labels.count).map { i in .upsert(label: labels[i], vector: Array(vectors[i * dim..<(i + 1) * dim])) })
    }

    /// Removes `label`; returns whether it was present. Durable once it returns.
    @discardableResult
    public func remove(label: UInt64) throws -> Bool {
        try stripes.withStripes(of: [label]) {
            guard index.contains(label) else { return false }
            try logAndApply([.remove(label: label)])
            return true
        }
    }

    /// Removes every present label of `labels` with one WAL group (one fsync); returns how many were present.
    @discardableResult
    public func remove(labels: [UInt64]) throws -> Int {
        try stripes.withStripes(of: labels) {
            let present = labels.filter { index.contains($0) }
            if !present.isEmpty { try logAndApply(present.map { .remove(label: $0) }) }
            return present.count
        }
    }

    /// Logs `ops` as one durable group, then applies them.
    func write(_ ops: [VectorOperation]) throws {
        guard !ops.isEmpty else { return }
        let config = configuration
        for op in ops {
            if case .upsert(let label, let vector) = op {
                guard vector.count == config.dimension else {
                    throw StorageError.userError(
                        IndexError.dimensionMismatch(expected: config.dimension, got: vector.count).description)
                }
                if vector.contains(where: { !$0.isFinite }) {
                    throw StorageError.userError("vector for label \(label) has a non-finite value")
                }
            }
        }
        try stripes.withStripes(of: ops.map(\.label)) { try logAndApply(ops) }
        try checkpointIfDue()
    }

    /// Called with the stripes of `ops` held.
    private func logAndApply(_ ops: [VectorOperation]) throws {
        try wal.append(ops.map { $0.encoded() })
        recordsSinceCheckpoint.add(ops.count, ordering: .relaxed)
        let target = index
        do {
            if ops.count > 64, ops.allSatisfy({ if case .upsert = $0 { true } else { false } }),
               Set(ops.map(\.label)).count == ops.count
            {
                var labels: [UInt64] = []
                var vectors: [Float] = []
                labels.reserveCapacity(ops.count)
                vectors.reserveCapacity(ops.count * configuration.dimension)
                for case .upsert(let label, let vector) in ops {
                    labels.append(label)
                    vectors.append(contentsOf: vector)
                }
                try target.insert(labels: labels, vectors: vectors)
            } else {
                for op in ops { try op.apply(to: target) }
            }
        } catch {
            // Validated above, so the graph refusing a logged write means memory and log disagree: stop serving.
            fatalError("vector index: logged write could not be applied: \(error)")
        }
        captured.withLock { if $0 != nil { $0!.append(contentsOf: ops) } }
    }

    /// Whether the WAL is long enough that a checkpoint is due: by bytes, or by records (see
    /// ``checkpointThresholdRecords`` and ``checkpointCeilingRecords``).
    public var checkpointIsDue: Bool {
        let records = recordsSinceCheckpoint.load(ordering: .relaxed)
        if records >= Self.recordsDue(vectors: index.count, threshold: checkpointThresholdRecords,
                                      ceiling: checkpointCeilingRecords) {
            return true
        }
        return walBytes >= checkpointThresholdBytes
    }

    /// The log records at which a checkpoint falls due for an index of `vectors`: the threshold, or an eighth of
    /// the index when that is more, but never past the ceiling unless the threshold is.
    public static func recordsDue(vectors: Int, threshold: Int = defaultCheckpointThresholdRecords,
                                  ceiling: Int = defaultCheckpointCeilingRecords) -> Int {
        max(threshold, min(vectors / 8, ceiling))
    }

    /// WAL records written (or replayed) since the last checkpoint: what an open after a crash would replay.
    public var walRecords: Int { recordsSinceCheckpoint.load(ordering: .relaxed) }

    private func checkpointIfDue() throws {
        guard checkpointIsDue else { return }
        try checkpoint()
    }

    /// Writes a checkpoint of the whole graph and empties the WAL. Writers wait; searches go on.
    /// - Returns: the checkpoint's path.
    @discardableResult
    public func checkpoint() throws -> String {
        try stripes.withAll {
            let lsn = wal.nextLSN - 1
            let path = try index.withSnapshot { snap in
                try CheckpointFile.write(
                    directory: directory, lsn: lsn, metadata: snap.metadata,
                    sections: snap.sections.map { CheckpointSection(kind: $0.kind, index: $0.index, bytes: $0.bytes) },
                    io: io, logger: logger)
            }
            try wal.reset(startingLSN: lsn + 1)
            recordsSinceCheckpoint.store(0, ordering: .relaxed)
            return path
        }
    }

    /// Rebuilds the graph without removed nodes, reclaiming their space. Searches keep running on the old graph
    /// during the build; writes keep going too and are replayed onto the new graph before it is swapped in.
    public func compact(threads: Int = 0) throws {
        let old: HNSWIndex = stripes.withAll {
            captured.withLock { $0 = [] }
            return index
        }
        let fresh = try old.compacted(threads: threads)
        try stripes.withAll {
            let ops = captured.withLock { ops -> [VectorOperation] in
                defer { ops = nil }
                return ops ?? []
            }
            for op in ops { try op.apply(to: fresh) }
            swapIndex(fresh)
        }
        try checkpoint()
    }
}
