import Logging
public import CairnIngest

/// A material with its provenance, as the API shows it.
public struct MaterialView: Sendable, Hashable {
    public var material: StoredMaterial
    public var provenance: StoredProvenance?
}

/// One page of a listing, with the cursor of the next page.
public struct Page<Item: Sendable & Hashable>: Sendable, Hashable {
    public var items: [Item]
    /// Where the next page starts (nil: this is the last page).
    public var nextCursor: Int64?
}

extension CairnService {
    /// Materials `identity` may see, in id order, after `cursor`.
    /// - Throws: `.forbidden` when a coach names another tenant as `owner`.
    public func materials(owner: String?, status: MaterialStatus?, after cursor: Int64?, limit: Int,
                          as identity: Identity) throws(ServiceError) -> Page<MaterialView> {
        let parts = try parts()
        let owner = try scope(owner, identity: identity, field: "owner_id")
        guard (1...1_000).contains(limit) else {
            throw ServiceError(.invalid, "\"limit\" is \(limit); allowed: 1 to 1000", field: "limit")
        }
        do {
            let rows = try parts.library.store.materials(owner: owner, status: status,
                                                         after: cursor.map(MaterialID.init(rawValue:)), limit: limit + 1)
            let page = Array(rows.prefix(limit))
            let provenance = try parts.library.store.provenance(of: page.map(\.id))
            return Page(items: page.map { MaterialView(material: $0, provenance: provenance[$0.id]) },
                        nextCursor: rows.count > limit ? page.last?.id.rawValue : nil)
        } catch {
            throw ServiceError(error)
        }
    }

    /// One material, if `identity` may see it (else `.notFound`, as if it did not exist).
    public func material(_ id: MaterialID, as identity: Identity) throws(ServiceError) -> MaterialView {
        let material = try visibleMaterial(id, as: identity)
        do {
            return MaterialView(material: material, provenance: try parts().library.store.provenance(of: [id])[id])
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(error as? IngestError ?? IngestError(.storage, "\(error)"))
        }
    }

    /// The material's row, if `identity` may see it (else `.notFound`, as if it did not exist).
    func visibleMaterial(_ id: MaterialID, as identity: Identity) throws(ServiceError) -> StoredMaterial {
        let store = try parts().library.store
        let found: StoredMaterial?
        do { found = try store.materials(ids: [id])[id] } catch { throw ServiceError(error) }
        guard let found, identity.canSee(owner: found.owner) else {
            throw ServiceError(.notFound, "no material \(id)", field: "id")
        }
        return found
    }

    /// A page of a material's chunks from chunk index `from`.
    public func chunks(of id: MaterialID, from: Int, limit: Int, as identity: Identity) throws(ServiceError)
        -> Page<StoredChunk>
    {
        _ = try visibleMaterial(id, as: identity)
        guard (1...1_000).contains(limit) else {
            throw ServiceError(.invalid, "\"limit\" is \(limit); allowed: 1 to 1000", field: "limit")
        }
        guard from >= 0 else { throw ServiceError(.invalid, "\"cursor\" must be 0 or more", field: "cursor") }
        let store = try parts().library.store
        do {
            let rows = try store.chunks(material: id, from: from, limit: limit + 1)
            let page = Array(rows.prefix(limit))
            return Page(items: page, nextCursor: rows.count > limit ? Int64(page.last!.chunkIndex + 1) : nil)
        } catch {
            throw ServiceError(error)
        }
    }

    /// The extracted text a material's chunk offsets point into (nil until the material is processed).
    public func text(of id: MaterialID, as identity: Identity) throws(ServiceError) -> (StoredMaterial, String?) {
        let material = try visibleMaterial(id, as: identity)
        let store = try parts().library.store
        do {
            return (material, try store.extractedText(material: id))
        } catch {
            throw ServiceError(error)
        }
    }

    /// Deletes a material from the store, the index and the catalog in one step (admins only).
    /// - Throws: `.notFound`; `.conflict` while a job is processing it.
    public func deleteMaterial(_ id: MaterialID, as identity: Identity) throws(ServiceError) {
        try require(.admin, identity)
        _ = try visibleMaterial(id, as: identity)
        let library = try parts().library
        let deleted: Int?
        do {
            // The status is checked in the delete's own transaction: a job cannot begin the material in between.
            deleted = try library.delete(id, refusing: [.pending, .processing])
        } catch where error.kind == .busy {
            throw ServiceError(.conflict, error.message, field: "id")
        } catch {
            throw ServiceError(error)
        }
        guard deleted != nil else { throw ServiceError(.notFound, "no material \(id)", field: "id") }
        logger.info("material deleted", metadata: ["material_id": "\(id)", "key_id": "\(identity.keyID)"])
    }

    /// The owner a request may use: a coach's own tenant (naming another is `.forbidden`), an admin's choice.
    func scope(_ owner: String?, identity: Identity, field: String) throws(ServiceError) -> String? {
        guard identity.role == .coach else { return owner }
        guard let tenant = identity.tenant?.rawValue else { throw ServiceError(.forbidden, "this key has no tenant") }
        if let owner, owner != tenant {
            throw ServiceError(.forbidden, "this key may only read tenant \"\(tenant)\"", field: field)
        }
        return tenant
    }

    /// Refuses an identity without `role`.
    func require(_ role: Role, _ identity: Identity) throws(ServiceError) {
        if role == .admin && identity.role != .admin {
            throw ServiceError(.forbidden, "this needs an admin key; this key is a coach key for tenant "
                + "\"\(identity.tenant?.rawValue ?? "?")\"")
        }
    }
}
