import Foundation

/// How a recall check samples the live index (see ``MaterialLibrary/checkRecall(options:loggedQueries:)``).
public struct RecallCheckOptions: Sendable, Hashable, Codable {
    /// Stored chunk vectors asked per tenant (fewer when the tenant has fewer chunks).
    public var queriesPerTenant: Int
    /// Stored chunk vectors asked of the whole index without a filter.
    public var overallQueries: Int
    /// Past questions of each tenant from the retrieval log (newest first), embedded again and asked too.
    public var loggedQueriesPerTenant: Int
    /// Results compared per query: recall@k.
    public var k: Int
    /// The graph walk's candidate list; nil: what a search for the top k uses by default.
    public var efSearch: Int?
    /// A tenant (or the whole index) below this recall is reported.
    public var floor: Double
    /// Seconds the check may take; tenants not reached by then are counted as not checked.
    public var seconds: Double
    /// Picks the sampled chunks (the same seed, the same chunks of an unchanged tenant).
    public var seed: UInt64

    public init(queriesPerTenant: Int = 20, overallQueries: Int = 100, loggedQueriesPerTenant: Int = 20, k: Int = 10,
                efSearch: Int? = nil, floor: Double = 0.9, seconds: Double = 60, seed: UInt64 = 0x5EED) {
        self.queriesPerTenant = queriesPerTenant
        self.overallQueries = overallQueries
        self.loggedQueriesPerTenant = loggedQueriesPerTenant
        self.k = k
        self.efSearch = efSearch
        self.floor = floor
        self.seconds = seconds
        self.seed = seed
    }

    public static let standard = RecallCheckOptions()

    /// What is wrong with these settings (naming the setting), or nil.
    public var problem: String? {
        if !(1...1_000).contains(queriesPerTenant) { return "recall_check.queries_per_tenant is \(queriesPerTenant); allowed: 1 to 1000" }
        if !(0...100_000).contains(overallQueries) { return "recall_check.overall_queries is \(overallQueries); allowed: 0 to 100000" }
        if !(0...1_000).contains(loggedQueriesPerTenant) {
            return "recall_check.logged_queries_per_tenant is \(loggedQueriesPerTenant); allowed: 0 to 1000"
        }
        if !(1...100).contains(k) { return "recall_check.k is \(k); allowed: 1 to 100" }
        if let ef = efSearch, !(1...10_000).contains(ef) { return "recall_check.ef_search is \(ef); allowed: 1 to 10000" }
        if !(0...1).contains(floor) { return "recall_check.floor is \(floor); allowed: 0 to 1" }
        if !(seconds > 0 && seconds <= 86_400) { return "recall_check.seconds is \(seconds); allowed: above 0, at most 86400" }
        return nil
    }
}

/// One population's recall: a tenant's chunks, or the whole index.
public struct RecallSample: Sendable, Hashable, Codable {
    /// Chunks the searches could return.
    public var chunks: Int
    /// Queries asked: sampled stored chunk vectors plus logged questions.
    public var queries: Int
    /// Of `queries`, logged questions of this tenant (re-embedded).
    public var loggedQueries: Int
    /// Mean recall@k of the live search against exact search of the same chunks.
    public var recall: Double
    /// The lowest recall of one query.
    public var worst: Double
    /// Queries the live search answered by scanning the allowed chunks exactly (a filter at most the index's
    /// full-scan threshold): their recall is 1 by construction; the rest walked the graph.
    public var exactScans: Int
    /// Whether `recall` is below the floor.
    public var belowFloor: Bool
}

/// What a recall check found.
public struct RecallCheckReport: Sendable, Hashable, Codable {
    /// When the check started (ISO 8601).
    public var startedAt: String
    public var seconds: Double
    public var k: Int
    /// The ef of the graph walks.
    public var efSearch: Int
    public var floor: Double
    /// Searches of the whole index, unfiltered (what graph damage shows in first); nil when none were asked.
    public var overall: RecallSample?
    /// Per tenant (owner id), the largest first.
    public var tenants: [String: RecallSample]
    /// Tenants with chunks that the time budget did not reach.
    public var tenantsNotChecked: Int
    /// Tenants below the floor, by name.
    public var belowFloor: [String] {
        tenants.filter(\.value.belowFloor).map(\.key).sorted()
    }
    /// Whether anything checked is below the floor.
    public var failed: Bool { overall?.belowFloor == true || !belowFloor.isEmpty }
}
