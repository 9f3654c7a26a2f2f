import CairnIngest
import CairnService
import Foundation
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
        let manifest = try body.string("manifest_path", maxLength: 4_096)
        var entries: [ManifestEntry] = []
        for (i, var entry) in (try body.objects("entries", maxCount: 100_000) ?? []).enumerated() {
            guard let path = try entry.string("path", maxLength: 4_096) else {
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
                throw ServiceError(.unprocessable, "\"\(key)[\(i)]\": \(error.message)", field: "\(key)[\(i)]")
            } catch {
                throw ServiceError(.unprocessable, "\"\(key)[\(i)]\" is not a valid glob", field: "\(key)[\(i)]")
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
    static let textKeys: Set<String> = ["owner_id", "title", "topic", "source_uri", "acquired_by"]

    /// The metadata fields of a JSON object (`form`: of multipart form fields, where every value is text and
    /// booleans are `true`/`false`). The API is strict where files are lenient: each field must have the type
    /// and form /openapi.json gives it (CSV and JSONL records keep their lenient reading).
    static func parse(_ object: inout RequestObject, form: Bool = false) throws(ServiceError) -> MaterialMetadata {
        var fields: [String: Any] = [:]
        for key in keys {
            if let value = object.value(key) {
                try check(key, value, form: form, object)
                fields[key == "owner_id" ? "owner" : key] = value
            }
        }
        do {
            return try MetadataFields.parse(object: fields, context: object.path.isEmpty ? "request" : object.path)
        } catch {
            let field = error.field.map { $0 == "owner" ? "owner_id" : $0 }
            let name = field.map { object.path.isEmpty ? $0 : "\(object.path).\($0)" }
            throw ServiceError(.invalid, error.message, field: name)
        }
    }

    private static func check(_ key: String, _ value: Any, form: Bool, _ object: RequestObject) throws(ServiceError) {
        try RequestObject.refuseNUL(value, field: object.name(key))
        func text() throws(ServiceError) -> String {
            guard let s = value as? String else { throw object.invalid(key, "must be a string") }
            return s
        }
        switch key {
        case _ where textKeys.contains(key):
            let s = try text()
            let limit = key == "owner_id" ? 256 : 4_096
            guard s.unicodeScalars.count <= limit else { throw object.invalid(key, "is over \(limit) characters") }
            if key == "owner_id", s.isEmpty { throw object.invalid(key, "is empty") }
        case "tags":
            if let list = value as? [Any], !form {
                guard list.count <= 1_000 else { throw object.invalid(key, "has over 1000 tags") }
                for (i, item) in list.enumerated() where !(item is String) {
                    throw ServiceError(.invalid, "\"\(object.name(key))[\(i)]\" must be a string",
                                       field: "\(object.name(key))[\(i)]")
                }
            } else {
                _ = try text()
            }
        case "lang":
            guard MetadataFields.isLanguageTag(try text()) else {
                throw object.invalid(key, "is \"\(value)\"; allowed: a language tag such as en, ko, zh-Hans or zh-Hant")
            }
        case "content_type":
            guard ContentType(rawValue: try text()) != nil else {
                throw object.invalid(key, "is \"\(value)\"; allowed: " + ContentType.allCases.map(\.rawValue).joined(separator: ", "))
            }
        case "acquisition_method":
            guard AcquisitionMethod(rawValue: try text()) != nil else {
                throw object.invalid(key, "is \"\(value)\"; allowed: "
                    + AcquisitionMethod.allCases.map(\.rawValue).joined(separator: ", "))
            }
        case "license_type":
            guard LicenseType(rawValue: try text()) != nil else {
                throw object.invalid(key, "is \"\(value)\"; allowed: 1 to 63 letters, digits, '.', '-', '+' such as "
                    + LicenseType.known.joined(separator: ", "))
            }
        case "retention_years":
            let years: Int?
            if form {
                let s = try text()
                years = s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) && (1...3).contains(s.utf8.count) ? Int(s) : nil
            } else if let n = JSONNumber(value), n.isWhole, n.isWithin(-1e9, 1e9) {
                years = n.wholeValue.map { Int($0) }
            } else {
                years = nil
            }
            guard let years, (0...100).contains(years) else { throw object.invalid(key, "must be a whole number from 0 to 100") }
        case "external_share_consent", "permission_flag":
            let ok = form ? ["true", "false"].contains(value as? String ?? "")
                : (value as? NSNumber).map(RequestObject.isBool) ?? false
            guard ok else { throw object.invalid(key, "must be true or false") }
        case "acquired_at":
            guard MetadataFields.isRFC3339(try text()) else {
                throw object.invalid(key, "must be an RFC 3339 date (2024-03-01) or date-time (2024-03-01T09:30:00Z)")
            }
        default:
            break
        }
    }
}
