import Foundation

/// What `cairn bench quality` measured.
public struct QualityReport: Sendable, Codable {
    /// One ranking's figures.
    public struct Row: Sendable, Codable {
        public var name: String
        public var metrics: QualityMetrics
        /// Median milliseconds per query (search only: questions are embedded once, before).
        public var p50Milliseconds: Double?
    }

    /// One ef of the ANN sweep (vector mode).
    public struct EfRow: Sendable, Codable {
        public var ef: Int
        public var recall: Double
        public var hitAt10: Double
        public var p50Milliseconds: Double
    }

    /// Retrieve latency at scale, question embedding included.
    public struct LatencyRow: Sendable, Codable {
        public var name: String
        public var p50Milliseconds: Double
        public var p95Milliseconds: Double
        /// Median of the search step alone (index walk, keyword scoring, fusion; no embedding, no fetch).
        public var searchP50Milliseconds: Double
    }

    public var documents = 0
    public var chunks = 0
    public var queriesInMaterials = 0
    public var queriesHeldOut = 0
    public var topK = 0
    public var ingestSeconds = 0.0
    public var keywordBuild: KeywordBuildFigures?
    public var rows: [Row] = []
    public var peers: [Row] = []
    public var peerVersions: [String: String] = [:]
    public var peerError: String?
    public var defaultEf = 0
    public var efSweep: [EfRow] = []
    public var grounding: QualityGrounding?
    public var latencyChunks = 0
    public var latencyQueries = 0
    public var latencyRestart: KeywordBuildFigures?
    public var latency: [LatencyRow] = []

    /// How long building the keyword index from the store took.
    public struct KeywordBuildFigures: Sendable, Codable {
        public var chunks: Int
        public var terms: Int
        public var readSeconds: Double
        public var indexSeconds: Double
        /// Opening the library (store, vector index, catalog) before the keyword index.
        public var openSeconds: Double
    }
}
