import CairnIndex
import CairnVectorMath
import Foundation

/// `index.json` in the vector directory: the settings an index was created with, so that a reopened data
/// directory refuses a conflicting dimension or metric instead of serving wrong results.
///
/// Written once at creation (temp file → fsync → rename → fsync of the directory):
/// `{"format_version": 1, "dimension": 384, "metric": "cosine", "m": 16, "ef_construction": 64,
///   "ef_search": 100, "full_scan_threshold": 10000, "quantization": "none"}`. `quantization` ("none" or
/// "int8", see ``VectorQuantization``) is absent from manifests written before it existed and then means "none".
struct IndexManifest: Codable, Equatable {
    static let fileName = "index.json"
    static let formatVersion = 1

    var formatVersion: Int
    var dimension: Int
    var metric: Metric
    var m: Int
    var efConstruction: Int
    var efSearch: Int
    var fullScanThreshold: Int
    var quantization: VectorQuantization?

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", dimension, metric, m, quantization
        case efConstruction = "ef_construction", efSearch = "ef_search", fullScanThreshold = "full_scan_threshold"
    }

    init(_ c: IndexConfiguration) {
        formatVersion = Self.formatVersion
        dimension = c.dimension
        metric = c.metric
        m = c.m
        efConstruction = c.efConstruction
        efSearch = c.efSearch
        fullScanThreshold = c.fullScanThreshold
        quantization = c.quantization
    }

    var configuration: IndexConfiguration {
        var c = IndexConfiguration(dimension: dimension, metric: metric, m: m, efConstruction: efConstruction,
                                   efSearch: efSearch)
        c.fullScanThreshold = fullScanThreshold
        c.quantization = quantization ?? .none
        return c
    }

    static func load(directory: String, io: any FileIO) throws(StorageError) -> IndexManifest? {
        let path = joinPath(directory, fileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file = try OpenFile(path, mode: .readOnly, io: io)
        let bytes = try file.read(count: Int(try file.size()), at: 0)
        do {
            let manifest = try JSONDecoder().decode(IndexManifest.self, from: Data(bytes))
            guard manifest.formatVersion == formatVersion else {
                throw StorageError.corruption("\(path): format_version \(manifest.formatVersion) is not supported")
            }
            return manifest
        } catch let error as StorageError {
            throw error
        } catch {
            throw .corruption("\(path) is not a valid index manifest: \(error)")
        }
    }

    func save(directory: String, io: any FileIO) throws(StorageError) {
        let path = joinPath(directory, Self.fileName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(self)) + [10] } catch {
            throw .serviceError("cannot encode \(path): \(error)")
        }
        let temporary = path + ".tmp"
        do {
            let file = try OpenFile(temporary, mode: .createOrTruncate, io: io)
            try file.write(bytes, at: 0)
            try file.sync()
        }
        try io.rename(temporary, to: path)
        try io.syncDirectory(directory)
    }
}
