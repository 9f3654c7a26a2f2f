import Foundation

/// A parsed CSV file: its header and its rows, each with the line it starts on.
public struct CSVTable: Sendable, Hashable {
    /// The first row's cells, trimmed.
    public var header: [String]
    /// The data rows (blank lines skipped), each as many cells as it had.
    public var rows: [Row]

    /// One data row.
    public struct Row: Sendable, Hashable {
        /// 1-based line of the file where the row starts (a quoted field may span lines).
        public var line: Int
        public var cells: [String]
    }

    /// The index of the `text` (or else `content`) column, matched without regard to case; nil when the
    /// table has none, and so is one material rather than one record per row.
    public var textColumn: Int? {
        let names = header.map { $0.lowercased() }
        return names.firstIndex(of: "text") ?? names.firstIndex(of: "content")
    }
}

/// Reads CSV files as RFC 4180 describes them: comma-separated, fields optionally in double quotes,
/// `""` for a quote inside a quoted field, line breaks inside quoted fields, CRLF or LF line ends, an
/// optional UTF-8 byte-order mark; the first row is the header.
///
/// The reader is forgiving where RFC 4180 is strict and spreadsheets are sloppy: a quote inside an unquoted
/// field is taken literally, characters after a closing quote are appended to the field. Text that is not
/// UTF-8 is read as Latin-1 (what older spreadsheet exports use). An unterminated quote fails the file.
public enum CSVReader {
    /// Parses `bytes` into a header and rows.
    ///
    /// - Throws: ``IngestError/Kind/emptyContent`` for a file without a header row,
    ///   ``IngestError/Kind/malformed`` for an unterminated quoted field (naming its line).
    public static func parse(_ bytes: [UInt8], displayName: String) throws(IngestError) -> CSVTable {
        let body = TextDecoding.droppingUTF8BOM(bytes[...])
        let text = String(validating: body, as: UTF8.self)
            ?? String(String.UnicodeScalarView(body.map { Unicode.Scalar($0) }))
        var rows: [CSVTable.Row] = []
        var cells: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, rowLine = 1, quoteLine = 1
        var inQuotes = false, fieldWasQuoted = false, rowHasContent = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar?

        func endField() {
            cells.append(String(field))
            field = String.UnicodeScalarView()
            fieldWasQuoted = false
        }
        func endRow() {
            endField()
            if rowHasContent || cells.count > 1 || !(cells.first ?? "").isEmpty {
                rows.append(CSVTable.Row(line: rowLine, cells: cells))
            }
            cells = []
            rowHasContent = false
        }

        while let c = pending ?? scalars.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    let next = scalars.next()
                    if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                inQuotes = true
                fieldWasQuoted = true
                rowHasContent = true
                quoteLine = line
            case ",":
                endField()
                rowHasContent = true
            case "\r", "\n":
                if c == "\r" {
                    let next = scalars.next()
                    if next != "\n" { pending = next }
                }
                endRow()
                line += 1
                rowLine = line
            default:
                field.append(c)
            }
        }
        if inQuotes {
            throw IngestError(.malformed, "\(displayName) line \(quoteLine): a quoted field is never closed")
        }
        if rowHasContent || !field.isEmpty { endRow() }
        guard let first = rows.first else { throw IngestError(.emptyContent, "\(displayName): the CSV file is empty") }
        return CSVTable(header: first.cells.map { $0.trimmingCharacters(in: .whitespaces) }, rows: Array(rows.dropFirst()))
    }

    /// One generic record per row of a table with a `text` (or `content`) column.
    ///
    /// Each row's cells become the fields of a generic record (``GenericRecords``) under their header's name
    /// (lower-cased, spaces as `_`); empty cells are "not given"; `tags` is split on `;` or `,`. A row with
    /// more cells than the header fails (it was most likely cut wrongly); fewer cells are empty.
    /// Nil when the table has no text column.
    public static func records(_ table: CSVTable, displayName: String) -> [RecordResult]? {
        guard table.textColumn != nil else { return nil }
        let keys = table.header.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }
        return table.rows.map { row in
            let context = "\(displayName) line \(row.line)"
            guard row.cells.count <= keys.count else {
                return RecordResult(number: row.line, result: .failure(IngestError(
                    .malformed, "\(context): \(row.cells.count) fields but the header has \(keys.count)")))
            }
            var object: [String: Any] = [:]
            for (key, cell) in zip(keys, row.cells) where !key.isEmpty && !cell.isEmpty {
                object[key] = cell
            }
            return RecordResult(number: row.line, result: Result { () throws(IngestError) in
                try GenericRecords.record(from: object, context: context)
            })
        }
    }

    /// The text of a table without a text column, as one material: one line per row,
    /// `"header: value; header: value"`, empty cells left out (cells beyond the header are named
    /// `column N`), line breaks inside a cell turned into spaces.
    public static func tableText(_ table: CSVTable) -> ExtractedText {
        var lines: [String] = []
        for row in table.rows {
            var parts: [String] = []
            for (i, cell) in row.cells.enumerated() {
                let value = cell.split(whereSeparator: \.isNewline).joined(separator: " ")
                    .trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty else { continue }
                let name = i < table.header.count && !table.header[i].isEmpty ? table.header[i] : "column \(i + 1)"
                parts.append("\(name): \(value)")
            }
            if !parts.isEmpty { lines.append(parts.joined(separator: "; ")) }
        }
        return ExtractedText(text: lines.joined(separator: "\n"))
    }
}
