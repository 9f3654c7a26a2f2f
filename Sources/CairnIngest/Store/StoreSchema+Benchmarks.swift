import CairnSQL

extension StoreSchema {
    /// `0007_benchmark_runs`: the nightly benchmark's history (`cairn bench nightly`), one run per row — when
    /// and where it ran (`machine_kind` is what runs are compared by; `machine` the details as JSON), the load
    /// average around it, each section's time and status, every figure with its peer's (`figures`, JSON) and
    /// the regressions found. Mirrored (outbox triggers as in `0003`).
    static let benchmarkRuns = Migration("0007_benchmark_runs", sql: """
        CREATE TABLE benchmark_runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at TEXT NOT NULL,
            commit_sha TEXT NOT NULL,
            machine_kind TEXT NOT NULL,
            machine TEXT NOT NULL,
            load_before REAL NOT NULL,
            load_after REAL NOT NULL,
            wall_seconds REAL NOT NULL,
            sections TEXT NOT NULL,
            figures TEXT NOT NULL,
            regressions TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX benchmark_runs_machine_started ON benchmark_runs (machine_kind, started_at);
        """ + mirrorTriggers(table: "benchmark_runs", key: "id"))
}
