import Foundation
import CairnService
import HTTPTypes
import Hummingbird

/// Reading request bodies with a limit, and the query string strictly.
enum BodyReader {
    /// The whole body, refused with 413 as soon as it passes `limit` bytes (by `Content-Length` before reading).
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        try checkLength(request, limit: limit)
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= limit else { throw tooLarge(limit) }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    static func checkLength(_ request: Request, limit: Int) throws(ServiceError) {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge(limit) }
    }

    static func tooLarge(_ limit: Int) -> ServiceError {
        ServiceError(.tooLarge, "the request body is over the limit of \(limit) bytes")
    }

    /// The media type of the body, lower-cased, without parameters (`application/json`).
    static func mediaType(_ request: Request) -> String? {
        request.headers[.contentType].map {
            $0.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
    }

    /// A JSON object body (requires `Content-Type: application/json`).
    static func jsonObject(_ request: Request, limit: Int) async throws -> RequestObject {
        guard mediaType(request) == "application/json" else {
            throw ServiceError(.unsupportedMediaType, "send the body as JSON with \"Content-Type: application/json\""
                + (mediaType(request).map { " (got \($0))" } ?? ""))
        }
        return try RequestObject.parse(try await collect(request, limit: limit))
    }
}

/// The query string's parameters, each read at most once, unknown ones refused.
struct QueryParameters {
    let values: [String: String]
    private(set) var seen: Set<String> = []

    init(_ request: Request) {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { values[String(key)] = String(value) }
        self.values = values
    }

    /// The value when the parameter is present (an empty value is a value: `status=` is refused, not ignored).
    mutating func string(_ key: String) -> String? {
        seen.insert(key)
        return values[key]
    }

    mutating func int(_ key: String, _ range: ClosedRange<Int>) throws(ServiceError) -> Int? {
        guard let raw = string(key) else { return nil }
        guard let n = Int(raw), range.contains(n) else {
            throw ServiceError(.invalid, "\"\(key)\" is \"\(raw)\"; allowed: a whole number from \(range.lowerBound) to "
                + "\(range.upperBound)", field: key)
        }
        return n
    }

    /// An opaque cursor from a previous page's `next_cursor`.
    mutating func cursor(_ key: String = "cursor") throws(ServiceError) -> Int64? {
        guard let raw = string(key) else { return nil }
        guard (1...18).contains(raw.utf8.count), raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int64(raw) else {
            throw ServiceError(.invalid, "\"\(key)\" is not a cursor this API gave out", field: key)
        }
        return n
    }

    func rejectUnknown() throws(ServiceError) {
        if let unknown = Set(values.keys).subtracting(seen).sorted().first {
            throw ServiceError(.invalid, "unknown query parameter \"\(unknown)\"; this route takes: "
                + seen.sorted().joined(separator: ", "), field: unknown)
        }
    }
}

extension Parameters {
    /// A numeric id from the path, else 404 (an id that cannot exist).
    func id(_ name: String = "id", what: String) throws(ServiceError) -> Int64 {
        guard let raw = get(name), let id = Int64(raw), id > 0 else {
            throw ServiceError(.notFound, "no \(what) \(get(name) ?? "")", field: name)
        }
        return id
    }
}
