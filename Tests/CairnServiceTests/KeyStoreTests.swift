import CairnIngest
import CairnSQL
import CairnService
import Foundation
import Testing
import TestSupport

/// API keys: stored only as hashes, authenticated from memory, revoked across processes.
@Suite struct KeyStoreTests {
    func store() throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory(prefix: "cairn-keys")
        return (dir, try MaterialStore(dataDirectory: dir.path).path)
    }

    @Test func keysAreStoredAsHashesAndAuthenticateToTheirRoleAndTenant() throws {
        let (dir, path) = try store()
        defer { withExtendedLifetime(dir) {} }
        let keys = try KeyStore(databasePath: path)
        #expect(!keys.hasActiveKeys)
        let (admin, adminSecret) = try keys.create(role: .admin, tenant: nil, name: "ops")
        let (coach, coachSecret) = try keys.create(role: .coach, tenant: TenantID("class-7b"), name: nil)
        #expect(adminSecret.hasPrefix("cairn_") && adminSecret.count == 46 && adminSecret != coachSecret)
        #expect(keys.authenticate(adminSecret) == Identity(keyID: admin.id, name: "ops", role: .admin, tenant: nil))
        #expect(keys.authenticate(coachSecret)?.tenant == TenantID("class-7b"))
        #expect(keys.authenticate(coachSecret)?.keyID == coach.id)
        #expect(keys.authenticate(adminSecret + "x") == nil)
        // The database holds no secret, only digests and the first characters.
        let db = try SQLiteDatabase(path: path)
        let dump = try db.query("SELECT * FROM api_keys").map { "\($0.values)" }.joined()
        #expect(!dump.contains(adminSecret) && !dump.contains(coachSecret))
        #expect(dump.contains(String(adminSecret.prefix(12))))
        #expect(throws: ServiceError.self) { try keys.create(role: .coach, tenant: nil, name: nil) }
    }

    @Test func changesByAnotherConnectionAreSeenOnRefresh() throws {
        let (dir, path) = try store()
        defer { withExtendedLifetime(dir) {} }
        let server = try KeyStore(databasePath: path)
        let cli = try KeyStore(databasePath: path)
        let (record, secret) = try cli.create(role: .coach, tenant: TenantID("t"), name: nil)
        #expect(server.authenticate(secret) == nil)
        try server.refreshIfChanged()
        #expect(server.authenticate(secret) != nil)
        #expect(try cli.revoke(record.id))
        #expect(try !cli.revoke(record.id))
        try server.refreshIfChanged()
        #expect(server.authenticate(secret) == nil)
        #expect(try server.list().first?.revokedAt != nil)
    }

    @Test func theRateLimiterAllowsABurstThenRefillsAtItsRate() {
        let limiter = RateLimiter(rate: 2, burst: 3)
        let key = APIKeyID(rawValue: 1)
        let start = ContinuousClock.now
        #expect((0..<3).map { _ in limiter.take(key, now: start) } == [nil, nil, nil])
        #expect(limiter.take(key, now: start) == 1)
        #expect(limiter.take(APIKeyID(rawValue: 2), now: start) == nil)
        #expect(limiter.take(key, now: start + .milliseconds(600)) == nil)
        #expect(limiter.take(key, now: start + .milliseconds(600)) != nil)
        #expect(RateLimiter(rate: 0, burst: 1).take(key) == nil)
    }
}
