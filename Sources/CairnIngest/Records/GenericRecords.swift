import Foundation

/// Reads generic records — one material each — from JSON objects:
///
/// ```json
/// {"external_id": "doc-17", "title": "Photosynthesis", "text": "Plants turn light into…", "owner": "t1",
///  "topic": "biology", "tags": ["plants", "energy"], "lang": "en", "license_type": "CC-BY-4.0"}
/// ```
///
/// `text` (or `content`) is required and must hold more than white space; `external_id` (or `id`) is kept
/// and returned with every search result; the metadata and provenance fields are those of
/// ``MetadataFields``. Every other field is kept, as compact JSON with sorted keys, in
/// ``MaterialRecord/extraJSON``.
public enum GenericRecords {
    /// The keys a generic record reads itself; all others go to ``MaterialRecord/extraJSON``.
    public static let keys: Set<String> = MetadataFields.keys.union(["external_id", "id", "text", "content"])

    /// The material of one generic record.
    ///
    /// - Parameters:
    ///   - object: the record as `JSONSerialization` returns it (a CSV row passes its cells as strings).
    ///   - context: where the record comes from, prefixed to error messages (`"notes.jsonl line 3"`).
    /// - Throws: ``IngestError/Kind/emptyContent`` when the text is missing or blank,
    ///   ``IngestError/Kind/malformed`` for a field of the wrong type or an invalid value.
    public static func record(from object: [String: Any], context: String) throws(IngestError) -> MaterialRecord {
        let fields = FieldReader(object: object, context: context)
        let metadata = try MetadataFields.parse(object: object, context: context)
        let externalID = try fields.firstString("external_id", "id")?.1
        guard let (_, raw) = try fields.firstString("text", "content") else {
            if let given = ["text", "content"].first(where: { object[$0] is String }) {
                throw IngestError(.emptyContent, "\(context): \"\(given)\" is blank")
            }
            throw IngestError(.emptyContent, "\(context): missing \"text\" (the record has no text to index)")
        }
        // `firstString` gives trimmed, non-empty text, so nothing below can empty it.
        let text = RecordText.normalized(raw)
        let extra = object.filter { !keys.contains($0.key) && !($0.value is NSNull) }
        return MaterialRecord(externalID: externalID, metadata: metadata, extracted: ExtractedText(text: text),
                              extraJSON: RecordText.compactJSON(extra))
    }
}

/// Small text helpers the record readers share.
enum RecordText {
    /// `raw` with CRLF and CR line ends turned into LF and white space trimmed at both ends.
    static func normalized(_ raw: String) -> String {
        TextDecoding.normalizingLineEndings(raw).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Compact JSON with sorted keys (so equal records give equal text), or nil for an empty object.
    static func compactJSON(_ object: [String: Any]) -> String? {
        guard !object.isEmpty, JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// `text` with white space (line breaks included) collapsed, cut at a word boundary to at most `limit`
    /// characters (text without spaces, such as Chinese, is cut at `limit`), with "…" when cut.
    static func title(_ text: String, limit: Int = 80) -> String {
        let collapsed = TextDecoding.collapsingWhitespace(text)
        guard collapsed.count > limit else { return collapsed }
        let cut = collapsed.prefix(limit)
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) >= limit / 2 {
            return String(cut[..<space]) + "…"
        }
        return String(cut) + "…"
    }
}
