import Logging
import CairnService
import HTTPTypes
import Hummingbird

/// Authenticates `Authorization: Bearer <key>` on every route but the public ones and applies the key's
/// rate limit. The identity it finds goes into the request context for the routes and the service.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = CairnRequestContext
    let service: CairnService
    let keys: @Sendable () -> KeyStore?
    let limiter: RateLimiter

    /// Routes anyone may call: liveness, readiness, metrics and the API description.
    static let publicPaths: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json", "/"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if Self.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw ServiceError(.unauthenticated, "missing API key: send \"Authorization: Bearer <key>\"")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw ServiceError(.unauthenticated, "the Authorization header must be \"Bearer <key>\"")
        }
        guard let keys = keys() else {
            throw ServiceError(.notReady, "the service is starting: keys are not loaded yet", retryAfterSeconds: 1)
        }
        let secret = String(parts[1])
        var found = keys.authenticate(secret)
        if found == nil {
            // A key `cairn keys create` made a moment ago works at once: re-read the table if it changed.
            try? keys.refreshIfChanged()
            found = keys.authenticate(secret)
        }
        guard let identity = found else {
            throw ServiceError(.unauthenticated, "unknown or revoked API key (a key works with the data directory it "
                + "was made in: `cairn keys list --data-dir DIR` shows that directory's keys)")
        }
        if let wait = limiter.take(identity.keyID) {
            throw ServiceError(.rateLimited, "rate limit of \(limiter.rate) requests per second (burst \(limiter.burst)) "
                + "exceeded for this key; retry in \(wait) s", retryAfterSeconds: wait)
        }
        context.identity = identity
        return try await next(request, context)
    }
}
