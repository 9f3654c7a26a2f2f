import ArgumentParser
import CairnIndex
import CairnIngest
import CairnStorage
import CairnVectorMath
import Foundation

/// `cairn info`: what Cairn runs on and what its data directory holds. The default command.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the machine's kernels and what the data directory holds.")

    @OptionGroup var data: DataDirectoryOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        var facts: [(String, String)] = [
            ("data_dir", data.path),
            ("simd", SIMDInfo.level),
            ("simd_int8", Int8Codes.level),
            ("blas_core", BLASInfo.coreName),
        ]
        if let warning = BLASInfo.warning { facts.append(("blas_warning", warning)) }
        // A server (or a running job) holds the indexes: report it instead of opening them.
        let holder = DirectoryLock.holder(of: data.path)
        if let holder { facts.append(("in_use_by", holder.description)) }
        if holder != nil {
            facts.append(("vectors", "not opened (the data directory is in use)"))
        } else if FileManager.default.fileExists(atPath: (data.vectorsPath as NSString).appendingPathComponent("index.json")) {
            let store = try DurableIndex.open(directory: data.vectorsPath)
            let index = store.index
            facts += [
                ("dimension", "\(index.configuration.dimension)"),
                ("metric", index.configuration.metric.rawValue),
                ("m", "\(index.configuration.m)"),
                ("ef_construction", "\(index.configuration.efConstruction)"),
                ("quantization", index.configuration.quantization.rawValue),
                ("vectors", "\(index.count)"),
                ("removed_awaiting_compaction", "\(index.deletedCount)"),
                ("checkpoint", store.recovery.checkpointPath ?? "none"),
                ("wal_records_replayed", "\(store.recovery.replayedRecords)"),
                ("load_seconds", String(format: "%.3f", store.recovery.loadSeconds)),
            ]
        } else {
            facts.append(("vectors", "no index yet (create one with `cairn vectors add --dim N`)"))
        }
        let storePath = (data.path as NSString).appendingPathComponent(MaterialStore.fileName)
        if FileManager.default.fileExists(atPath: storePath) {
            do {
                let stats = try MaterialStore(path: storePath).statistics()
                let statuses = MaterialStatus.allCases.map { "\(stats.materialsByStatus[$0] ?? 0) \($0.rawValue)" }
                facts += [
                    ("materials", statuses.joined(separator: ", ")),
                    ("owners", "\(stats.owners)"),
                    ("chunks", "\(stats.chunks)"),
                    ("bulk_jobs", "\(stats.bulkJobs)"),
                ]
            } catch {
                facts.append(("materials", "unreadable: \(error.message)"))
            }
            let chunkIndex = (data.path as NSString).appendingPathComponent(MaterialLibrary.indexDirectoryName)
            if holder == nil, FileManager.default.fileExists(atPath: chunkIndex) {
                do {
                    facts.append(("chunk_vectors", "\(try DurableIndex.open(directory: chunkIndex).index.count)"))
                } catch {
                    facts.append(("chunk_vectors", "unavailable: \(error)"))
                }
            }
        } else {
            facts.append(("materials", "none yet (index some with `cairn index PATH…`)"))
        }
        if json {
            let object = Dictionary(uniqueKeysWithValues: facts)
            let bytes = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: bytes, as: UTF8.self))
        } else {
            print("Cairn")
            for (k, v) in facts { print("  \(k.padding(toLength: 28, withPad: " ", startingAt: 0)) \(v)") }
        }
    }
}
