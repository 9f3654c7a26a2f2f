import Foundation

/// The record formats ``RecordReader`` reads; raw values are the file-type names (`json`, `jsonl`, `csv`).
public enum RecordFormat: String, Sendable, Hashable, CaseIterable {
    case json, jsonl, csv

    /// The format of a file name's extension (`.json`; `.jsonl` or `.ndjson`; `.csv`), any case.
    public init?(fileName: String) {
        guard let type = MaterialFileType.byExtension[(fileName as NSString).pathExtension.lowercased()] else {
            return nil
        }
        self.init(rawValue: type.rawValue)
    }
}

/// One record of a record file: where it is and what became of it.
public struct RecordResult: Sendable {
    /// 1-based: the line for JSONL and CSV (where the record starts), the position in the list for JSON.
    public var number: Int
    /// The material, or why this record was skipped.
    public var result: Result<MaterialRecord, IngestError>

    public init(number: Int, result: Result<MaterialRecord, IngestError>) {
        self.number = number
        self.result = result
    }
}

/// Reads record files — JSON, JSONL and CSV — into one ``MaterialRecord`` per record.
///
/// A record is an item-bank record (``ItemBankRecords``) when it has `stem_rich` or `id_str`, else a generic
/// one (``GenericRecords``). A bad record (malformed JSON line, missing text, invalid licence) is reported
/// with its line or position and skipped; the others are still read. Only a file where no record can be
/// read fails as a whole.
///
/// ```swift
/// for r in try RecordReader.read(bytes, format: .jsonl, displayName: "bank.jsonl") {
///     switch r.result {
///     case .success(let record): store(record)
///     case .failure(let error): log(error)          // "bank.jsonl line 17: missing \"stem_rich\" …"
///     }
/// }
/// ```
public enum RecordReader {
    /// Reads every record of a file.
    ///
    /// - Parameters:
    ///   - bytes: the file's content (a UTF-8 byte-order mark is skipped).
    ///   - format: `.json` — an array of records, `{"items": […]}` (or `"records"`), or one record;
    ///     `.jsonl` — one record per line, blank lines skipped; `.csv` — see ``CSVReader``: with a `text`
    ///     column one record per row, without one a single record (no external id, no metadata) holding
    ///     ``CSVReader/tableText(_:)``.
    ///   - displayName: the file's name as messages show it.
    /// - Throws: ``IngestError/Kind/emptyContent`` when the file holds no record; when every record failed,
    ///   that error for a single record, else ``IngestError/Kind/malformed`` summing up the failures.
    public static func read(_ bytes: [UInt8], format: RecordFormat, displayName: String) throws(IngestError) -> [RecordResult] {
        let results: [RecordResult]
        switch format {
        case .json: results = try readJSON(bytes, displayName: displayName)
        case .jsonl: results = readJSONLines(bytes, displayName: displayName)
        case .csv:
            let table = try CSVReader.parse(bytes, displayName: displayName)
            if let rows = CSVReader.records(table, displayName: displayName) {
                results = rows
            } else {
                let text = CSVReader.tableText(table)
                guard !text.text.isEmpty else { throw IngestError(.emptyContent, "\(displayName): the CSV file has no data rows") }
                results = [RecordResult(number: 1, result: .success(
                    MaterialRecord(externalID: nil, metadata: MaterialMetadata(), extracted: text)))]
            }
        }
        guard !results.isEmpty else { throw IngestError(.emptyContent, "\(displayName): the file holds no records") }
        let failures = results.compactMap { r -> IngestError? in
            if case .failure(let e) = r.result { return e } else { return nil }
        }
        if failures.count == results.count {
            if failures.count == 1 { throw failures[0] }
            throw IngestError(.malformed, "\(displayName): none of its \(results.count) records could be read; "
                + "the first failure: \(failures[0].message)")
        }
        return results
    }

    /// The material of one decoded record object.
    static func record(_ value: Any, context: String) -> Result<MaterialRecord, IngestError> {
        guard let object = value as? [String: Any] else {
            return .failure(IngestError(.malformed, "\(context): expected a JSON object, found \(FieldReader.describe(value))"))
        }
        if let field = nulField(object) {
            return .failure(IngestError(.malformed, "\(context): \"\(field)\" holds a NUL character (U+0000), which Cairn "
                + "does not store", field: field))
        }
        return Result { () throws(IngestError) in
            ItemBankRecords.isItemBankRecord(object)
                ? try ItemBankRecords.record(from: object, context: context)
                : try GenericRecords.record(from: object, context: context)
        }
    }

    /// The first field (dotted path) whose string, or a string inside it, holds U+0000.
    static func nulField(_ value: Any, path: String = "") -> String? {
        switch value {
        case let s as String:
            return s.utf8.contains(0) ? (path.isEmpty ? "record" : path) : nil
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if key.utf8.contains(0) { return path.isEmpty ? "record" : path }
                if let found = nulField(object[key]!, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
            return nil
        case let list as [Any]:
            for (i, item) in list.enumerated() {
                if let found = nulField(item, path: "\(path)[\(i)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }

    private static func readJSON(_ bytes: [UInt8], displayName: String) throws(IngestError) -> [RecordResult] {
        let value: Any
        do {
            value = try JSONText.value(bytes)
        } catch {
            throw IngestError(.malformed, "\(displayName): not valid JSON (\(jsonReason(error)))")
        }
        var list: [Any]
        if let array = value as? [Any] {
            list = array
        } else if let object = value as? [String: Any] {
            if let items = (object["items"] ?? object["records"]) as? [Any] { list = items } else { list = [object] }
        } else {
            throw IngestError(.malformed, "\(displayName): expected a JSON array or object, found \(FieldReader.describe(value))")
        }
        return list.enumerated().map { i, element in
            RecordResult(number: i + 1, result: record(element, context: "\(displayName) record \(i + 1)"))
        }
    }

    private static func readJSONLines(_ bytes: [UInt8], displayName: String) -> [RecordResult] {
        var results: [RecordResult] = []
        var lineNumber = 0
        for line in TextDecoding.droppingUTF8BOM(bytes[...]).split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            let body = line.last == 13 ? line.dropLast() : line
            guard body.contains(where: { $0 != 32 && $0 != 9 }) else { continue }
            let context = "\(displayName) line \(lineNumber)"
            do {
                let value = try JSONText.value(body)
                results.append(RecordResult(number: lineNumber, result: record(value, context: context)))
            } catch {
                results.append(RecordResult(number: lineNumber, result: .failure(
                    IngestError(.malformed, "\(context): not valid JSON (\(jsonReason(error)))"))))
            }
        }
        return results
    }

    /// Foundation's reason for a JSON parse failure, without its boilerplate.
    private static func jsonReason(_ error: any Error) -> String {
        let ns = error as NSError
        let detail = ns.userInfo[NSDebugDescriptionErrorKey] as? String ?? ns.localizedDescription
        return detail.count > 160 ? String(detail.prefix(160)) + "…" : detail
    }
}
