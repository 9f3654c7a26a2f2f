public import Foundation

extension HTTPRequest {
    /// A request to a JSON API such as Cairn's own: `Authorization: Bearer <key>` when a key is given, and a
    /// JSON body (serialised from `json`) or a raw body with its content type.
    ///
    /// ```swift
    /// let request = try HTTPRequest.api(.post, url + "/v1/retrieve", key: key, json: ["query": "What is osmosis?"])
    /// ```
    public static func api(_ method: HTTPMethod, _ url: String, key: String? = nil, json: Any? = nil,
                           body: [UInt8]? = nil, contentType: String? = nil, timeout: Duration = .seconds(120))
        throws -> HTTPRequest
    {
        var headers = HTTPHeaders()
        if let key { headers.add("Authorization", "Bearer \(key)") }
        var bytes = body
        if let json {
            bytes = [UInt8](try JSONSerialization.data(withJSONObject: json))
            headers.add("Content-Type", "application/json")
        }
        if let contentType { headers.add("Content-Type", contentType) }
        return HTTPRequest(method: method, url: url, headers: headers, body: bytes, timeout: timeout)
    }
}

/// A `multipart/form-data` body: form fields, then file parts (each with a file name).
///
/// ```swift
/// let form = MultipartFormData(fields: [("owner_id", "class-7b")], files: [("notes.txt", Array("…".utf8))])
/// let request = try HTTPRequest.api(.post, url + "/v1/materials", key: key, body: form.encoded(),
///                                   contentType: form.contentType)
/// ```
public struct MultipartFormData: Sendable {
    public var boundary: String
    public var fields: [(name: String, value: String)]
    public var files: [(filename: String, bytes: [UInt8])]
    /// The form field name of the file parts.
    public var fileField: String

    public init(fields: [(String, String)] = [], files: [(String, [UInt8])], fileField: String = "file",
                boundary: String = "cairn-\(UUID().uuidString)") {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
        self.files = files.map { (filename: $0.0, bytes: $0.1) }
        self.fileField = fileField
        self.boundary = boundary
    }

    /// The `Content-Type` header value, with the boundary.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The body's bytes.
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        for field in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field.name)\"\r\n\r\n\(field.value)\r\n".utf8)
        }
        for file in files {
            body += Array(("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fileField)\"; "
                + "filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n").utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        return body + Array("--\(boundary)--\r\n".utf8)
    }
}
