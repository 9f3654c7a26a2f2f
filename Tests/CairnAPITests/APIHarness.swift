import CairnAPI
import CairnHTTP
import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import TestSupport
import Testing

/// A Cairn server on a fresh data directory, driven through HummingbirdTesting. Every response a test gets
/// is checked against the schema `/openapi.json` gives for its route and status.
final class APIHarness: Sendable {
    let dir: TemporaryDirectory
    let service: CairnService
    let server: CairnServer

    init(_ adjust: (inout ServiceConfiguration) -> Void = { _ in }) throws {
        dir = try TemporaryDirectory(prefix: "cairn-api")
        var config = ServiceConfiguration()
        config.dataDirectory = dir.file("data")
        config.port = 0
        config.ingestThreads = 2
        config.queryThreads = 2
        config.retrievalFlushMilliseconds = 20
        config.keyRefreshMilliseconds = 50
        adjust(&config)
        var logger = Logger(label: "cairn.test")
        logger.logLevel = .warning
        let registry = PrometheusCollectorRegistry()
        service = CairnService(configuration: config, logger: logger,
                               metricsFactory: CairnServer.metricsFactory(registry: registry))
        server = CairnServer(service: service, registry: registry, logger: logger)
    }

    /// Runs `body` with a client once the service is ready; `.router` without sockets, `.live` with them.
    func run(_ setup: TestingSetup = .router, _ body: @Sendable (APIClient) async throws -> Void) async throws {
        let app = server.application()
        try await app.test(setup) { client in
            let deadline = Date().addingTimeInterval(60)
            while service.phase == .starting && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            try #require(service.phase == .ready, "the service did not become ready: \(service.phase)")
            let openAPI = try await client.execute(uri: "/openapi.json", method: .get)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(openAPI.body.readableBytesView)) as? [String: Any])
            let admin = try #require(service.readyInfo?.createdAdminKey)
            try await body(APIClient(client: client, validator: JSONSchemaValidator(document: document), admin: admin))
        }
    }
}

/// A response: status, headers and the body parsed as JSON (when it is).
struct APIResponse: @unchecked Sendable {
    var status: Int
    var headers: HTTPFields
    var text: String
    var json: [String: Any]

    /// The error object's field, for error responses.
    func error(_ key: String) -> String? { (json["error"] as? [String: Any])?[key] as? String }
}

/// Sends requests and checks each response against the OpenAPI document.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    let validator: JSONSchemaValidator
    /// The first start's admin key.
    let admin: String

    @discardableResult
    func request(_ method: HTTPRequest.Method, _ uri: String, key: String? = nil, json: Any? = nil,
                 body: [UInt8]? = nil, contentType: String? = nil, headers extra: HTTPFields = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> APIResponse {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        var bytes = body
        if let json {
            bytes = [UInt8](try JSONSerialization.data(withJSONObject: json))
            headers[.contentType] = "application/json"
        }
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(uri: uri, method: method, headers: headers,
                                                body: bytes.map { ByteBuffer(bytes: $0) })
        let text = String(buffer: response.body)
        let parsed = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        let result = APIResponse(status: Int(response.status.code), headers: response.headers, text: text, json: parsed)
        #expect(response.headers[HTTPField.Name("X-Request-Id")!] != nil, "no X-Request-Id on \(method) \(uri)",
                sourceLocation: sourceLocation)
        check(result, method: method, uri: uri, sourceLocation: sourceLocation)
        return result
    }

    /// The response's body must match the schema the document gives for its route, method and status.
    func check(_ response: APIResponse, method: HTTPRequest.Method, uri: String, sourceLocation: SourceLocation) {
        let path = String(uri.split(separator: "?", maxSplits: 1)[0])
        if path == "/metrics" || path == "/openapi.json" { return }
        guard let template = validator.pathTemplate(for: path) else {
            #expect(response.status == 404, "\(method) \(uri): no route in the document, status \(response.status)",
                    sourceLocation: sourceLocation)
            return
        }
        let operations = (validator.document["paths"] as? [String: Any])?[template] as? [String: Any] ?? [:]
        if operations[method.rawValue.lowercased()] == nil {
            // A method the path does not take: 405 with Allow, in the error shape.
            #expect(response.status == 405 && response.headers[.allow] != nil, "\(method) \(uri): \(response.status)",
                    sourceLocation: sourceLocation)
            let problems = validator.validate(response.json, against: ["$ref": "#/components/schemas/Error"])
            #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
            return
        }
        // A page (text/html) is checked for being described with its media type; its body is not JSON.
        let mediaType = (response.headers[.contentType] ?? "application/json").split(separator: ";")[0]
            .trimmingCharacters(in: .whitespaces)
        if mediaType != "application/json" {
            #expect(validator.responseSchema(path: template, method: method.rawValue, status: response.status,
                                             contentType: mediaType) != nil,
                    "\(method) \(template) answered \(response.status) as \(mediaType), which the document does not describe",
                    sourceLocation: sourceLocation)
            return
        }
        guard let schema = validator.responseSchema(path: template, method: method.rawValue, status: response.status)
        else {
            let message = "\(method) \(template) answered \(response.status), which the document does not describe: "
                + String(response.text.prefix(300))
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            return
        }
        let problems = validator.validate(response.json, against: schema)
        #expect(problems.isEmpty, "\(method) \(uri) \(response.status): \(problems)\n\(response.text.prefix(500))",
                sourceLocation: sourceLocation)
    }

    /// `multipart/form-data` with file parts and form fields.
    func upload(key: String? = nil, files: [(name: String, bytes: [UInt8])], fields: [(String, String)] = [])
        async throws -> APIResponse
    {
        let form = MultipartFormData(fields: fields, files: files.map { ($0.name, $0.bytes) })
        return try await request(.post, "/v1/materials", key: key ?? admin, body: form.encoded(),
                                 contentType: form.contentType)
    }

    /// Polls a job until it ends (or 120 s pass) and returns its last state.
    func waitForJob(_ id: Int, key: String? = nil) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(120)
        while true {
            let job = try await request(.get, "/v1/jobs/\(id)", key: key ?? admin)
            let status = job.json["status"] as? String ?? ""
            if ["completed", "failed", "cancelled"].contains(status) || Date() > deadline { return job.json }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Creates a key through the service's key store (what `cairn keys create` does).
    func key(_ harness: APIHarness, role: Role, tenant: String? = nil) throws -> String {
        let keys = try #require(harness.service.keys)
        return try keys.create(role: role, tenant: tenant.map(TenantID.init(rawValue:)), name: nil).1
    }
}
