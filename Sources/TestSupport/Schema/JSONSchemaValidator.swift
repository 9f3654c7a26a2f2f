import CairnIngest
import Foundation

/// Checks JSON values (as `JSONSerialization` returns them) against the JSON Schemas of an OpenAPI 3.1
/// document: `$ref` into `#/components/schemas`, `type` (one or a list, `null` included), `properties`,
/// `required`, `additionalProperties: false`, `items`, `enum`, `minimum`/`maximum`, `minItems`/`maxItems`,
/// `minLength`/`maxLength`, `pattern`, `anyOf`, `oneOf` (`format` and `contentMediaType` are annotations). That is the vocabulary Cairn's document uses; an unsupported keyword is reported, not ignored.
///
/// ```swift
/// let validator = try JSONSchemaValidator(document: openAPI)
/// let problems = validator.validate(body, against: ["$ref": "#/components/schemas/Material"])
/// #expect(problems.isEmpty, "\(problems)")
/// ```
public struct JSONSchemaValidator: @unchecked Sendable {
    public let document: [String: Any]

    public init(document: [String: Any]) {
        self.document = document
    }

    /// Keywords the validator understands (others make it report a problem).
    static let known: Set<String> = [
        "$ref", "type", "properties", "required", "additionalProperties", "items", "enum", "minimum", "maximum",
        "minItems", "maxItems", "anyOf", "oneOf", "description", "format", "minLength", "maxLength", "pattern",
        "contentMediaType",
    ]

    /// The schema of the response to `method` on `path` (a template such as `/v1/materials/{id}`) with
    /// `status`, for `contentType`; nil when the document has none.
    public func responseSchema(path: String, method: String, status: Int, contentType: String = "application/json")
        -> [String: Any]?
    {
        guard let paths = document["paths"] as? [String: Any], let item = paths[path] as? [String: Any],
              let op = item[method.lowercased()] as? [String: Any], let responses = op["responses"] as? [String: Any],
              let response = responses[String(status)] as? [String: Any],
              let content = response["content"] as? [String: Any], let media = content[contentType] as? [String: Any]
        else { return nil }
        return media["schema"] as? [String: Any]
    }

    /// The document's path template matching a concrete path (`/v1/materials/12/text` → `/v1/materials/{id}/text`).
    public func pathTemplate(for path: String) -> String? {
        guard let paths = document["paths"] as? [String: Any] else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return paths.keys.sorted().first { template in
            let t = template.split(separator: "/", omittingEmptySubsequences: false)
            return t.count == parts.count && zip(t, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }

    /// Every way `value` breaks `schema`, as `path: problem` lines (empty when it conforms).
    public func validate(_ value: Any, against schema: [String: Any], at path: String = "$") -> [String] {
        var problems: [String] = []
        for key in schema.keys where !Self.known.contains(key) { problems.append("\(path): unsupported keyword \(key)") }
        if let ref = schema["$ref"] as? String {
            guard let resolved = resolve(ref) else { return problems + ["\(path): unresolved \(ref)"] }
            return problems + validate(value, against: resolved, at: path)
        }
        if let options = schema["anyOf"] as? [[String: Any]] {
            let results = options.map { validate(value, against: $0, at: path) }
            if !results.contains(where: \.isEmpty) {
                problems.append("\(path): matches none of anyOf (\(results.map { $0.joined(separator: "; ") }))")
            }
        }
        if let options = schema["oneOf"] as? [[String: Any]] {
            let matching = options.filter { validate(value, against: $0, at: path).isEmpty }.count
            if matching != 1 { problems.append("\(path): matches \(matching) of oneOf, not exactly one") }
        }
        if let s = value as? String {
            let length = s.unicodeScalars.count
            if let min = schema["minLength"] as? Int, length < min { problems.append("\(path): shorter than \(min)") }
            if let max = schema["maxLength"] as? Int, length > max { problems.append("\(path): longer than \(max)") }
            if let pattern = schema["pattern"] as? String,
               (try? NSRegularExpression(pattern: pattern))?.firstMatch(
                   in: s, range: NSRange(s.startIndex..., in: s)) == nil {
                problems.append("\(path): \(Self.describe(s)) does not match \(pattern)")
            }
        }
        if let types = schema["type"].map(Self.types), !types.contains(where: { Self.matches(value, type: $0) }) {
            return problems + ["\(path): \(Self.describe(value)) is not \(types.joined(separator: " or "))"]
        }
        if let values = schema["enum"] as? [Any], !values.contains(where: { Self.equal($0, value) }) {
            problems.append("\(path): \(Self.describe(value)) is not one of \(values)")
        }
        if let n = value as? NSNumber, !Self.isBool(n) {
            if let min = (schema["minimum"] as? NSNumber)?.doubleValue, n.doubleValue < min {
                problems.append("\(path): \(n) < minimum \(min)")
            }
            if let max = (schema["maximum"] as? NSNumber)?.doubleValue, n.doubleValue > max {
                problems.append("\(path): \(n) > maximum \(max)")
            }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(path): missing required \(name)")
            }
            for (name, field) in object {
                if let sub = properties[name] as? [String: Any] {
                    problems += validate(field, against: sub, at: "\(path).\(name)")
                } else if (schema["additionalProperties"] as? Bool) == false {
                    problems.append("\(path): unexpected property \(name)")
                }
            }
        }
        if let array = value as? [Any] {
            if let min = schema["minItems"] as? Int, array.count < min { problems.append("\(path): fewer than \(min) items") }
            if let max = schema["maxItems"] as? Int, array.count > max { problems.append("\(path): more than \(max) items") }
            if let items = schema["items"] as? [String: Any] {
                for (i, element) in array.enumerated() { problems += validate(element, against: items, at: "\(path)[\(i)]") }
            }
        }
        return problems
    }

    public func resolve(_ ref: String) -> [String: Any]? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Any = document
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (node as? [String: Any])?[String(part)] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    static func types(_ raw: Any) -> [String] {
        if let one = raw as? String { return [one] }
        return raw as? [String] ?? []
    }

    static func isBool(_ n: NSNumber) -> Bool { MetadataFields.isJSONBoolean(n) }

    static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "boolean": return (value as? NSNumber).map(isBool) ?? false
        case "integer":
            guard let n = value as? NSNumber, !isBool(n) else { return false }
            return n.doubleValue == n.doubleValue.rounded()
        case "number": return (value as? NSNumber).map { !isBool($0) } ?? false
        case "string": return value is String
        case "array": return value is [Any]
        case "object": return value is [String: Any]
        default: return false
        }
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (is NSNull, is NSNull): true
        case (let x as String, let y as String): x == y
        case (let x as NSNumber, let y as NSNumber): x == y
        default: false
        }
    }

    static func describe(_ value: Any) -> String {
        switch value {
        case is NSNull: "null"
        case let s as String: "\"\(s.prefix(40))\""
        case let n as NSNumber: isBool(n) ? "boolean" : "\(n)"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        default: "\(value)"
        }
    }
}
