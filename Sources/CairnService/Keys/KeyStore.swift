import CairnSQL
import CairnEmbedding
import CairnIngest
import Foundation
import Synchronization

/// API keys: created, listed and revoked in the store's `api_keys` table, which keeps only each secret's
/// SHA-256; authenticated from an in-memory table.
///
/// `cairn keys` changes the table from another process while a server runs; the server's key store notices
/// with `PRAGMA data_version` (which moves when another connection commits) at most every refresh interval
/// and re-reads the table, so a revoked key stops working within a second.
///
/// ```swift
/// let keys = try KeyStore(databasePath: dir + "/cairn.sqlite3")
/// let (record, secret) = try keys.create(role: .coach, tenant: TenantID("class-7b"), name: "coach")
/// keys.authenticate(secret)?.tenant   // class-7b
/// ```
public final class KeyStore: Sendable {
    /// Secrets start with this, so a leaked one is easy to recognise (and to scan for).
    public static let secretPrefix = "cairn_"

    private let database: SQLiteDatabase
    private let table = Mutex<(version: Int64, byHash: [String: Identity])>((-1, [:]))

    /// Opens a connection of its own to the store at `databasePath` (migrated by `MaterialStore`).
    public init(databasePath: String) throws(ServiceError) {
        do {
            database = try SQLiteDatabase(path: databasePath)
        } catch {
            throw .failure("opening the key table: \(error)")
        }
        try reload()
    }

    /// Creates a key and returns it with its secret, which is shown this once and stored only as a hash.
    /// - Throws: ``ServiceError`` `.invalid` when a coach key has no tenant or a name is too long.
    public func create(role: Role, tenant: TenantID?, name: String?) throws(ServiceError) -> (APIKeyRecord, String) {
        if role == .coach, tenant == nil || tenant!.rawValue.isEmpty {
            throw ServiceError(.invalid, "a coach key needs a tenant (--tenant)", field: "tenant")
        }
        let name = name ?? (role == .admin ? "admin" : "coach \(tenant!.rawValue)")
        guard name.count <= 200 else { throw ServiceError(.invalid, "the name is over 200 characters", field: "name") }
        let secret = Self.newSecret()
        let prefix = String(secret.prefix(Self.secretPrefix.count + 6))
        let now = storeTimestamp()
        let record: APIKeyRecord
        do {
            try database.execute(
                """
                INSERT INTO api_keys (name, role, tenant, key_sha256, key_prefix, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [.text(name), .text(role.rawValue), tenant.map { .text($0.rawValue) } ?? .null,
                 .text(SHA256.hexHash(utf8: secret)), .text(prefix), .text(now)])
            record = APIKeyRecord(id: APIKeyID(rawValue: database.lastInsertRowID), name: name, role: role,
                                  tenant: tenant, prefix: prefix, createdAt: now, revokedAt: nil)
        } catch {
            throw .failure("creating a key: \(error)")
        }
        try reload()
        return (record, secret)
    }

    /// Every key, revoked ones included, oldest first.
    public func list() throws(ServiceError) -> [APIKeyRecord] {
        do {
            return try database.query(
                "SELECT id, name, role, tenant, key_prefix, created_at, revoked_at FROM api_keys ORDER BY id"
            ).map { row in
                APIKeyRecord(id: APIKeyID(rawValue: try row.get(0)), name: try row.get(1),
                             role: Role(rawValue: try row.get(2)) ?? .coach,
                             tenant: (try row.get(3) as String?).map(TenantID.init(rawValue:)), prefix: try row.get(4),
                             createdAt: try row.get(5), revokedAt: try row.get(6))
            }
        } catch {
            throw .failure("listing keys: \(error)")
        }
    }

    /// Revokes a key; false when it does not exist or was already revoked.
    public func revoke(_ id: APIKeyID) throws(ServiceError) -> Bool {
        let now = storeTimestamp()
        let changed: Int
        do {
            changed = try database.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                                           [.text(now), .integer(id.rawValue)])
        } catch {
            throw .failure("revoking key \(id): \(error)")
        }
        try reload()
        return changed > 0
    }

    /// Whether any key that is not revoked exists.
    public var hasActiveKeys: Bool { table.withLock { !$0.byHash.isEmpty } }

    /// The identity of `secret`, or nil for an unknown or revoked key.
    public func authenticate(_ secret: String) -> Identity? {
        let hash = SHA256.hexHash(utf8: secret)
        return table.withLock { $0.byHash[hash] }
    }

    /// Re-reads the table if another connection changed the database since the last read.
    public func refreshIfChanged() throws(ServiceError) {
        let version: Int64
        do {
            version = try database.queryValue("PRAGMA data_version", as: Int64.self) ?? 0
        } catch {
            throw .failure("checking the key table: \(error)")
        }
        if version != table.withLock({ $0.version }) { try reload() }
    }

    private func reload() throws(ServiceError) {
        do {
            let version = try database.queryValue("PRAGMA data_version", as: Int64.self) ?? 0
            var byHash: [String: Identity] = [:]
            for row in try database.query(
                "SELECT id, name, role, tenant, key_sha256 FROM api_keys WHERE revoked_at IS NULL")
            {
                guard let role = Role(rawValue: try row.get(2)) else { continue }
                byHash[try row.get(4)] = Identity(
                    keyID: APIKeyID(rawValue: try row.get(0)), name: try row.get(1), role: role,
                    tenant: (try row.get(3) as String?).map(TenantID.init(rawValue:)))
            }
            table.withLock { $0 = (version, byHash) }
        } catch {
            throw .failure("reading the key table: \(error)")
        }
    }

    /// `cairn_` and 40 base-62 characters from the system's random source (about 238 bits).
    static func newSecret() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return secretPrefix + String((0..<40).map { _ in alphabet[Int(generator.next(upperBound: UInt64(62)))] })
    }
}
