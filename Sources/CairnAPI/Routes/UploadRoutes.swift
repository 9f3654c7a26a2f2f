import CairnIngest
import CairnService
import Dispatch
import Foundation
import Hummingbird

/// `POST /v1/materials`: upload files (`multipart/form-data`) or a text (`application/json`) to be indexed.
///
/// The bytes are spooled under the data directory and synced, and the job is committed, before the `202`
/// answer, which lists each file with the material it becomes and the job that processes it.
struct UploadRoutes {
    let service: CairnService

    func register(on router: Router<CairnRequestContext>) {
        router.post("/v1/materials") { request, context in try await upload(request, context) }
    }

    func upload(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        guard identity.role == .admin else {
            throw ServiceError(.forbidden, "uploading needs an admin key; this key is a coach key for tenant "
                + "\"\(identity.tenant?.rawValue ?? "?")\"")
        }
        try QueryParameters(request).rejectUnknown()
        let receipt: IngestReceipt
        switch BodyReader.mediaType(request) {
        case "multipart/form-data":
            receipt = try await multipart(request, identity: identity)
        case "application/json":
            receipt = try await jsonText(request, identity: identity)
        default:
            throw ServiceError(.unsupportedMediaType, "upload files as multipart/form-data (curl -F file=@notes.pdf) or "
                + "a text as application/json ({\"text\": …, \"title\": …})"
                + (BodyReader.mediaType(request).map { "; got \($0)" } ?? ""))
        }
        let report = try service.job(receipt.job.id, as: identity)
        return JSONResponse.make([
            "object": "upload", "job_id": .int(receipt.job.id.rawValue), "job": Wire.job(report),
            "files": Wire.receiptFiles(receipt.files),
        ], status: .accepted)
    }

    private func multipart(_ request: Request, identity: Identity) async throws -> IngestReceipt {
        let limit = service.configuration.maxUploadBytes
        try BodyReader.checkLength(request, limit: limit)
        let contentType = request.headers[.contentType] ?? ""
        guard let boundary = MultipartUpload.parameters(contentType)["boundary"], !boundary.isEmpty,
              boundary.utf8.count <= 200
        else {
            throw ServiceError(.invalid, "the multipart Content-Type has no boundary", field: "Content-Type")
        }
        let directory = try service.newUploadDirectory()
        let upload = MultipartUpload(directory: directory)
        do {
            var parser = MultipartStreamParser(boundary: boundary)
            upload.attach(to: &parser)
            var total = 0
            for try await buffer in request.body {
                total += buffer.readableBytes
                guard total <= limit else { throw BodyReader.tooLarge(limit) }
                do {
                    try parser.feed(buffer.readableBytesView)
                } catch let error as MultipartStreamParser.SyntaxError {
                    throw ServiceError(.invalid, "the multipart body is malformed: \(error.reason)", field: "file")
                }
            }
            guard parser.isComplete else {
                throw ServiceError(.invalid, "the multipart body ends before its closing boundary (a cut-off upload?)",
                                   field: "file")
            }
            if let name = upload.fields.first(where: { $0.0 == "file" || $0.0 == "files" })?.0 {
                throw ServiceError(.invalid, "the part \"\(name)\" has no file name: send a file as a file part "
                    + "(curl -F \(name)=@notes.pdf, with the @)", field: name)
            }
            var object = RequestObject(try Self.formObject(upload.fields))
            let metadata = try MetadataForm.parse(&object, form: true)
            let sourceKey = try object.string("source_key", maxLength: 1_024)
            if let sourceKey { try RequestObject.refuseNUL(sourceKey, field: "source_key") }
            try object.rejectUnknown(hint: "and file parts (any name, with a file name)")
            guard !upload.files.isEmpty else {
                throw ServiceError(.invalid, "the upload holds no file: send one or more parts with a filename "
                    + "(curl -F file=@notes.pdf)", field: "file")
            }
            if upload.files.count > 1, metadata.title != nil || sourceKey != nil {
                throw ServiceError(.invalid, "\"title\" and \"source_key\" name one material: upload one file per "
                    + "request to set them", field: metadata.title != nil ? "title" : "source_key")
            }
            let parts = upload.files
            let files = try await Self.offload {
                try parts.map { part in
                    let sha = try part.file.finish()
                    return UploadedFile(path: part.file.path, filename: part.filename, size: part.file.size, sha256: sha,
                                        metadata: metadata, sourceKey: sourceKey)
                }
            }
            return try await Self.offload { [service] in try service.submitUpload(files, directory: directory, as: identity) }
        } catch {
            upload.abandon()
            service.discardUpload(directory)
            throw error
        }
    }

