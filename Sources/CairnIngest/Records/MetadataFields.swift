public import Foundation

/// Reads a material's descriptive and provenance fields from a JSON object, a CSV row or command-line flags:
/// the one place where their names, aliases, types and allowed values are decided.
///
/// | field | type | notes |
/// |---|---|---|
/// | `owner`, `title`, `topic`, `source_uri`, `acquired_by` | string | numbers are accepted and written out |
/// | `tags` | array of strings, or one string split on `;` or `,` | trimmed, empty and repeated tags dropped |
/// | `lang` (or `language`) | BCP 47 tag | normalised by ``normalizeLanguage(_:)`` |
/// | `content_type` | one of ``ContentType`` | |
/// | `acquisition_method` | one of ``AcquisitionMethod`` | |
/// | `license_type` (or `license`, `licence`) | ``LicenseType`` | the ``LicenseType/known`` ids in any case |
/// | `retention_years` | integer 0...100 | |
/// | `external_share_consent`, `permission_flag` | boolean | also `true`/`false`/`yes`/`no`/`1`/`0` |
/// | `acquired_at` | ISO 8601 date or date-time | `2024-03-01`, `2024-03-01T09:30:00Z` |
///
/// JSON `null` and empty strings count as "not given". A value of the wrong type or outside the allowed
/// values is an ``IngestError/Kind/malformed`` error naming the field, the value and what is allowed.
public enum MetadataFields {
    /// Every key (aliases included) this type reads; record readers keep the others as extra fields.
    public static let keys: Set<String> = [
        "owner", "title", "topic", "tags", "lang", "language", "source_uri", "content_type", "acquisition_method",
        "license_type", "license", "licence", "retention_years", "external_share_consent", "permission_flag",
        "acquired_by", "acquired_at",
    ]

    /// Parses the metadata fields of a row of strings (a CSV row, a manifest line, command-line flags).
    ///
    /// - Parameters:
    ///   - fields: field name → value; names are matched as given (lower-case snake case).
    ///   - context: where the row comes from, prefixed to error messages (`"files.csv line 4"`).
    /// - Throws: ``IngestError/Kind/malformed`` for an invalid value.
    public static func parse(_ fields: [String: String], context: String) throws(IngestError) -> MaterialMetadata {
        try parse(object: fields.mapValues { $0 as Any }, context: context)
    }

    /// Parses the metadata fields of a JSON object as `JSONSerialization` returns it.
    /// - Throws: ``IngestError/Kind/malformed`` naming the field (also in ``IngestError/field``).
    public static func parse(object: [String: Any], context: String) throws(IngestError) -> MaterialMetadata {
        // U+0000 is stored nowhere (PostgreSQL's text, where the mirror copies metadata, cannot hold it).
        if let field = RecordReader.nulField(object) {
            throw IngestError(.malformed, "\(context): \"\(field)\" holds a NUL character (U+0000), which Cairn does not "
                + "store", field: field)
        }
        let f = FieldReader(object: object, context: context)
        var provenance = ProvenanceInput()
        provenance.sourceURI = try f.string("source_uri")
        if let raw = try f.string("content_type") {
            provenance.contentType = try f.choice(raw, field: "content_type", as: ContentType.self)
        }
        if let raw = try f.string("acquisition_method") {
            provenance.acquisitionMethod = try f.choice(raw, field: "acquisition_method", as: AcquisitionMethod.self)
        }
        if let (field, raw) = try f.firstString("license_type", "license", "licence") {
            provenance.licenseType = try license(raw, field: field, context: context)
        }
        provenance.retentionYears = try f.integer("retention_years", range: 0...100)
        provenance.externalShareConsent = try f.bool("external_share_consent")
        provenance.permissionFlag = try f.bool("permission_flag")
        provenance.acquiredBy = try f.string("acquired_by")
        if let at = try f.string("acquired_at") {
            guard isISO8601(at) else {
                throw f.invalid("acquired_at", at, allowed: "an ISO 8601 date or date-time such as 2024-03-01 or 2024-03-01T09:30:00Z")
            }
            provenance.acquiredAt = at
        }
        var language: String?
        if let (field, raw) = try f.firstString("lang", "language") {
            guard let tag = normalizeLanguage(raw) else {
                throw f.invalid(field, raw, allowed: "a language tag such as en, ko, zh-Hans or zh-Hant")
            }
            language = tag
        }
        return MaterialMetadata(
            owner: try f.string("owner"), title: try f.string("title"), topic: try f.string("topic"),
            tags: try f.tags("tags"), language: language, provenance: provenance)
    }

    /// Whether a number `JSONSerialization` returned is a JSON `true`/`false` (its objCType is "c"; numbers are
    /// "i", "q", "d").
    public static func isJSONBoolean(_ n: NSNumber) -> Bool {
        String(cString: n.objCType) == "c"
    }

