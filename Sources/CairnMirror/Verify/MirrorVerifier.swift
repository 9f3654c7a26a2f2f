public import CairnPostgres
public import CairnSQL
import Foundation

/// Compares the store with its mirror, table by table: the same keys on both sides, and for every row a
/// digest of all its columns — for a chunk, its text, offsets, locators and every bit of its vector — read in
/// one canonical form from each side (times as microseconds, JSON with sorted keys, vectors as float32 bits).
public enum MirrorVerifier {
    /// One table's comparison.
    public struct TableReport: Sendable, Equatable {
        public var table: String
        public var storeRows: Int
        public var mirrorRows: Int
        /// Rows only in the store, only in the mirror, or different.
        public var divergent: Int
    }

    public struct Report: Sendable {
        public var tables: [TableReport]
        /// The first divergent rows, named (`material_chunks 17: differs`, `materials 4: missing from the mirror`).
        public var examples: [String]

        public var isEqual: Bool { tables.allSatisfy { $0.divergent == 0 } }
    }

    /// Compares every mirrored table; names at most `examples` divergent rows.
    public static func verify(store: SQLiteDatabase, mirror pg: PostgresConnection, examples limit: Int = 10)
        throws(MirrorError) -> Report {
        var report = Report(tables: [], examples: [])
        for table in MirrorTable.all {
            let local = try MirrorOutbox.wrap("reading \(table.name) from the store") { try storeDigests(table, store) }
            let remote = try MirrorApplier.postgres("reading \(table.qualified)") { try mirrorDigests(table, pg) }
            var divergent = 0
            var i = 0, j = 0
            func note(_ text: String) {
                divergent += 1
                if report.examples.count < limit { report.examples.append(text) }
            }
            while i < local.count || j < remote.count {
                if j == remote.count || (i < local.count && local[i].key < remote[j].key) {
                    note("\(table.name) \(table.key) \(local[i].key): missing from the mirror")
                    i += 1
                } else if i == local.count || remote[j].key < local[i].key {
                    note("\(table.name) \(table.key) \(remote[j].key): in the mirror but not in the store")
                    j += 1
                } else {
                    if local[i].digest != remote[j].digest { note("\(table.name) \(table.key) \(local[i].key): differs") }
                    i += 1
                    j += 1
                }
            }
            report.tables.append(TableReport(table: table.name, storeRows: local.count, mirrorRows: remote.count,
                                             divergent: divergent))
        }
        return report
    }

    struct Digest {
        var key: Int64
        var digest: UInt64
    }

    static func storeDigests(_ table: MirrorTable, _ database: SQLiteDatabase) throws -> [Digest] {
        var out: [Digest] = []
        try database.withStatement("SELECT \(table.columnList) FROM \(table.name) ORDER BY \(table.key)") { statement in
            try statement.forEachRow { row in
                var hasher = RowDigest()
                for (index, column) in table.columns.enumerated() {
                    hasher.add(row.value(at: index), column.kind)
                }
                out.append(Digest(key: row.int64(at: 0), digest: hasher.value))
            }
        }
        return out
    }

    static func mirrorDigests(_ table: MirrorTable, _ pg: PostgresConnection) throws -> [Digest] {
        var out: [Digest] = []
        var after = Int64.min
        while true {
            let page = try pg.execute("""
                SELECT \(table.columnList) FROM \(table.qualified) WHERE \(table.key) > $1 ORDER BY \(table.key) LIMIT 5000
                """, [.int8(after)], binaryResults: true)
            guard page.rowCount > 0 else { return out }
            for row in 0..<page.rowCount {
                var hasher = RowDigest()
                for (index, column) in table.columns.enumerated() {
                    hasher.add(try MirrorValues.sqlite(page, row, index, column), column.kind)
                }
                let key = page.binaryInt64(row, 0) ?? 0
                out.append(Digest(key: key, digest: hasher.value))
                after = key
            }
        }
    }
}

/// FNV-1a (64-bit) over a row's values in canonical form.
struct RowDigest {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func bytes<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }

    mutating func int(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes($0) } }

    mutating func add(_ sql: SQLValue, _ kind: MirrorTable.Kind) {
        switch sql {
        case .null:
            bytes([0])
            return
        default:
            bytes([1])
        }
        switch (kind, sql) {
        case (.timestamp, .text(let text)):
            int(Timestamps.microseconds(text) ?? Int64.min)
        case (.json, .text(let text)):
            bytes(Self.canonicalJSON(text).utf8)
        case (_, .integer(let v)):
            int(v)
        case (_, .text(let text)):
            bytes(text.utf8)
        case (_, .blob(let blob)):
            bytes(blob)
        case (_, .real(let v)):
            int(Int64(bitPattern: v.bitPattern))
        case (_, .null):
            break
        }
        bytes([0xFF])
    }

    /// JSON re-serialised with sorted keys and no spaces (jsonb reformats what it stores).
    static func canonicalJSON(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed,
                                                                                         .withoutEscapingSlashes])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
