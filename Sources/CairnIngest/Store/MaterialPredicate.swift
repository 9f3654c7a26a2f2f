import CairnSQL

/// A boolean condition over materials' attributes — comparisons joined by `and`/`or` — that a
/// ``ChunkFilter`` can carry beside its fixed fields (OpenAI's vector-store search filters become one).
///
/// A comparison with an attribute a material does not have (no topic, say) is false, except `ne` and `nin`,
/// which are true. `tags` holds a set: `eq`/`ne` ask whether the tag is among them, `in`/`nin` whether any of
/// the values is.
///
/// ```swift
/// let p: MaterialPredicate = .or([.compare(.topic, .eq, .text("algebra")), .compare(.tags, .in, .texts(["exam"]))])
/// ```
public indirect enum MaterialPredicate: Sendable, Hashable, CustomStringConvertible {
    case compare(MaterialAttribute, Comparison, PredicateValue)
    case and([MaterialPredicate])
    case or([MaterialPredicate])

    /// A comparison operator.
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case eq, ne, gt, gte, lt, lte, `in`, nin

        /// Whether the operator orders values (only numeric attributes allow it).
        public var isOrdering: Bool { [.gt, .gte, .lt, .lte].contains(self) }
        /// Whether the operator takes a list.
        public var takesList: Bool { self == .in || self == .nin }
    }

    /// The value a comparison compares with.
    public enum PredicateValue: Sendable, Hashable {
        case text(String)
        case number(Double)
        case texts([String])
        case numbers([Double])
    }

    public var description: String {
        switch self {
        case .compare(let key, let op, let value):
            let v = switch value {
            case .text(let s): "\"\(s)\""
            case .number(let n): "\(n)"
            case .texts(let s): "[" + s.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
            case .numbers(let n): "[" + n.map { "\($0)" }.joined(separator: ", ") + "]"
            }
            return "\(key.rawValue) \(op.rawValue) \(v)"
        case .and(let parts): return "(" + parts.map(\.description).joined(separator: " and ") + ")"
        case .or(let parts): return "(" + parts.map(\.description).joined(separator: " or ") + ")"
        }
    }

    /// Whether a material with these attribute values passes.
    func matches(_ read: (MaterialAttribute) -> AttributeReading) -> Bool {
        switch self {
        case .and(let parts): return parts.allSatisfy { $0.matches(read) }
        case .or(let parts): return parts.contains { $0.matches(read) }
        case .compare(let key, let op, let value):
            switch read(key) {
            case .set(let tags):
                let asked: [String] = switch value {
                case .text(let s): [s]
                case .texts(let s): s
                case .number, .numbers: []
                }
                // By UTF-8 bytes, as SQLite compares (Swift's == would equate canonically equivalent spellings).
                let hit = asked.contains { t in tags.contains { $0.utf8.elementsEqual(t.utf8) } }
                return (op == .eq || op == .in) ? hit : !hit
            case .text(let actual):
                return Self.compare(actual, op, value, equal: { a, b in
                    if case .text(let s) = b { return a.utf8.elementsEqual(s.utf8) }
                    return false
                }, order: { _, _ in nil })
            case .number(let actual):
                return Self.compare(actual, op, value, equal: { a, b in
                    if case .number(let n) = b { return a == n }
                    return false
                }, order: { a, b in
                    if case .number(let n) = b { return a < n ? -1 : (a == n ? 0 : 1) }
                    return nil
                })
            }
        }
    }

    private static func compare<T>(_ actual: T?, _ op: Comparison, _ value: PredicateValue,
                                   equal: (T, PredicateValue) -> Bool, order: (T, PredicateValue) -> Int?) -> Bool {
        let items: [PredicateValue] = switch value {
        case .texts(let s): s.map { .text($0) }
        case .numbers(let n): n.map { .number($0) }
        default: [value]
        }
        guard let actual else { return op == .ne || op == .nin }
        switch op {
        case .eq: return equal(actual, value)
        case .ne: return !equal(actual, value)
        case .in: return items.contains { equal(actual, $0) }
        case .nin: return !items.contains { equal(actual, $0) }
        case .gt, .gte, .lt, .lte:
            guard let c = order(actual, value) else { return false }
            return switch op {
            case .gt: c > 0
            case .gte: c >= 0
            case .lt: c < 0
            default: c <= 0
            }
        }
    }

    /// The predicate as SQL over `materials m LEFT JOIN provenance p` (the reference the catalog is tested
    /// against). Only `and`/`or` join comparisons, so a NULL comparison counts as false, as in ``matches(_:)``.
    func sql(into bindings: inout [SQLValue]) -> String {
        switch self {
        case .and(let parts):
            return parts.isEmpty ? "1" : "(" + parts.map { $0.sql(into: &bindings) }.joined(separator: " AND ") + ")"
        case .or(let parts):
            return parts.isEmpty ? "0" : "(" + parts.map { $0.sql(into: &bindings) }.joined(separator: " OR ") + ")"
        case .compare(let key, let op, let value):
            let values: [SQLValue] = switch value {
            case .text(let s): [.text(s)]
            case .number(let n): [.real(n)]
            case .texts(let s): s.map { .text($0) }
            case .numbers(let n): n.map { .real($0) }
            }
            let marks = values.map { _ in "?" }.joined(separator: ",")
            if key == .tags {
                bindings += values
                let exists = values.isEmpty ? "0" : "EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value IN (\(marks)))"
                return (op == .eq || op == .in) ? exists : "NOT \(exists)"
            }
            let column = key.column
            switch op {
            case .in where values.isEmpty: return "0"
            case .nin where values.isEmpty: return "1"
            default: break
            }
            bindings += values
            return switch op {
            case .eq: "\(column) = ?"
            case .ne: "(\(column) IS NULL OR \(column) <> ?)"
            case .in: "\(column) IN (\(marks))"
            case .nin: "(\(column) IS NULL OR \(column) NOT IN (\(marks)))"
            case .gt: "\(column) > ?"
            case .gte: "\(column) >= ?"
            case .lt: "\(column) < ?"
            case .lte: "\(column) <= ?"
            }
        }
    }
}

/// The material attributes a ``MaterialPredicate`` can compare, by their API names.
public enum MaterialAttribute: String, Sendable, Hashable, CaseIterable {
    case materialID = "material_id"
    case externalID = "external_id"
    case owner = "owner_id"
    case topic
    case tags
    case language = "lang"
    case contentType = "content_type"
    case licenseType = "license_type"

    /// Whether values are numbers (the only attributes `gt`/`gte`/`lt`/`lte` apply to).
    public var isNumeric: Bool { self == .materialID }

    var column: String {
        switch self {
        case .materialID: "m.id"
        case .externalID: "m.external_id"
        case .owner: "m.owner"
        case .topic: "m.topic"
        case .tags: "m.tags"
        case .language: "m.language"
        case .contentType: "p.content_type"
        case .licenseType: "p.license_type"
        }
    }
}

/// One material's value of an attribute, for ``MaterialPredicate/matches(_:)``.
enum AttributeReading {
    case text(String?)
    case number(Double?)
    case set(Set<String>)
}
