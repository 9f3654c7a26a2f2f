import CairnIngest
import CairnService
import Hummingbird

/// Reading and deleting materials: `GET /v1/materials`, `GET /v1/materials/{id}`, `…/chunks`, `…/text`,
/// `DELETE /v1/materials/{id}`. Another tenant's material answers 404, as if it did not exist.
struct MaterialRoutes {
    let service: CairnService

    func register(on router: Router<CairnRequestContext>) {
        router.get("/v1/materials") { request, context in try list(request, context) }
        router.get("/v1/materials/{id}") { request, context in try one(request, context) }
        router.get("/v1/materials/{id}/chunks") { request, context in try chunks(request, context) }
        router.get("/v1/materials/{id}/text") { request, context in try text(request, context) }
        router.delete("/v1/materials/{id}") { request, context in try await delete(request, context) }
    }

    func list(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        var query = QueryParameters(request)
        let owner = query.string("owner_id")
        var status: MaterialStatus? = nil
        if let raw = query.string("status") {
            guard let value = MaterialStatus(rawValue: raw) else {
                throw ServiceError(.invalid, "\"status\" is \"\(raw)\"; allowed: "
                    + MaterialStatus.allCases.map(\.rawValue).joined(separator: ", "), field: "status")
            }
            status = value
        }
        let cursor = try query.cursor()
        let limit = try query.int("limit", 1...1_000) ?? 100
        try query.rejectUnknown()
        let page = try service.materials(owner: owner, status: status, after: cursor, limit: limit, as: identity)
        return JSONResponse.make(Wire.list(page.items.map(Wire.material), nextCursor: page.nextCursor))
    }

    func one(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        let id = MaterialID(rawValue: try context.parameters.id(what: "material"))
        return JSONResponse.make(Wire.material(try service.material(id, as: identity)))
    }

    func chunks(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        let id = MaterialID(rawValue: try context.parameters.id(what: "material"))
        var query = QueryParameters(request)
        let cursor = try query.cursor()
        let limit = try query.int("limit", 1...1_000) ?? 100
        try query.rejectUnknown()
        let page = try service.chunks(of: id, from: Int(cursor ?? 0), limit: limit, as: identity)
        return JSONResponse.make(Wire.list(page.items.map(Wire.chunk), nextCursor: page.nextCursor))
    }

    func text(_ request: Request, _ context: CairnRequestContext) throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        let id = MaterialID(rawValue: try context.parameters.id(what: "material"))
        let (material, text) = try service.text(of: id, as: identity)
        guard let text else {
            throw ServiceError(.conflict, "material \(id) has no extracted text yet (status \(material.status.rawValue))",
                               field: "id")
        }
        return JSONResponse.make([
            "object": "material_text", "material_id": .int(id.rawValue), "text": .string(text),
            "char_count": .int(text.unicodeScalars.count), "offset_unit": "unicode_scalar",
        ])
    }

    func delete(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        let id = MaterialID(rawValue: try context.parameters.id(what: "material"))
        // A store transaction and an index write wait for disk syncs: off Swift's cooperative threads.
        try await UploadRoutes.offload { [service] in try service.deleteMaterial(id, as: identity) }
        return JSONResponse.make(["object": "material", "id": .int(id.rawValue), "deleted": true])
    }
}
