import CairnService
/// A small vocabulary for JSON Schemas (OpenAPI 3.1 dialect) as ``JSONValue``s.
enum Schema {
    static func string(_ description: String, nullable: Bool = false, values: [String]? = nil,
                       format: String? = nil, minLength: Int? = nil, maxLength: Int? = nil,
                       pattern: String? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("type", type("string", nullable)), ("description", .string(description))]
        if let values { fields.append(("enum", .array(values.map(JSONValue.string) + (nullable ? [.null] : [])))) }
        if let format { fields.append(("format", .string(format))) }
        if let minLength { fields.append(("minLength", .int(minLength))) }
        if let maxLength { fields.append(("maxLength", .int(maxLength))) }
        if let pattern { fields.append(("pattern", .string(pattern))) }
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

    /// A request object: every property is optional unless listed in `required`; an optional property may be
    /// `null`, which means the same as leaving it out (`nullable: false` for multipart forms, which have no null).
    static func input(_ description: String, required: Set<String> = [], nullable: Bool = true,
                      _ properties: [(String, JSONValue)]) -> JSONValue {
        object(description, properties.map { name, schema in
            let optional = !required.contains(name)
            guard optional && nullable else { return (name, schema, required: !optional) }
            let description = schema["description"] ?? .string(name)
            return (name, ["description": description, "anyOf": [schema, ["type": "null"]]], required: false)
        })
    }

    /// A schema that holds when `name` is present and not null (for "give one of these fields" rules).
    static func present(_ name: String) -> JSONValue {
        ["required": [.string(name)],
         "properties": [name: ["description": "Given, and not null.",
                               "type": ["string", "number", "integer", "boolean", "array", "object"]]]]
    }

    /// `schema` with a keyword added (`anyOf`/`oneOf` over ``present(_:)`` alternatives).
    static func adding(_ key: String, _ value: JSONValue, to schema: JSONValue) -> JSONValue {
        guard case .object(var fields) = schema else { return schema }
        fields.append((key, value))
        return .object(fields)
    }

    static func ref(_ name: String, nullable: Bool = false) -> JSONValue {
        let reference: JSONValue = ["$ref": .string("#/components/schemas/\(name)")]
        return nullable ? ["anyOf": [reference, ["type": "null"]]] : reference
    }

    private static func type(_ name: String, _ nullable: Bool) -> JSONValue {
        nullable ? [.string(name), "null"] : .string(name)
    }
}