    /// `{"text", "title", "filename", "format": "text" | "markdown" | "html", "source_key", …metadata}`.
    private func jsonText(_ request: Request, identity: Identity) async throws -> IngestReceipt {
        var body = try await BodyReader.jsonObject(request, limit: service.configuration.maxJSONBytes)
        guard let text = try body.string("text", maxLength: service.configuration.maxJSONBytes) else {
            throw ServiceError(.invalid, "\"text\" is missing", field: "text")
        }
        guard !text.isEmpty else { throw ServiceError(.invalid, "\"text\" is empty", field: "text") }
        try RequestObject.refuseNUL(text, field: "text")
        // Well-formed, but nothing to index: 422, as for a file with no text.
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ServiceError(.unprocessable, "\"text\" holds only white space: there is nothing to index", field: "text")
        }
        let formats: [String: (ext: String, type: MaterialFileType)] = [
            "text": ("txt", .text), "markdown": ("md", .markdown), "html": ("html", .html),
        ]
        let given = try body.string("filename", maxLength: 255)
        if let given { try RequestObject.refuseNUL(given, field: "filename") }
        // The file name's extension decides how the text is read, so it must agree with `format`.
        let named = given.flatMap { name in
            (name as NSString).pathExtension.isEmpty ? nil : MaterialFileType.detect(filename: name, head: [])
        }
        if let named, !formats.values.contains(where: { $0.type == named }) {
            throw ServiceError(.unprocessable, "\"filename\" names a \(named.rawValue) file; a text upload is text, "
                + "markdown or html", field: "filename")
        }
        let formatGiven = try body.string("format", maxLength: 16)
        let format = formatGiven ?? formats.first { $0.value.type == named }?.key ?? "text"
        guard let chosen = formats[format] else {
            throw body.invalid("format", "is \"\(format)\"; allowed: text, markdown, html")
        }
        if let named, named != chosen.type {
            throw ServiceError(.unprocessable, "\"filename\" names a \(named.rawValue) file but \"format\" is \(format)",
                               field: "filename")
        }
        let ext = chosen.ext
        let sourceKey = try body.string("source_key", maxLength: 1_024)
        if let sourceKey { try RequestObject.refuseNUL(sourceKey, field: "source_key") }
        let metadata = try MetadataForm.parse(&body)
        try body.rejectUnknown()
        let base = given.map { MultipartUpload.sanitize($0, fallback: "text.\(ext)") }
            ?? MultipartUpload.sanitize((metadata.title ?? "text").replacingOccurrences(of: "/", with: "-"), fallback: "text")
                + ".\(ext)"
        let filename = given == nil || (base as NSString).pathExtension.isEmpty ? (given == nil ? base : base + ".\(ext)") : base
        let directory = try service.newUploadDirectory()
        do {
            let bytes = Array(text.utf8)
            let file = try await Self.offload { () throws -> UploadedFile in
                let spool = try SpoolFile(path: (directory as NSString).appendingPathComponent("0"))
                try bytes.withUnsafeBytes { raw in try spool.write(raw) }
                let sha = try spool.finish()
                // A text with neither a name nor a title is known by its content: two such texts are two
                // materials (not one replacing the other under `upload/text.txt`), the same one twice is unchanged.
                let key = sourceKey ?? (given == nil && metadata.title == nil ? "upload/text-\(sha.prefix(16))" : nil)
                return UploadedFile(path: spool.path, filename: filename, size: bytes.count, sha256: sha,
                                    metadata: metadata, sourceKey: key)
            }
            return try await Self.offload { [service] in try service.submitUpload([file], directory: directory, as: identity) }
        } catch {
            service.discardUpload(directory)
            throw error
        }
    }

    /// The form fields as a JSON-like object; `tags` may repeat (values joined), any other name only once.
    static func formObject(_ fields: [(String, String)]) throws(ServiceError) -> [String: Any] {
        var object: [String: Any] = [:]
        var tags: [String] = []
        for (name, value) in fields {
            if name == "tags" || name == "tags[]" {
                tags.append(value)
            } else if object[name] != nil {
                throw ServiceError(.invalid, "the form field \"\(name)\" is given twice", field: name)
            } else {
                object[name] = value
            }
        }
        if !tags.isEmpty { object["tags"] = tags.joined(separator: ",") }
        return object
    }

    /// Runs blocking file work (fsync, hashing) on a Dispatch thread, off Swift's cooperative pool.
    static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
