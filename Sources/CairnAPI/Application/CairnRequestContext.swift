public import CairnService
public import Hummingbird
import Foundation
import Logging

/// The context of one request: Hummingbird's core storage, the request id, and — once the auth middleware
/// has run — who is calling.
public struct CairnRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id echoed in `X-Request-Id` and written on every log line of the request.
    public var requestID = ""
    /// The authenticated key; nil only on the public routes (`/healthz`, `/readyz`, `/metrics`, `/openapi.json`).
    /// Kept in a box shared by the context's copies, so the outer middleware logs who called.
    public var identity: Identity? {
        get { callerBox.value }
        nonmutating set { callerBox.value = newValue }
    }
    private let callerBox = CallerBox()

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
    }

    /// Bodies are read by the routes themselves with their own limits.
    public var maxUploadSize: Int { 4 << 20 }

    /// The caller, for routes behind the auth middleware.
    func caller() throws(APIError) -> Identity {
        guard let identity else { throw APIError(ServiceError(.unauthenticated, "missing API key")) }
        return identity
    }
}

/// The identity of one request, shared by the copies of its context.
final class CallerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Identity?

    var value: Identity? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
