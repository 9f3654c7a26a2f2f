public import CairnService
public import HTTPTypes
public import Hummingbird

/// An error as the API answers it: an HTTP status and OpenAI's error shape,
/// `{"error": {"message", "type", "param", "code"}}`.
///
/// Built from the service's ``ServiceError`` (the only place service errors get a status). A 5xx never
/// carries internal detail: its message says an internal error happened and gives the request id, which the
/// log line with the detail carries too.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// OpenAI's error type: `invalid_request_error`, `authentication_error`, `permission_error`,
    /// `not_found_error`, `rate_limit_error`, `server_error`.
    public var type: String
    /// A stable code per cause (`invalid_value`, `unknown_field`, `invalid_api_key`, …).
    public var code: String
    public var message: String
    public var param: String?
    public var retryAfterSeconds: Int?
    /// For a 405: the methods the path takes (the `Allow` header).
    public var allow: String?
    /// Logged, never sent.
    public var detail: String?

    public init(status: HTTPResponse.Status, type: String, code: String, message: String, param: String? = nil,
                retryAfterSeconds: Int? = nil, detail: String? = nil) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.retryAfterSeconds = retryAfterSeconds
        self.detail = detail
    }

    /// The API's answer to a service error.
    public init(_ error: ServiceError) {
        let (status, type, code): (HTTPResponse.Status, String, String) = switch error.kind {
        case .invalid:
            (.badRequest, "invalid_request_error",
             error.message.hasPrefix("unknown field") ? "unknown_field" : "invalid_value")
        case .unauthenticated: (.unauthorized, "authentication_error", "invalid_api_key")
        case .forbidden: (.forbidden, "permission_error", "forbidden")
        case .notFound: (.notFound, "not_found_error", error.field == "model" ? "model_not_found" : "not_found")
        case .conflict: (.conflict, "invalid_request_error", "conflict")
        case .tooLarge: (.contentTooLarge, "invalid_request_error", "payload_too_large")
        case .unsupportedMediaType: (.unsupportedMediaType, "invalid_request_error", "unsupported_media_type")
        case .unprocessable: (.unprocessableContent, "invalid_request_error", "unprocessable")
        case .rateLimited: (.tooManyRequests, "rate_limit_error", "rate_limit_exceeded")
        case .notReady: (.serviceUnavailable, "server_error", "not_ready")
        case .overloaded: (.serviceUnavailable, "server_error", "overloaded")
        case .notImplemented: (.notImplemented, "invalid_request_error", "not_configured")
        case .badGateway: (.badGateway, "server_error", "upstream_error")
        case .gatewayTimeout: (.gatewayTimeout, "server_error", "upstream_timeout")
        case .internal: (.internalServerError, "server_error", "internal_error")
        }
        self.init(status: status, type: type, code: code, message: error.message, param: error.field,
                  retryAfterSeconds: error.retryAfterSeconds, detail: error.detail)
    }

    /// The error body; a 5xx of an internal failure says only that it happened, with the request id.
    func body(requestID: String) -> JSONValue {
        let message = status == .internalServerError
            ? "internal error; the server log has the details under request id \(requestID)" : self.message
        return ["error": ["message": .string(message), "type": .string(type), "param": .string(param),
                          "code": .string(code), "request_id": .string(requestID)]]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let id = (context as? CairnRequestContext)?.requestID ?? ""
        var response = JSONResponse.make(body(requestID: id), status: status)
        if let retryAfterSeconds { response.headers[.retryAfter] = String(retryAfterSeconds) }
        if let allow { response.headers[.allow] = allow }
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"cairn\"" }
        return response
    }
}

/// HTML pages (the reports).
enum HTMLResponse {
    static func make(_ html: String) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(html)
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: buffer))
    }
}

/// JSON responses.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = value.bytes()
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: buffer))
    }
}
