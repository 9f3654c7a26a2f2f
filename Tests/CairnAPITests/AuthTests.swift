import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Keys: missing, malformed, unknown and revoked keys; roles; the per-key rate limit.
@Suite(.serialized) struct AuthTests {
    @Test func requestsWithoutAValidKeyAre401AndRevocationTakesEffectWithinASecond() async throws {
        let harness = try APIHarness()
        try await harness.run { api in
            let none = try await api.request(.get, "/v1/materials")
            #expect(none.status == 401 && none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(none.error("type") == "authentication_error")
            let basic = try await api.request(.get, "/v1/materials", headers: [.authorization: "Basic YTpi"])
            #expect(basic.status == 401)
            let unknown = try await api.request(.get, "/v1/materials", key: "cairn_not_a_key")
            #expect(unknown.status == 401 && unknown.error("code") == "invalid_api_key")
            // A key revoked by another process (`cairn keys revoke`: another connection) stops working in < 1 s.
            let coach = try api.key(harness, role: .coach, tenant: "t")
            #expect(try await api.request(.get, "/v1/materials", key: coach).status == 200)
            let other = try KeyStore(databasePath: harness.dir.file("data/cairn.sqlite3"))
            let id = try #require(try other.list().last?.id)
            #expect(try other.revoke(id))
            let revokedAt = Date()
            var status = 200
            while status == 200 && Date().timeIntervalSince(revokedAt) < 2 {
                status = try await api.request(.get, "/v1/materials", key: coach).status
                if status == 200 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(status == 401)
            #expect(Date().timeIntervalSince(revokedAt) < 1, "revocation took \(Date().timeIntervalSince(revokedAt)) s")
            // A key created by another process works as soon as it is seen.
            let fresh = try other.create(role: .admin, tenant: nil, name: "other process").1
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await api.request(.get, "/v1/materials", key: fresh).status == 200)
        }
    }

    @Test func eachKeyHasItsOwnRateLimitWithRetryAfter() async throws {
        let harness = try APIHarness {
            $0.rateLimitPerSecond = 1
            $0.rateLimitBurst = 3
        }
        try await harness.run { api in
            let other = try api.key(harness, role: .admin)
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await api.request(.get, "/v1/materials", key: api.admin).status) }
            #expect(statuses == [200, 200, 200, 429], "\(statuses)")
            let limited = try await api.request(.get, "/v1/materials", key: api.admin)
            #expect(limited.status == 429 && limited.error("type") == "rate_limit_error")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(try await api.request(.get, "/v1/materials", key: other).status == 200)
            // Public routes are not limited.
            for _ in 0..<5 { #expect(try await api.request(.get, "/healthz").status == 200) }
        }
    }
}