    /// Normalises a BCP 47 language tag: `EN` → `en`, `en_us` → `en-US`, and Chinese to its script,
    /// which is what chunking and search care about: `zh`, `zh-CN`, `zh-SG`, `zh-Hans-CN` → `zh-Hans`;
    /// `zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant-TW` → `zh-Hant`. Nil when `raw` is not shaped like a tag.
    public static func normalizeLanguage(_ raw: String) -> String? {
        let parts = raw.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "_", omittingEmptySubsequences: false) }.map(String.init)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }),
              parts.dropFirst().allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } })
        else { return nil }
        let language = first.lowercased()
        let rest = Array(parts.dropFirst())
        if language == "zh" {
            let lowered = rest.map { $0.lowercased() }
            if lowered.contains("hant") || lowered.contains(where: { ["tw", "hk", "mo"].contains($0) }) { return "zh-Hant" }
            return "zh-Hans"
        }
        let subtags = rest.map { sub -> String in
            switch sub.count {
            case 4 where sub.allSatisfy(\.isLetter): sub.prefix(1).uppercased() + sub.dropFirst().lowercased()
            case 2 where sub.allSatisfy(\.isLetter): sub.uppercased()
            default: sub.lowercased()
            }
        }
        return ([language] + subtags).joined(separator: "-")
    }

    /// Whether `text` is exactly a language tag as the API takes it: 2 or 3 ASCII letters, then subtags of 1 to 8
    /// letters or digits after `-` or `_` (no surrounding space).
    public static func isLanguageTag(_ text: String) -> Bool {
        guard text.utf8.count <= 64 else { return false }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "_", omittingEmptySubsequences: false) }
        guard let first = parts.first, (2...3).contains(first.count),
              first.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic })
        else { return false }
        return parts.dropFirst().allSatisfy { part in
            (1...8).contains(part.unicodeScalars.count)
                && part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        }
    }

    /// Whether `text` is an RFC 3339 full date (`2024-03-01`) or date-time (`2024-03-01T09:30:00[.fff](Z|±HH:MM)`),
    /// what JSON Schema's `date` and `date-time` formats mean.
    public static func isRFC3339(_ text: String) -> Bool {
        let s = Array(text.utf8)
        if s.count == 10 { return isISO8601(text) }
        guard s.count >= 20, s[10] == 84 || s[10] == 116, s[16] == 58, s[13] == 58,
              [46, 90, 122, 43, 45].contains(s[19]), isISO8601(text)
        else { return false }
        // isISO8601 checked the fields; RFC 3339 also wants the seconds and an offset.
        let tail = s[19...]
        guard let last = tail.last else { return false }
        return last == 90 || last == 122 || (tail.count >= 6 && s[s.count - 3] == 58
            && (s[s.count - 6] == 43 || s[s.count - 6] == 45))
    }

    /// Whether `text` is an ISO 8601 calendar date (`YYYY-MM-DD`) or date-time (`YYYY-MM-DDTHH:MM[:SS[.fff]]`
    /// with an optional `Z` or `±HH:MM` offset; a space may stand for the `T`), with real month and day values.
    public static func isISO8601(_ text: String) -> Bool {
        let s = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= s.count else { return nil }
            var value = 0
            for i in range {
                guard (48...57).contains(s[i]) else { return nil }
                value = value * 10 + Int(s[i] - 48)
            }
            return value
        }
        guard s.count >= 10, let year = number(0..<4), s[4] == 45, let month = number(5..<7), s[7] == 45,
              let day = number(8..<10), (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard day <= days else { return false }
        if s.count == 10 { return true }
        guard s[10] == 84 || s[10] == 116 || s[10] == 32, let hour = number(11..<13), s.count > 13, s[13] == 58,
              let minute = number(14..<16), hour <= 23, minute <= 59
        else { return false }
        var i = 16
        if i < s.count, s[i] == 58 {
            guard let second = number(i + 1..<i + 3), second <= 60 else { return false }
            i += 3
            if i < s.count, s[i] == 46 || s[i] == 44 {
                let start = i + 1
                i = start
                while i < s.count, (48...57).contains(s[i]) { i += 1 }
                guard i > start else { return false }
            }
        }
        if i == s.count { return true }
        if (s[i] == 90 || s[i] == 122) && i + 1 == s.count { return true }
        guard s[i] == 43 || s[i] == 45, let oh = number(i + 1..<i + 3), oh <= 23 else { return false }
        i += 3
        if i == s.count { return true }
        if s[i] == 58 { i += 1 }
        guard let om = number(i..<i + 2), om <= 59, i + 2 == s.count else { return false }
        return true
    }

    private static func license(_ raw: String, field: String, context: String) throws(IngestError) -> LicenseType {
        if let known = LicenseType.known.first(where: { $0.caseInsensitiveCompare(raw) == .orderedSame }) {
            return LicenseType(rawValue: known)!
        }
        guard let license = LicenseType(rawValue: raw) else {
            throw IngestError(.malformed, "\(context): \"\(field)\" is \"\(raw)\"; allowed: an identifier of letters, digits, "
                + "'.', '-', '+' such as \(LicenseType.known.joined(separator: ", "))", field: field)
        }
        return license
    }
}

