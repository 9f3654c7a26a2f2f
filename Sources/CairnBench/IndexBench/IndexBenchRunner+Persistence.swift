import CairnIndex
import CairnStorage
import CairnVectorMath
import Foundation

extension IndexBenchRunner {
    /// What saving and reopening the built index cost.
    struct SavedIndex {
        var fileBytes: Int
        var bytesPerVector: Double
        var loadSeconds: Double
        /// The reopened index (its memory maps the checkpoint, which is removed from the directory; the
        /// mapping lives as long as the index).
        var index: HNSWIndex
    }

    /// Saves `index` as a checkpoint in a fresh scratch directory, reopens it the way Cairn starts up
    /// (``MappedCheckpoint/open(_:io:)`` then ``HNSWIndex/restore(metadata:owner:section:)``), checks that
    /// the reopened index answers like the built one, and removes the directory.
    func saveAndReload(_ index: HNSWIndex, data: IndexBenchDataset) throws(IndexBenchError) -> SavedIndex {
        let directory = (settings.scratchDirectory as NSString)
            .appendingPathComponent("cairn-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .failed("cannot create the scratch directory \(directory): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let path: String
        do {
            path = try index.withSnapshot { snapshot in
                try CheckpointFile.write(
                    directory: directory, lsn: 1, metadata: snapshot.metadata,
                    sections: snapshot.sections.map { CheckpointSection(kind: $0.kind, index: $0.index, bytes: $0.bytes) })
            }
        } catch {
            throw .failed("saving the index to \(directory): \(error)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0

        let start = BenchClock.nanoseconds()
        let loaded: HNSWIndex
        do {
            let checkpoint = try MappedCheckpoint.open(path)
            loaded = try HNSWIndex.restore(metadata: checkpoint.metadata, owner: checkpoint) { kind, i in
                checkpoint.section(kind: kind, index: i)
            }
        } catch {
            throw .failed("reloading the saved index \(path): \(error)")
        }
        let loadSeconds = Double(BenchClock.nanoseconds() - start) / 1e9
        try checkSameAnswers(index, loaded, data: data)
        return SavedIndex(
            fileBytes: size, bytesPerVector: Double(size) / Double(max(data.base.rows, 1)), loadSeconds: loadSeconds,
            index: loaded)
    }

    /// Compares the reopened index with the built one on a few queries.
    private func checkSameAnswers(_ built: HNSWIndex, _ loaded: HNSWIndex, data: IndexBenchDataset) throws(IndexBenchError) {
        guard loaded.count == built.count else {
            throw .failed("the reloaded index holds \(loaded.count) vectors, the built one \(built.count)")
        }
        let options = SearchOptions(k: min(10, data.base.rows), efSearch: 64)
        for q in 0..<min(data.queries.rows, 5) {
            let a = (try? built.search(data.query(q), options: options))?.hits.map(\.label)
            let b = (try? loaded.search(data.query(q), options: options))?.hits.map(\.label)
            guard a == b else { throw .failed("the reloaded index answers query \(q) differently from the built one") }
        }
    }
}
