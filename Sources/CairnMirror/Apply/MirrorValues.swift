import CairnPostgres
import CairnSQL

/// Column values from a store row (SQLite) to PostgreSQL parameters, and back from PostgreSQL binary cells.
enum MirrorValues {
    /// The value of column `index` of the row `statement` is on, as PostgreSQL takes it.
    static func postgres(_ statement: SQLiteStatement, _ index: Int, _ column: MirrorTable.Column, table: MirrorTable,
                         dimension: Int) throws(MirrorError) -> PostgresValue {
        if statement.isNull(at: index) { return .null }
        switch column.kind {
        case .bigint:
            return .int8(statement.int64(at: index))
        case .integer:
            return .int4(Int32(clamping: statement.int64(at: index)))
        case .text, .enumeration:
            return .text(statement.string(at: index) ?? "")
        case .json:
            return .jsonb(statement.string(at: index) ?? "null")
        case .bool:
            return .bool(statement.int64(at: index) != 0)
        case .timestamp:
            let text = statement.string(at: index) ?? ""
            guard let micros = Timestamps.microseconds(text) else {
                throw MirrorError(.failure, "\(table.name) row \(statement.int64(at: 0)): \(column.name) \"\(text)\" is not an "
                    + "RFC 3339 time")
            }
            return .timestamptz(microsecondsSince1970: micros)
        case .double:
            return .float8(statement.double(at: index))
        case .numeric:
            return .numeric(statement.string(at: index) ?? "")
        case .date:
            let text = statement.string(at: index) ?? ""
            guard let days = Timestamps.days(text) else {
                throw MirrorError(.failure, "\(table.name) row \(statement.int64(at: 0)): \(column.name) \"\(text)\" is not a "
                    + "date (YYYY-MM-DD)")
            }
            return .date(daysSince1970: days)
        case .vector:
            let vector = statement.withBlob(at: index) { raw -> [Float]? in
                guard raw.count == 4 * dimension else { return nil }
                return (0..<dimension).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            guard let vector else {
                throw MirrorError(.configuration, "\(table.name) row \(statement.int64(at: 0)): its \(column.name) is not "
                    + "\(dimension) float32 values")
            }
            return .vector(vector)
        }
    }

    /// Column `index` of a PostgreSQL binary result row as the store keeps it.
    static func sqlite(_ result: PostgresResult, _ row: Int, _ index: Int, _ column: MirrorTable.Column)
        throws(MirrorError) -> SQLValue {
        if result.isNull(row, index) { return .null }
        let raw = result.bytes(row, index)
        switch column.kind {
        case .bigint, .integer:
            return .integer(result.binaryInt64(row, index) ?? 0)
        case .text, .enumeration:
            return .text(String(decoding: raw, as: UTF8.self))
        case .json:
            // jsonb's binary form is a version byte (1) and the text.
            guard raw.first == 1 else { throw MirrorError(.failure, "\(column.name): an unknown jsonb format") }
            return .text(String(decoding: UnsafeRawBufferPointer(rebasing: raw.dropFirst()), as: UTF8.self))
        case .bool:
            return .integer(raw.first == 1 ? 1 : 0)
        case .timestamp:
            guard let since2000 = result.binaryInt64(row, index) else { return .null }
            return .text(Timestamps.text(microseconds: since2000 + 946_684_800_000_000))
        case .double:
            guard let bits = result.binaryInt64(row, index) else { return .null }
            return .real(Double(bitPattern: UInt64(bitPattern: bits)))
        case .numeric:
            guard let text = PostgresNumeric.text(raw) else { throw MirrorError(.failure, "\(column.name): not a finite numeric") }
            return .text(text)
        case .date:
            guard let since2000 = result.binaryInt64(row, index) else { return .null }
            return .text(Timestamps.day(daysSince1970: since2000 + 10_957))
        case .vector:
            let vector: [Float]
            do {
                vector = try result.binaryVector(row, index) ?? []
            } catch {
                throw MirrorError(.failure, "\(column.name): \(error)")
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(4 * vector.count)
            for component in vector {
                withUnsafeBytes(of: component.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
            return .blob(bytes)
        }
    }
}
