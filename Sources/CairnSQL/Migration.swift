/// One named, ordered schema change applied by ``SQLiteDatabase/migrate(_:)``.
///
/// Names are recorded in `schema_migrations`, so they must never change once released; a numeric prefix
/// keeps them readable in order (`0001_materials`, `0002_chunk_locators`, …).
///
/// ```swift
/// let migrations = [
///     Migration("0001_materials", sql: """
///         CREATE TABLE materials (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL);
///         CREATE INDEX materials_owner ON materials(owner);
///         """),
///     Migration("0002_backfill_titles") { db in
///         try db.execute("UPDATE materials SET title = ? WHERE title = ''", ["untitled"])
///     },
/// ]
/// try db.migrate(migrations)
/// ```
public struct Migration: Sendable {
    /// The unique, stable name recorded in `schema_migrations`.
    public let name: String
    /// Applies the change; runs inside the migration's transaction.
    public let apply: @Sendable (SQLiteDatabase) throws -> Void

    /// A migration that runs an SQL script (one or more statements).
    public init(_ name: String, sql: String) {
        self.name = name
        self.apply = { db in try db.executeScript(sql) }
    }

    /// A migration written in Swift (e.g. a data backfill); it must use only the database it is given.
    public init(_ name: String, apply: @escaping @Sendable (SQLiteDatabase) throws -> Void) {
        self.name = name
        self.apply = apply
    }
}

/// One row of `schema_migrations`.
public struct MigrationRecord: Sendable, Hashable {
    /// The migration's name.
    public var name: String
    /// When it last ran, ISO 8601 in UTC with milliseconds (e.g. `2025-03-01T12:00:00.123Z`).
    public var executedAt: String
    /// How long it ran.
    public var executionTimeMilliseconds: Int
    /// Whether it committed.
    public var success: Bool
    /// Why it failed (nil when it succeeded).
    public var errorMessage: String?
}
