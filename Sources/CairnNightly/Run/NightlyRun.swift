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
        /// Recall–throughput curves of Cairn and each peer (the index section's), for the report.
        public var curves: [RecallCurve]

        public init(name: String, seconds: Double, status: Status, detail: String? = nil, missingPeers: [String] = [],
                    curves: [RecallCurve] = []) {
            self.name = name
            self.seconds = seconds
            self.status = status
            self.detail = detail
            self.missingPeers = missingPeers
            self.curves = curves
        }

        enum CodingKeys: String, CodingKey {
            case name, seconds, status, detail, missingPeers, curves
        }

        /// Runs recorded before curves were kept read with none.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            seconds = try c.decode(Double.self, forKey: .seconds)
            status = try c.decode(Status.self, forKey: .status)
            detail = try c.decodeIfPresent(String.self, forKey: .detail)
            missingPeers = try c.decodeIfPresent([String].self, forKey: .missingPeers) ?? []
            curves = try c.decodeIfPresent([RecallCurve].self, forKey: .curves) ?? []
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

    /// Every section's curves.
    public var curves: [RecallCurve] { sections.flatMap(\.curves) }

    /// The figure with this key, if the run measured it.
    public func figure(_ key: String) -> BenchFigure? { figures.first { $0.key == key } }
}
