import CairnService
/// A small vocabulary for JSON Schemas (OpenAPI 3.1 dialect) as ``JSONValue``s.
enum Schema {
    static func string(_ description: String, nullable: Bool = false, values: [String]? = nil,
                       format: String? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("type", type("string", nullable)), ("description", .string(description))]
        if let values { fields.append(("enum", .array(values.map(JSONValue.string) + (nullable ? [.null] : [])))) }
        if let format { fields.append(("format", .string(format))) }
        return .object(fields)
    }

    static func integer(_ description: String, nullable: Bool = false, minimum: Int? = nil,
                        maximum: Int? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("type", type("integer", nullable)), ("description", .string(description))]
        if let minimum { fields.append(("minimum", .int(minimum))) }
        if let maximum { fields.append(("maximum", .int(maximum))) }
        return .object(fields)
    }

    static func number(_ description: String, nullable: Bool = false, minimum: Double? = nil,
                       maximum: Double? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("type", type("number", nullable)), ("description", .string(description))]
        if let minimum { fields.append(("minimum", .double(minimum))) }
        if let maximum { fields.append(("maximum", .double(maximum))) }
        return .object(fields)
    }

    static func boolean(_ description: String, nullable: Bool = false) -> JSONValue {
        ["type": type("boolean", nullable), "description": .string(description)]
    }

    static func array(_ items: JSONValue, _ description: String, minItems: Int? = nil, maxItems: Int? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("type", "array"), ("description", .string(description)), ("items", items)]
        if let minItems { fields.append(("minItems", .int(minItems))) }
        if let maxItems { fields.append(("maxItems", .int(maxItems))) }
        return .object(fields)
    }

    /// An object with exactly these properties (`required` ones must be present; no others allowed).
    static func object(_ description: String, nullable: Bool = false,
                       _ properties: [(String, JSONValue, required: Bool)]) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("type", type("object", nullable)), ("description", .string(description)),
            ("properties", .object(properties.map { ($0.0, $0.1) })),
            ("additionalProperties", false),
        ]
        let required = properties.filter(\.required).map { JSONValue.string($0.0) }
        if !required.isEmpty { fields.append(("required", .array(required))) }
        return .object(fields)
    }

    /// A response object: every property is always present (absent values are `null`).
    static func record(_ description: String, nullable: Bool = false, _ properties: [(String, JSONValue)]) -> JSONValue {
        object(description, nullable: nullable, properties.map { ($0.0, $0.1, required: true) })
    }

    /// A request object: every property is optional unless listed in `required`.
    static func input(_ description: String, required: Set<String> = [], _ properties: [(String, JSONValue)]) -> JSONValue {
        object(description, properties.map { ($0.0, $0.1, required: required.contains($0.0)) })
    }

    static func ref(_ name: String, nullable: Bool = false) -> JSONValue {
        let reference: JSONValue = ["$ref": .string("#/components/schemas/\(name)")]
        return nullable ? ["anyOf": [reference, ["type": "null"]]] : reference
    }

    private static func type(_ name: String, _ nullable: Bool) -> JSONValue {
        nullable ? [.string(name), "null"] : .string(name)
    }
}
