import CairnIngest
import CairnService
import Foundation

/// Typed, strict access to a JSON request body's fields: every error names the field by its path
/// (`filters.tags_any[2]`), and fields the route does not know are refused rather than ignored, so a typo
/// (`topk`) is a 400 and not a silent default.
struct RequestObject {
    let object: [String: Any]
    /// The path of this object in the body (`""` for the top level, `filters` for a nested one).
    let path: String
    private(set) var seen: Set<String> = []

    init(_ object: [String: Any], path: String = "") {
        self.object = object
        self.path = path
    }

    /// Parses `bytes` as a JSON object.
    static func parse(_ bytes: [UInt8]) throws(ServiceError) -> RequestObject {
        guard !bytes.isEmpty else { throw ServiceError(.invalid, "the request body is empty; send a JSON object") }
        let value: Any
        do {
            value = try JSONText.value(bytes)
        } catch {
            throw ServiceError(.invalid, "the request body is not valid JSON")
        }
        guard let object = value as? [String: Any] else {
            throw ServiceError(.invalid, "the request body must be a JSON object")
        }
        return RequestObject(object)
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func invalid(_ key: String, _ message: String) -> ServiceError {
        ServiceError(.invalid, "\"\(name(key))\" \(message)", field: name(key))
    }

    /// The raw value, nil when absent or JSON null.
    mutating func value(_ key: String) -> Any? {
        seen.insert(key)
        guard let v = object[key], !(v is NSNull) else { return nil }
        return v
    }

    /// A string of at most `maxLength` characters (Unicode scalars, as JSON Schema's maxLength counts).
    mutating func string(_ key: String, maxLength: Int = 65_536) throws(ServiceError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v as? String else { throw invalid(key, "must be a string") }
        guard s.unicodeScalars.count <= maxLength else { throw invalid(key, "is over \(maxLength) characters") }
        return s
    }

    /// A string that must be present, of `minLength` to `maxLength` characters, to be stored (so no U+0000: 422).
    mutating func required(_ key: String, maxLength: Int, minLength: Int = 1) throws(ServiceError) -> String {
        guard let value = try string(key, maxLength: maxLength) else {
            throw ServiceError(.invalid, "\"\(name(key))\" is missing", field: name(key))
        }
        guard value.unicodeScalars.count >= minLength else { throw invalid(key, "is empty") }
        try Self.refuseNUL(value, field: name(key))
        return value
    }

    mutating func bool(_ key: String) throws(ServiceError) -> Bool? {
        guard let v = value(key) else { return nil }
        // JSONSerialization gives booleans as NSNumber: only the two boolean literals count, not 0 or 1.
        guard let n = v as? NSNumber, MetadataFields.isJSONBoolean(n) else { throw invalid(key, "must be true or false") }
        return n.boolValue
    }

    mutating func int(_ key: String, _ range: ClosedRange<Int>) throws(ServiceError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let n = JSONNumber(v), n.isWhole, n.isWithin(-1e15, 1e15) else { throw invalid(key, "must be a whole number") }
        let int = Int(n.wholeValue ?? 0)
        guard range.contains(int) else {
            throw invalid(key, "is \(int); allowed: \(range.lowerBound) to \(range.upperBound)")
        }
        return int
    }

    mutating func number(_ key: String, _ range: ClosedRange<Double>) throws(ServiceError) -> Double? {
        guard let v = value(key) else { return nil }
        guard let n = JSONNumber(v), n.double.isFinite else { throw invalid(key, "must be a number") }
        guard n.isWithin(range.lowerBound, range.upperBound) else {
            throw invalid(key, "is \(n.number.stringValue); allowed: \(range.lowerBound) to \(range.upperBound)")
        }
        return n.double
    }

    mutating func strings(_ key: String, maxCount: Int = 10_000, nonEmpty: Bool = true) throws(ServiceError) -> [String]? {
        guard let v = value(key) else { return nil }
        guard let list = v as? [Any] else { throw invalid(key, "must be a list of strings") }
        guard !(nonEmpty && list.isEmpty) else { throw invalid(key, "is empty; leave it out to not filter by it") }
        guard list.count <= maxCount else { throw invalid(key, "has \(list.count) items; allowed: at most \(maxCount)") }
        var out: [String] = []
        for (i, item) in list.enumerated() {
            guard let s = item as? String else {
                throw ServiceError(.invalid, "\"\(name(key))[\(i)]\" must be a string", field: "\(name(key))[\(i)]")
            }
            out.append(s)
        }
        return out
    }

    mutating func ints(_ key: String, maxCount: Int = 10_000) throws(ServiceError) -> [Int64]? {
        guard let v = value(key) else { return nil }
        guard let list = v as? [Any] else { throw invalid(key, "must be a list of whole numbers") }
        guard !list.isEmpty else { throw invalid(key, "is empty; leave it out to not filter by it") }
        guard list.count <= maxCount else { throw invalid(key, "has \(list.count) items; allowed: at most \(maxCount)") }
        var out: [Int64] = []
        for (i, item) in list.enumerated() {
            guard let n = JSONNumber(item), n.isWhole, n.isWithin(1, Self.maxID)
            else {
                throw ServiceError(.invalid, "\"\(name(key))[\(i)]\" must be a whole number from 1 to 2^53-1",
                                   field: "\(name(key))[\(i)]")
            }
            out.append(n.wholeValue ?? 0)
        }
        return out
    }

    /// An id: a whole number from 1 to 2^53-1 (what a JSON number carries exactly).
    mutating func id(_ key: String) throws(ServiceError) -> Int64? {
        guard let v = value(key) else { return nil }
        guard let n = JSONNumber(v), n.isWhole, n.isWithin(1, Self.maxID) else {
            throw invalid(key, "must be a whole number from 1 to 2^53-1")
        }
        return n.wholeValue ?? 0
    }

    mutating func floats(_ key: String, maxCount: Int) throws(ServiceError) -> [Float]? {
        guard let v = value(key) else { return nil }
        guard let list = v as? [Any] else { throw invalid(key, "must be a list of numbers") }
        guard !list.isEmpty else { throw invalid(key, "is empty") }
        guard list.count <= maxCount else { throw invalid(key, "has \(list.count) numbers; allowed: at most \(maxCount)") }
        var out: [Float] = []
        out.reserveCapacity(list.count)
        for (i, item) in list.enumerated() {
            guard let n = JSONNumber(item), n.isWithin(-Self.maxComponent, Self.maxComponent) else {
                throw ServiceError(.invalid, "\"\(name(key))[\(i)]\" must be a number from -1e9 to 1e9",
                                   field: "\(name(key))[\(i)]")
            }
            out.append(Float(n.double))
        }
        return out
    }

    mutating func object(_ key: String) throws(ServiceError) -> RequestObject? {
        guard let v = value(key) else { return nil }
        guard let o = v as? [String: Any] else { throw invalid(key, "must be an object") }
        return RequestObject(o, path: name(key))
    }

    mutating func objects(_ key: String, maxCount: Int) throws(ServiceError) -> [RequestObject]? {
        guard let v = value(key) else { return nil }
        guard let list = v as? [Any] else { throw invalid(key, "must be a list of objects") }
        guard list.count <= maxCount else { throw invalid(key, "has \(list.count) items; allowed: at most \(maxCount)") }
        var out: [RequestObject] = []
        for (i, item) in list.enumerated() {
            guard let o = item as? [String: Any] else {
                throw ServiceError(.invalid, "\"\(name(key))[\(i)]\" must be an object", field: "\(name(key))[\(i)]")
            }
            out.append(RequestObject(o, path: "\(name(key))[\(i)]"))
        }
        return out
    }

    /// Refuses the fields that were never asked for.
    /// - Parameter hint: what else the request may hold, added to the list of fields in the message.
    func rejectUnknown(allowing extra: Set<String> = [], hint: String? = nil) throws(ServiceError) {
        let unknown = Set(object.keys).subtracting(seen).subtracting(extra).sorted()
        guard let first = unknown.first else { return }
        let known = seen.union(extra).sorted().joined(separator: ", ") + (hint.map { " " + $0 } ?? "")
        throw ServiceError(.invalid, "unknown field \"\(name(first))\"; this object takes: \(known)", field: name(first))
    }

    static func isBool(_ n: NSNumber) -> Bool { MetadataFields.isJSONBoolean(n) }

    /// A 422 when a string to be stored (or a string in a list of them) holds U+0000: the schema allows it,
    /// but Cairn stores no NUL characters (nor could its PostgreSQL mirror).
    static func refuseNUL(_ value: Any, field: String) throws(ServiceError) {
        let strings = (value as? String).map { [$0] } ?? (value as? [Any])?.compactMap { $0 as? String } ?? []
        guard strings.contains(where: { $0.utf8.contains(0) }) else { return }
        throw ServiceError(.unprocessable, "\"\(field)\" holds a NUL character (U+0000), which Cairn does not store",
                           field: field)
    }

    /// The largest magnitude of a vector component (a normalised embedding's are below 1).
    static let maxComponent = 1e9

    /// The largest id a JSON number carries exactly (2^53 - 1).
    static let maxID: Double = 9_007_199_254_740_991
}
