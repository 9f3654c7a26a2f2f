import CairnService
import Foundation

/// Streams a `multipart/form-data` body: file parts straight into spool files (never whole in memory), other
/// parts as form fields (each at most 64 KiB).
final class MultipartUpload {
    /// A file part written to the spool.
    struct FilePart {
        var filename: String
        var file: SpoolFile
    }

    let directory: String
    let maxFiles = 1_000
    private(set) var files: [FilePart] = []
    /// Form fields by name, in order (a repeated name keeps every value).
    private(set) var fields: [(String, String)] = []

    private var current: FilePart?
    private var fieldBytes: [UInt8] = []
    private var fieldName: String?

    init(directory: String) {
        self.directory = directory
    }

    /// Sends the parser's parts here.
    func attach(to parser: inout MultipartStreamParser) {
        parser.onHeaders = { [unowned self] headers in try begin(headers) }
        parser.onContent = { [unowned self] bytes in try content(bytes) }
        parser.onPartEnd = { [unowned self] in end() }
    }

    private func begin(_ headers: [(String, String)]) throws {
        guard let disposition = headers.first(where: { $0.0.lowercased() == "content-disposition" })?.1 else {
            throw ServiceError(.invalid, "a multipart part has no Content-Disposition header", field: "file")
        }
        let params = Self.parameters(disposition)
        guard let name = params["name"] else {
            throw ServiceError(.invalid, "a multipart part has no name", field: "file")
        }
        if let raw = params["filename*"].flatMap(Self.decodeExtended) ?? params["filename"] {
            guard files.count < maxFiles else {
                throw ServiceError(.invalid, "an upload holds at most \(maxFiles) files", field: name)
            }
            let filename = Self.sanitize(raw, fallback: "upload-\(files.count + 1)")
            let file = try SpoolFile(path: (directory as NSString).appendingPathComponent(String(files.count)))
            current = FilePart(filename: filename, file: file)
        } else {
            fieldName = name
            fieldBytes = []
        }
    }

    private func content(_ bytes: UnsafeRawBufferPointer) throws {
        if let current {
            try current.file.write(bytes)
        } else if let fieldName {
            guard fieldBytes.count + bytes.count <= 65_536 else {
                throw ServiceError(.invalid, "the form field \"\(fieldName)\" is over 64 KiB", field: fieldName)
            }
            fieldBytes.append(contentsOf: bytes)
        }
    }

    private func end() {
        if let part = current {
            files.append(part)
        } else if let fieldName {
            fields.append((fieldName, String(decoding: fieldBytes, as: UTF8.self)))
        }
        current = nil
        fieldName = nil
        fieldBytes = []
    }

    /// Deletes what was spooled (the upload is refused).
    func abandon() {
        current?.file.abandon()
        for part in files { part.file.abandon() }
    }

    /// `form-data; name="file"; filename="a.pdf"` → ["name": "file", "filename": "a.pdf"].
    static func parameters(_ header: String) -> [String: String] {
        var out: [String: String] = [:]
        var rest = Substring(header)
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...].drop(while: { $0 == " " || $0 == "\t" })
            guard let eq = rest.firstIndex(of: "=") else { break }
            let key = rest[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = rest[rest.index(after: eq)...]
            if value.first == "\"" {
                value = value.dropFirst()
                var text = ""
                var escaped = false
                var end = value.endIndex
                for i in value.indices {
                    let c = value[i]
                    if escaped { text.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" {
                        end = i
                        break
                    } else { text.append(c) }
                }
                out[key] = text
                rest = end < value.endIndex ? value[value.index(after: end)...] : ""
            } else {
                let end = value.firstIndex(of: ";") ?? value.endIndex
                out[key] = value[..<end].trimmingCharacters(in: .whitespaces)
                rest = value[end...]
            }
        }
        return out
    }

    /// RFC 5987 `UTF-8''na%C3%AFve.txt` → `naïve.txt`.
    static func decodeExtended(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "utf-8" else { return nil }
        return String(parts[2]).removingPercentEncoding
    }

    /// The last path component, without control characters; `fallback` when nothing is left.
    static func sanitize(_ name: String, fallback: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(String.UnicodeScalarView(last.unicodeScalars.filter { !$0.properties.generalCategory.isControl }))
            .trimmingCharacters(in: .whitespaces)
        return clean.isEmpty || clean == "." || clean == ".." ? fallback : String(clean.prefix(255))
    }
}

extension Unicode.GeneralCategory {
    var isControl: Bool { self == .control }
}
