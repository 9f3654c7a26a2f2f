import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Synchronization

/// The outermost middleware: gives every request an id (the caller's `X-Request-Id` when it is a sane token,
/// else a new one), puts it on every log line and in the response's `X-Request-Id`, turns every error into
/// the API's error shape (see ``APIError``), counts the request and records its latency per route, method
/// and status, and logs one line per request.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = CairnRequestContext
    let metrics: HTTPMetrics
    /// The API's paths and their methods, for telling a wrong method (405) from a wrong path (404).
    let routes: RouteTable

    static let requestIDHeader = HTTPField.Name("X-Request-Id")!
    static let serverTimingHeader = HTTPField.Name("Server-Timing")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        var context = context
        let id = Self.requestID(from: request)
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        // Hummingbird's own id would be a second, different id on every line; ours is the one clients see.
        context.logger[metadataKey: "hb.request.id"] = nil
        var response: Response
        do {
            response = try await LogContext.$requestID.withValue(id) { try await next(request, context) }
        } catch {
            let apiError = Self.apiError(for: error, request: request, routes: routes)
            if apiError.status == .internalServerError {
                context.logger.error("request failed", metadata: [
                    "status": "\(apiError.status.code)", "error": "\(apiError.detail ?? apiError.message)",
                ])
            }
            response = try apiError.response(from: request, context: context)
        }
        response.headers[Self.requestIDHeader] = id
        let route = context.endpointPath ?? "unmatched"
        let elapsed = started.duration(to: .now)
        let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
        // The whole handling of the request inside the server (after any step timings a route added).
        let app = String(format: "app;dur=%.3f", ms)
        response.headers[Self.serverTimingHeader] = response.headers[Self.serverTimingHeader].map { $0 + ", " + app } ?? app
        metrics.record(route: route, method: request.method.rawValue, status: response.status.code, elapsed: elapsed)
        context.logger.info("\(request.method.rawValue) \(request.uri.path) \(response.status.code)", metadata: [
            "route": "\(route)", "ms": "\(String(format: "%.2f", ms))",
            "key_id": "\(context.identity.map { "\($0.keyID)" } ?? "-")",
        ])
        return response
    }

    /// The caller's id if it is 1–128 characters of letters, digits and `._:-`; otherwise a new one.
    static func requestID(from request: Request) -> String {
        if let given = request.headers[requestIDHeader], (1...128).contains(given.utf8.count),
           given.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
               || $0 == 0x2E || $0 == 0x5F || $0 == 0x3A || $0 == 0x2D })
        {
            return given
        }
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        return "req_" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func apiError(for error: any Error, request: Request, routes: RouteTable) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as ServiceError: return APIError(e)
        case let e as HTTPError where e.status == .notFound:
            if let methods = routes.methods(forPath: request.uri.path), !methods.contains(request.method.rawValue) {
                var error = APIError(status: .methodNotAllowed, type: "invalid_request_error", code: "method_not_allowed",
                                     message: "\(request.method.rawValue) is not a method of \(request.uri.path); it takes "
                                         + methods.joined(separator: ", "))
                error.allow = methods.joined(separator: ", ")
                return error
            }
            return APIError(ServiceError(.notFound, "no route \(request.method.rawValue) \(request.uri.path); /openapi.json "
                + "lists the routes"))
        case let e as any HTTPResponseError where e.status.code < 500:
            return APIError(status: e.status, type: "invalid_request_error", code: "invalid_request",
                            message: e.status.reasonPhrase)
        default:
            return APIError(ServiceError.failure("\(error)"))
        }
    }
}

/// Request counts and latency histograms per route, method and status, cached per combination.
final class HTTPMetrics: Sendable {
    let factory: any MetricsFactory
    private let cache = Mutex<[String: (Counter, Timer)]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func record(route: String, method: String, status: Int, elapsed: Duration) {
        let key = "\(route) \(method) \(status)"
        let (counter, timer) = cache.withLock { cache in
            if let found = cache[key] { return found }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let made = (Counter(label: "cairn_http_requests_total", dimensions: dimensions, factory: factory),
                        Timer(label: "cairn_http_request_duration_seconds", dimensions: dimensions, factory: factory))
            cache[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(Int64(elapsed.components.seconds) * 1_000_000_000
            + Int64(elapsed.components.attoseconds / 1_000_000_000))
    }
}
