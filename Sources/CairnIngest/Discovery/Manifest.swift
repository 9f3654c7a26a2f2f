import Foundation

/// One file listed in a manifest, with the metadata the manifest gives it.
public struct ManifestEntry: Sendable, Hashable {
    /// The file's path: as written when absolute, else resolved against the manifest's directory.
    public var path: String
    /// The line's metadata (layer the command's flags under it with ``MaterialMetadata/filled(from:)``).
    public var metadata: MaterialMetadata
    /// 1-based line of the manifest (for JSON, the position in the list).
    public var line: Int

    public init(path: String, metadata: MaterialMetadata, line: Int) {
        self.path = path
        self.metadata = metadata
        self.line = line
    }
}

/// Reads a bulk-indexing manifest: a JSONL, CSV or JSON-array file listing files with per-file metadata.
///
/// ```json
/// {"path": "notes/ch1.pdf", "owner": "t1", "title": "Chapter 1", "topic": "algebra", "tags": ["sat"],
///  "lang": "en", "license_type": "CC-BY-4.0", "acquired_at": "2024-03-01"}
/// ```
///
/// or, as CSV, `path,owner,title,tags` then `notes/ch1.pdf,t1,Chapter 1,sat;algebra`. `path` (or `file`) is
/// required; the metadata fields are those of ``MetadataFields``; other fields are ignored. A bad line (no
/// path, an invalid licence, a path listed twice) is reported with its line number and skipped. Whether the
/// listed files exist is left to the job that opens them, which reports each missing one.
public enum Manifest {
    /// The lines of a manifest that could be read, and one error per line that could not.
    public struct Contents: Sendable, Hashable {
        public var entries: [ManifestEntry]
        public var errors: [IngestError]
    }

    /// Reads the manifest at `path`; its format follows the extension (`.jsonl`/`.ndjson`, `.csv`, `.json`).
    ///
    /// - Throws: ``IngestError/Kind/io`` when the file cannot be read, ``IngestError/Kind/unsupportedFormat``
    ///   for another extension, and the errors of ``parse(_:format:baseDirectory:displayName:)``.
    public static func read(path: String) throws(IngestError) -> Contents {
        let name = (path as NSString).lastPathComponent
        guard let format = RecordFormat(fileName: name) else {
            throw IngestError(.unsupportedFormat, "\(name): a manifest must be a .jsonl, .csv or .json file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngestError(.io, "\(path): cannot read the manifest")
        }
        let base = ((path as NSString).deletingLastPathComponent as NSString).standardizingPath
        return try parse([UInt8](data), format: format, baseDirectory: base.isEmpty ? "." : base, displayName: name)
    }

    /// Parses manifest content.
    ///
    /// - Parameters:
    ///   - baseDirectory: what relative paths are resolved against (the manifest's directory).
    /// - Throws: ``IngestError/Kind/emptyContent`` when the manifest lists nothing,
    ///   ``IngestError/Kind/malformed`` when the file as a whole cannot be parsed (a JSON manifest that is not
    ///   valid JSON, a CSV with an unclosed quote or without a `path` column).
    public static func parse(_ bytes: [UInt8], format: RecordFormat, baseDirectory: String, displayName: String)
        throws(IngestError) -> Contents {
        var lines: [(Int, Result<[String: Any], IngestError>)] = []
        switch format {
        case .jsonl:
            var number = 0
            for line in bytes.split(separator: 10, omittingEmptySubsequences: false) {
                number += 1
                var body = line.last == 13 ? line.dropLast() : line
                if number == 1 { body = TextDecoding.droppingUTF8BOM(body) }
                guard body.contains(where: { $0 != 32 && $0 != 9 }) else { continue }
                lines.append((number, object(body, context: "\(displayName) line \(number)")))
            }
        case .json:
            guard let list = (try? JSONText.value(bytes[...], fragmentsAllowed: false)) as? [Any] else {
                throw IngestError(.malformed, "\(displayName): a JSON manifest must be an array of objects")
            }
            for (i, element) in list.enumerated() {
                let context = "\(displayName) record \(i + 1)"
                lines.append((i + 1, (element as? [String: Any]).map { .success($0) }
                    ?? .failure(IngestError(.malformed, "\(context): expected a JSON object"))))
            }
        case .csv:
            let table = try CSVReader.parse(bytes, displayName: displayName)
            let keys = table.header.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }
            guard keys.contains("path") || keys.contains("file") else {
                throw IngestError(.malformed, "\(displayName): the CSV manifest has no \"path\" column")
            }
            for row in table.rows {
                var object: [String: Any] = [:]
                for (key, cell) in zip(keys, row.cells) where !cell.isEmpty { object[key] = cell }
                lines.append((row.line, .success(object)))
            }
        }
        guard !lines.isEmpty else { throw IngestError(.emptyContent, "\(displayName): the manifest lists no files") }

        var contents = Contents(entries: [], errors: [])
        var firstLine: [String: Int] = [:]
        for (number, parsed) in lines {
            let context = format == .json ? "\(displayName) record \(number)" : "\(displayName) line \(number)"
            do throws(IngestError) {
                let object = try parsed.get()
                let fields = FieldReader(object: object, context: context)
                guard let (_, raw) = try fields.firstString("path", "file") else {
                    throw IngestError(.malformed, "\(context): missing \"path\"")
                }
                let path = resolve(raw, against: baseDirectory)
                if let earlier = firstLine[path] {
                    throw IngestError(.malformed, "\(context): \"\(raw)\" is already listed on line \(earlier)")
                }
                let metadata = try MetadataFields.parse(object: object, context: context)
                firstLine[path] = number
                contents.entries.append(ManifestEntry(path: path, metadata: metadata, line: number))
            } catch {
                contents.errors.append(error)
            }
        }
        return contents
    }

    private static func object(_ line: ArraySlice<UInt8>, context: String) -> Result<[String: Any], IngestError> {
        guard let value = try? JSONText.value(line) else {
            return .failure(IngestError(.malformed, "\(context): not valid JSON"))
        }
        guard let object = value as? [String: Any] else {
            return .failure(IngestError(.malformed, "\(context): expected a JSON object"))
        }
        return .success(object)
    }

    private static func resolve(_ path: String, against base: String) -> String {
        let joined = path.hasPrefix("/") ? path : (base.hasSuffix("/") ? base : base + "/") + path
        return (joined as NSString).standardizingPath
    }
}
