/// One run of `cairn bench nightly`: where and when it ran, how long each section took, what it measured,
/// and the regressions found against earlier runs.
public struct NightlyRun: Sendable, Hashable, Codable {
    /// How one section ended.
    public struct Section: Sendable, Hashable, Codable {
        public enum Status: String, Sendable, Hashable, Codable {
            case ok
            /// It ran but failed; `detail` says why.
            case failed
            /// Not run (no time left in the budget, or switched off); `detail` says why.
            case skipped
        }

        public var name: String
        public var seconds: Double
        public var status: Status
        public var detail: String?
        /// Peers this section compares with that could not run here (not installed, failed to start), by name.
        public var missingPeers: [String]

        public init(name: String, seconds: Double, status: Status, detail: String? = nil, missingPeers: [String] = []) {
            self.name = name
            self.seconds = seconds
            self.status = status
            self.detail = detail
            self.missingPeers = missingPeers
        }
    }

    /// The history's id (assigned when appended; 0 before).
    public var id: Int64
    /// When it started (RFC 3339, UTC).
    public var startedAt: String
    /// The git commit of the build that ran (`unknown` outside a checkout).
    public var commit: String
    public var machine: MachineInfo
    /// The 1-minute load average before the first section and after the last.
    public var loadBefore: Double
    public var loadAfter: Double
    public var wallSeconds: Double
    public var sections: [Section]
    public var figures: [BenchFigure]
    /// What the rules found (filled in before the run is appended).
    public var regressions: [Regression]

    public init(id: Int64 = 0, startedAt: String, commit: String, machine: MachineInfo, loadBefore: Double,
                loadAfter: Double, wallSeconds: Double, sections: [Section], figures: [BenchFigure],
                regressions: [Regression] = []) {
        self.id = id
        self.startedAt = startedAt
        self.commit = commit
        self.machine = machine
        self.loadBefore = loadBefore
        self.loadAfter = loadAfter
        self.wallSeconds = wallSeconds
        self.sections = sections
        self.figures = figures
        self.regressions = regressions
    }

    /// The figure with this key, if the run measured it.
    public func figure(_ key: String) -> BenchFigure? { figures.first { $0.key == key } }
}
