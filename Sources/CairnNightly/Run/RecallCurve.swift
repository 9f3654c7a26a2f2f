/// One engine's recall–throughput curve on one dataset: a point per ef_search of the sweep, as the index
/// section measured it. The report draws these; the rules judge the figures taken from them.
public struct RecallCurve: Sendable, Hashable, Codable {
    public struct Point: Sendable, Hashable, Codable {
        public var ef: Int
        /// recall@10 against exact search.
        public var recall: Double
        /// Single-thread queries per second.
        public var qps: Double

        public init(ef: Int, recall: Double, qps: Double) {
            self.ef = ef
            self.recall = recall
            self.qps = qps
        }
    }

    /// `cairn`, `cairn int8`, `hnswlib`, `faiss`, `usearch`, `pgvector`.
    public var engine: String
    /// The dataset and build (`100k/64`: 100,000 synthetic vectors at ef_construction 64).
    public var dataset: String
    public var points: [Point]

    public init(engine: String, dataset: String, points: [Point]) {
        self.engine = engine
        self.dataset = dataset
        self.points = points
    }
}
