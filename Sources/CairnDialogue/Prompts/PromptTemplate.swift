import Foundation

/// A prompt template: text with `{{name}}` placeholders and `{{#name}}…{{/name}}` sections, which are kept
/// when `name` has a non-empty value and dropped otherwise. Nothing else is special; values are inserted as
/// they are.
///
/// ```
/// [{{marker}}] {{title}}{{#page}}, page {{page}}{{/page}}
/// {{content}}
/// ```
public struct PromptTemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case text(String)
        case value(String)
        case section(String, [Part])
    }

    public let name: String
    let parts: [Part]
    /// Every placeholder and section name used.
    public let names: Set<String>

    /// Parses `text`, checking that it uses only `allowed` names and every one of `required`.
    /// - Throws: `.configuration` naming the template, the line and what is wrong.
    public init(name: String, text: String, allowed: Set<String>, required: Set<String>) throws(DialogueError) {
        self.name = name
        var names = Set<String>()
        var stack: [(String, [Part], Int)] = []
        var current: [Part] = []
        var rest = Substring(text)
        var line = 1
        func fail(_ message: String) -> DialogueError {
            DialogueError(.configuration, "prompt template \(name), line \(line): \(message)")
        }
        while let open = rest.range(of: "{{") {
            let literal = rest[..<open.lowerBound]
            line += literal.filter { $0 == "\n" }.count
            if !literal.isEmpty { current.append(.text(String(literal))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else { throw fail("\"{{\" is never closed") }
            let tag = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[close.upperBound...]
            let kind = tag.first
            let key = kind == "#" || kind == "/" ? String(tag.dropFirst()).trimmingCharacters(in: .whitespaces) : tag
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0 == "_" }) else {
                throw fail("\"{{\(tag)}}\" is not a placeholder; use {{name}}, {{#name}} … {{/name}}")
            }
            guard allowed.contains(key) else {
                throw fail("unknown placeholder \"\(key)\"; this template may use: \(allowed.sorted().joined(separator: ", "))")
            }
            names.insert(key)
            switch kind {
            case "#":
                stack.append((key, current, line))
                current = []
            case "/":
                guard let (open, outer, _) = stack.popLast(), open == key else {
                    throw fail("{{/\(key)}} closes no {{#\(key)}}")
                }
                let section = Part.section(key, current)
                current = outer
                current.append(section)
            default:
                current.append(.value(key))
            }
        }
        if !rest.isEmpty { current.append(.text(String(rest))) }
        if let (open, _, openLine) = stack.last {
            line = openLine
            throw fail("{{#\(open)}} is never closed with {{/\(open)}}")
        }
        let missing = required.subtracting(names)
        guard missing.isEmpty else {
            throw DialogueError(.configuration, "prompt template \(name) must use " + missing.sorted().map { "{{\($0)}}" }
                .joined(separator: ", "))
        }
        self.parts = current
        self.names = names
    }

    /// The text with `values` filled in (a missing value is empty).
    public func render(_ values: [String: String]) -> String {
        var out = ""
        func walk(_ parts: [Part]) {
            for part in parts {
                switch part {
                case .text(let t): out += t
                case .value(let k): out += values[k] ?? ""
                case .section(let k, let inner): if let v = values[k], !v.isEmpty { walk(inner) }
                }
            }
        }
        walk(parts)
        return out
    }
}
