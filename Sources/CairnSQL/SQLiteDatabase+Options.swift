extension SQLiteDatabase {
    /// How a connection is opened. WAL journal mode and foreign keys are always on; the rest is chosen here.
    ///
    /// ```swift
    /// let store = try SQLiteDatabase(path: dir + "/cairn.sqlite3")                      // synchronous FULL
    /// let cache = try SQLiteDatabase(path: dir + "/embedding-cache.sqlite3",
    ///                                options: .init(synchronous: .normal))               // a cache may lose its tail
    /// ```
    public struct Options: Sendable, Hashable {
        /// When SQLite waits for the disk (`PRAGMA synchronous`), in WAL journal mode.
        public enum Synchronous: String, Sendable, Hashable, CaseIterable {
            /// The WAL is synced at checkpoints only. A commit is in the OS page cache when it returns, so it
            /// survives the process being killed (`kill -9`), but the last commits may be lost if the machine
            /// loses power or the kernel crashes. The database is never corrupted. Right for a cache.
            case normal = "NORMAL"
            /// The WAL is synced on every commit: a commit that returned survives power loss too. Right for
            /// the store, whose acknowledged writes must never be lost.
            case full = "FULL"

            /// The value `PRAGMA synchronous` reads back (1 for NORMAL, 2 for FULL).
            public var pragmaValue: Int {
                self == .normal ? 1 : 2
            }
        }

        /// Durability of commits (default ``Synchronous/full``).
        public var synchronous: Synchronous
        /// How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
        public var busyTimeoutMilliseconds: Int
        /// Open the file read-only (it must exist).
        public var readOnly: Bool
        /// How many idle prepared statements the statement cache keeps.
        public var statementCacheCapacity: Int

        /// Creates options; the defaults suit the durable store.
        public init(
            synchronous: Synchronous = .full, busyTimeoutMilliseconds: Int = 5_000, readOnly: Bool = false,
            statementCacheCapacity: Int = 64
        ) {
            self.synchronous = synchronous
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.readOnly = readOnly
            self.statementCacheCapacity = statementCacheCapacity
        }
    }
}