/// Typed access to one JSON object's (or string row's) fields, with errors that name the field.
struct FieldReader {
    var object: [String: Any]
    var context: String

    func invalid(_ field: String, _ value: Any, allowed: String) -> IngestError {
        IngestError(.malformed, "\(context): \"\(field)\" is \(Self.describe(value)); allowed: \(allowed)", field: field)
    }

    /// The value of `field`, nil when absent, JSON null or an empty string.
    func value(_ field: String) -> Any? {
        guard let v = object[field], !(v is NSNull) else { return nil }
        if let s = v as? String, s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return nil }
        return v
    }

    func string(_ field: String) throws(IngestError) -> String? {
        guard let v = value(field) else { return nil }
        if let s = v as? String { return s.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let n = v as? NSNumber, !Self.isBool(n) { return n.stringValue }
        throw invalid(field, v, allowed: "a string")
    }

    /// The first of `fields` that is given, with its name.
    func firstString(_ fields: String...) throws(IngestError) -> (String, String)? {
        for field in fields {
            if let s = try string(field) { return (field, s) }
        }
        return nil
    }

    func choice<T: RawRepresentable & CaseIterable>(_ raw: String, field: String, as: T.Type) throws(IngestError) -> T
    where T.RawValue == String {
        if let v = T(rawValue: raw.lowercased()) { return v }
        throw invalid(field, raw, allowed: T.allCases.map(\.rawValue).joined(separator: ", "))
    }

    func integer(_ field: String, range: ClosedRange<Int>) throws(IngestError) -> Int? {
        guard let v = value(field) else { return nil }
        var result: Int?
        if let n = v as? NSNumber, !Self.isBool(n), n.doubleValue == n.doubleValue.rounded(), abs(n.doubleValue) < 1e9 {
            result = n.intValue
        } else if let s = v as? String {
            result = Int(s.trimmingCharacters(in: .whitespaces))
        }
        guard let result, range.contains(result) else {
            throw invalid(field, v, allowed: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return result
    }

    func bool(_ field: String) throws(IngestError) -> Bool? {
        guard let v = value(field) else { return nil }
        if let n = v as? NSNumber {
            if Self.isBool(n) || ((n.intValue == 0 || n.intValue == 1) && n.doubleValue == Double(n.intValue)) {
                return n.intValue != 0
            }
        } else if let s = v as? String {
            switch s.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "yes", "y", "1": return true
            case "false", "no", "n", "0": return false
            default: break
            }
        }
        throw invalid(field, v, allowed: "true or false")
    }

    func tags(_ field: String) throws(IngestError) -> [String] {
        guard let v = value(field) else { return [] }
        var raw: [String] = []
        if let s = v as? String {
            raw = s.split(whereSeparator: { $0 == ";" || $0 == "," }).map(String.init)
        } else if let array = v as? [Any] {
            for element in array {
                if let s = element as? String { raw.append(s) }
                else if let n = element as? NSNumber, !Self.isBool(n) { raw.append(n.stringValue) }
                else if !(element is NSNull) { throw invalid(field, v, allowed: "a list of strings, or one string split on ';' or ','") }
            }
        } else {
            throw invalid(field, v, allowed: "a list of strings, or one string split on ';' or ','")
        }
        return Self.uniqueTags(raw)
    }

    /// Trimmed, non-empty, first occurrence kept.
    static func uniqueTags(_ raw: [String]) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for tag in raw {
            let t = tag.trimmingCharacters(in: .whitespacesAndNewlines)
            if !t.isEmpty, seen.insert(t).inserted { result.append(t) }
        }
        return result
    }

    static func isBool(_ n: NSNumber) -> Bool { MetadataFields.isJSONBoolean(n) }

    static func describe(_ value: Any) -> String {
        switch value {
        case let s as String: "\"\(s.count > 60 ? String(s.prefix(60)) + "…" : s)\""
        case let n as NSNumber: isBool(n) ? (n.boolValue ? "true" : "false") : n.stringValue
        case is [Any]: "a list"
        case is [String: Any]: "an object"
        default: "\(value)"
        }
    }
}
