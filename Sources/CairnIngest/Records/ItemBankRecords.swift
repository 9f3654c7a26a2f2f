import Foundation

/// Reads item-bank records — one material per test item — from JSON objects:
///
/// ```json
/// {"id_str": "MATH-ALG-001", "bank_id": "SAT_MATH", "lang": "en",
///  "stem_rich": {"html": "<p>Solve 2x + 1 = 5.</p>"},
///  "options_rich": [{"key": "A", "text": "x = 1"}, {"key": "B", "html": "<b>x = 2</b>"}],
///  "answer_key": {"correct": ["B"]}, "topic_tags": ["algebra", "linear-equations"]}
/// ```
///
/// becomes a ``MaterialRecord`` with
/// - `externalID` = `id_str` (or `external_id`, `id`);
/// - text = the stem's plain text, a blank line, then one line per option, `"A. x = 1"`, so a question is
///   found by its options too; the stem is `stem_rich` as `{"html": …}`, `{"text": …}` or an HTML string,
///   or a plain `stem` string; options come from `options_rich` (or `options`), each `{"key", "text"}` or
///   `{"key", "html"}` or a bare string, keyed A, B, C… by position when the key is missing;
/// - title = a `title` field, else the stem's first 80 characters (cut at a word);
/// - language = `lang` (normalised: `zh-CN` → `zh-Hans`, `zh-TW` → `zh-Hant`, see
///   ``MetadataFields/normalizeLanguage(_:)``);
/// - tags = `tags`, then `topic_tags`, then `bank:<bank_id>`, so a search can be limited to one bank with
///   the ordinary tag filter while topic tags stay plain;
/// - topic = a `topic` field, else the first topic tag;
/// - extraJSON = `{"answer_key", "bank_id", "options"}` (options as given) plus any field no reader knows,
///   as compact JSON with sorted keys;
/// - provenance from the top-level fields, as for generic records (``MetadataFields``).
public enum ItemBankRecords {
    /// The keys an item-bank record reads itself, beyond ``MetadataFields/keys``.
    public static let keys: Set<String> = MetadataFields.keys.union([
        "id_str", "external_id", "id", "stem_rich", "stem", "options_rich", "options", "answer_key", "topic_tags",
        "bank_id",
    ])

    /// Whether `object` is an item-bank record (it has `stem_rich` or `id_str`) rather than a generic one.
    public static func isItemBankRecord(_ object: [String: Any]) -> Bool {
        object["stem_rich"] != nil || object["id_str"] != nil
    }

    /// The material of one item.
    ///
    /// - Throws: ``IngestError/Kind/emptyContent`` when the stem is missing or blank,
    ///   ``IngestError/Kind/malformed`` for a field of the wrong shape or an invalid metadata value.
    public static func record(from object: [String: Any], context: String) throws(IngestError) -> MaterialRecord {
        let fields = FieldReader(object: object, context: context)
        var metadata = try MetadataFields.parse(object: object, context: context)
        let externalID = try fields.firstString("id_str", "external_id", "id")?.1
        let stem = try stemText(fields)
        let optionsField = object["options_rich"] != nil ? "options_rich" : "options"
        let options = try optionLines(fields.value(optionsField), field: optionsField, fields: fields)
        var text = stem
        if !options.isEmpty { text += "\n\n" + options.joined(separator: "\n") }

        let topicTags = try fields.tags("topic_tags")
        let bankID = try fields.string("bank_id")
        metadata.tags = FieldReader.uniqueTags(metadata.tags + topicTags + (bankID.map { ["bank:\($0)"] } ?? []))
        if metadata.topic == nil { metadata.topic = topicTags.first }
        if metadata.title == nil { metadata.title = RecordText.title(stem) }

        var extra = object.filter { !keys.contains($0.key) && !($0.value is NSNull) }
        if let bankID { extra["bank_id"] = bankID }
        if let raw = fields.value(optionsField) { extra["options"] = raw }
        if let answer = fields.value("answer_key") { extra["answer_key"] = answer }
        return MaterialRecord(externalID: externalID, metadata: metadata, extracted: ExtractedText(text: text),
                              extraJSON: RecordText.compactJSON(extra))
    }

    private static func stemText(_ fields: FieldReader) throws(IngestError) -> String {
        let context = fields.context
        var text: String?
        if let rich = fields.value("stem_rich") {
            text = try richText(rich, field: "stem_rich", fields: fields)
        } else if let plain = try fields.string("stem") {
            text = RecordText.normalized(plain)
        } else {
            throw IngestError(.emptyContent, "\(context): missing \"stem_rich\" (the item has no question text)")
        }
        guard let text, !text.isEmpty else {
            throw IngestError(.emptyContent, "\(context): \"stem_rich\" holds no text")
        }
        return text
    }

    /// Plain text of a rich-text value: `{"html": …}`, `{"text": …}` or an HTML string.
    private static func richText(_ value: Any, field: String, fields: FieldReader) throws(IngestError) -> String {
        if let html = value as? String { return HTMLExtractor.plainText(fromHTMLFragment: html) }
        if let object = value as? [String: Any] {
            if let html = object["html"] as? String { return HTMLExtractor.plainText(fromHTMLFragment: html) }
            if let text = object["text"] as? String { return RecordText.normalized(text) }
        }
        throw fields.invalid(field, value, allowed: "{\"html\": \"…\"}, {\"text\": \"…\"} or an HTML string")
    }

    /// `"A. x = 2"` per option, keyed by position when an option has no key.
    private static func optionLines(_ value: Any?, field: String, fields: FieldReader) throws(IngestError) -> [String] {
        guard let value else { return [] }
        guard let options = value as? [Any] else {
            throw fields.invalid(field, value, allowed: "a list of {\"key\", \"text\"} or {\"key\", \"html\"} objects")
        }
        var lines: [String] = []
        for (position, option) in options.enumerated() {
            var key: String?
            var body: String
            if let object = option as? [String: Any] {
                key = (object["key"] as? String) ?? (object["label"] as? String)
                body = try richText(object, field: "\(field)[\(position)]", fields: fields)
            } else if let plain = option as? String {
                body = HTMLExtractor.plainText(fromHTMLFragment: plain)
            } else {
                throw fields.invalid("\(field)[\(position)]", option, allowed: "{\"key\", \"text\"} or {\"key\", \"html\"}")
            }
            body = body.split(whereSeparator: \.isNewline).joined(separator: " ")
            let label = key?.trimmingCharacters(in: .whitespaces).nonEmpty ?? positionKey(position)
            lines.append("\(label). \(body)")
        }
        return lines
    }

    /// A, B, …, Z, AA, AB, …
    private static func positionKey(_ position: Int) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return position < 26 ? String(letters[position]) : String(letters[position / 26 - 1]) + String(letters[position % 26])
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
