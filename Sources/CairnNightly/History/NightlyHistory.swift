public import CairnSQL
import Foundation

/// The nightly history: the store's `benchmark_runs` table (migration 0007, mirrored to PostgreSQL like the
/// rest) is the record and gives each run its id; the JSON-lines file beside it (``NightlyHistoryFile``) holds
/// the same runs for tools that read files.
///
/// The table must exist: open the material store first (its migrations create it), then pass its connection.
public struct NightlyHistory: Sendable {
    public let database: SQLiteDatabase
    public let file: NightlyHistoryFile

    public init(database: SQLiteDatabase, file: NightlyHistoryFile) {
        self.database = database
        self.file = file
    }

    /// Appends `run` to the table (one transaction), then to the file, with the table's id.
    /// - Returns: the run as recorded.
    @discardableResult
    public func append(_ run: NightlyRun) throws(NightlyError) -> NightlyRun {
        var run = run
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func json(_ value: some Encodable) throws(NightlyError) -> SQLValue {
            do {
                return .text(String(decoding: try encoder.encode(value), as: UTF8.self))
            } catch {
                throw NightlyError(.invalid, "a nightly run cannot be written as JSON: \(error)")
            }
        }
        let values: [SQLValue] = [
            .text(run.startedAt), .text(run.commit), .text(run.machine.kind), try json(run.machine),
            .real(run.loadBefore), .real(run.loadAfter), .real(run.wallSeconds), try json(run.sections),
            try json(run.figures), try json(run.regressions), .text(Self.timestamp(Date())),
        ]
        do {
            run.id = try database.transaction(.immediate) { () throws -> Int64 in
                _ = try database.execute("""
                    INSERT INTO benchmark_runs (started_at, commit_sha, machine_kind, machine, load_before, load_after,
                        wall_seconds, sections, figures, regressions, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, values)
                return database.lastInsertRowID
            }
        } catch {
            throw NightlyError(.storage, "recording the nightly run in benchmark_runs: \(error)")
        }
        return try file.append(run)
    }

    /// Every recorded run, oldest first (at most the newest `limit`).
    public func runs(limit: Int? = nil) throws(NightlyError) -> [NightlyRun] {
        let decoder = JSONDecoder()
        do {
            let rows = try database.query("""
                SELECT id, started_at, commit_sha, machine, load_before, load_after, wall_seconds, sections, figures,
                       regressions
                FROM benchmark_runs ORDER BY started_at DESC, id DESC LIMIT ?
                """, [.integer(Int64(limit ?? Int(Int32.max)))])
            return try rows.reversed().map { row in
                func decode<T: Decodable>(_ index: Int, _ type: T.Type) throws -> T {
                    try decoder.decode(T.self, from: Data((try row.get(index) as String).utf8))
                }
                return NightlyRun(id: try row.get(0), startedAt: try row.get(1), commit: try row.get(2),
                                  machine: try decode(3, MachineInfo.self), loadBefore: try row.get(4),
                                  loadAfter: try row.get(5), wallSeconds: try row.get(6),
                                  sections: try decode(7, [NightlyRun.Section].self),
                                  figures: try decode(8, [BenchFigure].self),
                                  regressions: try decode(9, [Regression].self))
            }
        } catch {
            throw NightlyError(.storage, "reading benchmark_runs: \(error)")
        }
    }

    static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }
}
