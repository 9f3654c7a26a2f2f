import ArgumentParser
import CairnIndex
import CairnStorage
import Foundation

/// `cairn vectors remove LABEL…`.
struct VectorsRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove vectors by label.")

    @OptionGroup var data: DataDirectoryOptions

    @Argument(help: "Labels to remove.")
    var labels: [UInt64]

    func run() throws {
        let store = try openVectors(data, command: "vectors remove")
        var removed = 0
        for label in labels where try store.remove(label: label) { removed += 1 }
        print("removed \(removed) of \(labels.count)")
    }
}

/// `cairn vectors verify`: recovers the index, checks the graph, and optionally that given labels are present.
struct VectorsVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Recover the index and check its integrity (prints JSON).")

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "A file of labels (one per line, or FIRST-LAST ranges) that must be present.")
    var expectLabels: String?

    func run() throws {
        let store = try openVectors(data, command: "vectors verify")
        let report: IntegrityReport
        do { report = try store.index.checkIntegrity() } catch { throw CLIError(error.description) }
        var missing: [UInt64] = []
        if let expectLabels {
            let text = try String(contentsOfFile: expectLabels, encoding: .utf8)
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "-").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
                guard let lo = parts.first else { continue }
                for label in lo...(parts.last ?? lo) where !store.index.contains(label) { missing.append(label) }
            }
        }
        try printJSON([
            "live": report.live, "deleted": report.deleted, "nodes": report.nodes, "edges": report.edges,
            "unreachable": report.unreachable, "checkpoint_lsn": store.recovery.checkpointLSN,
            "replayed_records": store.recovery.replayedRecords, "wal_bytes_truncated": store.recovery.walBytesTruncated,
            "load_seconds": store.recovery.loadSeconds, "missing": missing.prefix(20).map { $0 },
            "missing_count": missing.count,
        ])
        if !missing.isEmpty { throw ExitCode(3) }
    }
}

/// `cairn vectors checkpoint`.
struct VectorsCheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Write a checkpoint of the index and empty the WAL.")

    @OptionGroup var data: DataDirectoryOptions

    func run() throws {
        let store = try openVectors(data, command: "vectors checkpoint")
        print(try store.checkpoint())
    }
}

/// `cairn vectors compact`.
struct VectorsCompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact", abstract: "Rebuild the graph without removed vectors and checkpoint it.")

    @OptionGroup var data: DataDirectoryOptions

    func run() throws {
        let store = try openVectors(data, command: "vectors compact")
        let before = store.index.slotCount
        try store.compact()
        print("compacted: \(before) slots → \(store.index.slotCount)")
    }
}
