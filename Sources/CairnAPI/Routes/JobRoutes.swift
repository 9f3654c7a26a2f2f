import CairnIngest
import CairnService
import Hummingbird

/// Ingest jobs: `GET /v1/jobs/{id}`, `POST /v1/jobs/{id}/cancel`, and `POST /v1/bulk` (server-side files).
struct JobRoutes {
    let service: CairnService

    func register(on router: Router<CairnRequestContext>) {
        router.get("/v1/jobs/{id}") { request, context in try job(request, context) }
        router.post("/v1/jobs/{id}/cancel") { request, context in try cancel(request, context) }
        router.post("/v1/bulk") { request, context in try await bulk(request, context) }
    }

    func job(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        let id = IngestJobID(rawValue: try context.parameters.id(what: "job"))
        return JSONResponse.make(Wire.job(try service.job(id, as: identity)))
    }

    func cancel(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        let id = IngestJobID(rawValue: try context.parameters.id(what: "job"))
        return JSONResponse.make(Wire.job(try service.cancelJob(id, as: identity)))
    }

    /// `{"paths": [...], "manifest_path": "...", "entries": [{"path", …metadata}], "include": [...],
    ///   "exclude": [...], "defaults": {…metadata}}`
    func bulk(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        var body = try await BodyReader.jsonObject(request, limit: service.configuration.maxJSONBytes)
        let paths = try body.strings("paths", maxCount: 10_000) ?? []
        let manifest = try body.string("manifest_path", maxBytes: 4_096)
        var entries: [ManifestEntry] = []
        for (i, var entry) in (try body.objects("entries", maxCount: 100_000) ?? []).enumerated() {
            guard let path = try entry.string("path", maxBytes: 4_096) else {
                throw ServiceError(.invalid, "\"entries[\(i)].path\" is missing", field: "entries[\(i)].path")
            }
            entries.append(ManifestEntry(path: path, metadata: try MetadataForm.parse(&entry), line: i + 1))
            try entry.rejectUnknown()
        }
        let include = try globs(&body, "include")
        let exclude = try globs(&body, "exclude")
        var defaults = MaterialMetadata()
        if var d = try body.object("defaults") {
            defaults = try MetadataForm.parse(&d)
            try d.rejectUnknown()
        }
        try body.rejectUnknown()
        guard !paths.isEmpty || manifest != nil || !entries.isEmpty else {
            throw ServiceError(.invalid, "give \"paths\", \"manifest_path\" or \"entries\"", field: "paths")
        }
        defaults.provenance.acquisitionMethod = defaults.provenance.acquisitionMethod ?? .systemImport
        let (receipt, problems) = try service.submitBulk(paths: paths, manifest: manifest, entries: entries,
                                                         include: include, exclude: exclude, defaults: defaults,
                                                         as: identity)
        let report = try service.job(receipt.job.id, as: identity)
        return JSONResponse.make([
            "object": "bulk", "job": Wire.job(report), "files_queued": .int(receipt.files.count),
            "problems": .array(problems.map { ["file": .string($0.path), "reason": .string($0.reason)] }),
        ], status: .accepted)
    }

    private func globs(_ body: inout RequestObject, _ key: String) throws(ServiceError) -> [Glob] {
        try (body.strings(key, maxCount: 1_000) ?? []).enumerated().map { (i, pattern) throws(ServiceError) -> Glob in
            do { return try Glob(pattern) } catch let error as IngestError {
                throw ServiceError(.invalid, "\"\(key)[\(i)]\": \(error.message)", field: "\(key)[\(i)]")
            } catch {
                throw ServiceError(.invalid, "\"\(key)[\(i)]\" is not a valid glob", field: "\(key)[\(i)]")
            }
        }
    }
}

/// The metadata and provenance fields of an upload, a bulk entry or bulk defaults, under the API's names
/// (`owner_id` for the owner; the rest as `cairn index --manifest` takes them).
enum MetadataForm {
    static let keys = ["owner_id", "title", "topic", "tags", "lang", "source_uri", "content_type", "acquisition_method",
                       "license_type", "retention_years", "external_share_consent", "permission_flag", "acquired_by",
                       "acquired_at"]

    static func parse(_ object: inout RequestObject) throws(ServiceError) -> MaterialMetadata {
        var fields: [String: Any] = [:]
        for key in keys {
            if let value = object.value(key) { fields[key == "owner_id" ? "owner" : key] = value }
        }
        if let owner = fields["owner"] as? String, owner.isEmpty || owner.utf8.count > 256 {
            throw object.invalid("owner_id", "must be 1 to 256 bytes")
        }
        do {
            return try MetadataFields.parse(object: fields, context: object.path.isEmpty ? "request" : object.path)
        } catch {
            let field = error.field.map { $0 == "owner" ? "owner_id" : $0 }
            let name = field.map { object.path.isEmpty ? $0 : "\(object.path).\($0)" }
            throw ServiceError(.invalid, error.message, field: name)
        }
    }
}
