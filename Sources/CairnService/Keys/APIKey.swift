/// What a key may do.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    /// Everything, for every tenant: uploads, bulk jobs, deletes, jobs, keys' effects.
    case admin
    /// Retrieval, embeddings and reading the materials of its one tenant.
    case coach
}

/// A tenant: the owner of materials (`owner_id` on the wire, `materials.owner` in the store).
public struct TenantID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public static func < (a: TenantID, b: TenantID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }
}

/// An API key's id in the store.
public struct APIKeyID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// Who is calling: the authenticated key, its role and, for a coach, its tenant.
public struct Identity: Sendable, Hashable {
    public var keyID: APIKeyID
    public var name: String
    public var role: Role
    /// The tenant a coach key is bound to (nil for admin keys, which see every tenant).
    public var tenant: TenantID?

    public init(keyID: APIKeyID, name: String, role: Role, tenant: TenantID?) {
        self.keyID = keyID
        self.name = name
        self.role = role
        self.tenant = tenant
    }

    /// Whether this identity may see materials of `owner`.
    public func canSee(owner: String) -> Bool {
        role == .admin || tenant?.rawValue == owner
    }
}

/// A key as `cairn keys list` shows it: never the secret, only its first characters.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    public var id: APIKeyID
    public var name: String
    public var role: Role
    public var tenant: TenantID?
    /// The secret's first characters (`cairn_Ab12Cd`), to tell keys apart.
    public var prefix: String
    public var createdAt: String
    public var revokedAt: String?
}
