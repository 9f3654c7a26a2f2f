public import CairnEmbedding
import CairnIndex
import CairnSQL
import CairnStorage
import Foundation

extension MaterialLibrary {
    /// ``checkRecall(options:loggedQueries:)`` with each tenant's last `options.loggedQueriesPerTenant`
    /// questions from the retrieval log, embedded by the library's embedder.
    public func checkRecall(options: RecallCheckOptions = .standard) async throws(IngestError) -> RecallCheckReport {
        if let problem = options.problem { throw IngestError(.configuration, problem) }
        let logged = try await loggedQueryVectors(perTenant: options.loggedQueriesPerTenant, embedder: embedder)
        return try checkRecall(options: options, loggedQueries: logged)
    }

    /// ``loggedQuestions(perTenant:)`` embedded by `embedder`, per tenant.
    public func loggedQueryVectors(perTenant: Int, embedder: any Embedder) async throws(IngestError)
        -> [String: [[Float]]]
    {
        var vectors: [String: [[Float]]] = [:]
        for (tenant, questions) in try loggedQuestions(perTenant: perTenant) {
            do {
                vectors[tenant] = try await embedder.embed(questions).vectors
            } catch {
                throw IngestError(.embedding, "recall check: embedding the logged questions of \(tenant): \(error)")
            }
        }
        return vectors
    }

    /// Each tenant's last `perTenant` questions in the retrieval log, newest first: a coach's questions under
    /// its tenant, an admin's under the owner its filter named (questions across tenants belong to none).
    public func loggedQuestions(perTenant: Int) throws(IngestError) -> [String: [String]] {
        guard perTenant > 0 else { return [:] }
        do {
            var out: [String: [String]] = [:]
            for row in try store.reader.query("""
                SELECT owner, query FROM (
                    SELECT owner, query, row_number() OVER (PARTITION BY owner ORDER BY created_at DESC) AS n
                    FROM (SELECT coalesce(tenant, CASE WHEN json_valid(request)
                                               THEN json_extract(request, '$.filters.owner_id') END) AS owner, query,
                                 created_at
                          FROM retrievals WHERE query IS NOT NULL AND query <> '')
                    WHERE owner IS NOT NULL AND typeof(owner) = 'text')
                WHERE n <= ? ORDER BY owner, n
                """, [.int(perTenant)])
            {
                out[try row.get(0) as String, default: []].append(try row.get(1))
            }
            return out
        } catch {
            throw IngestError(.storage, "recall check: reading the retrieval log: \(error)")
        }
    }

    /// Compares the live index's answers with exact search of the same chunks, per tenant and over the whole
    /// index: the check that the graph serving the coaches still finds what a full scan would.
    ///
    /// Queries are stored chunk vectors sampled per tenant (`seed` picks them), plus `loggedQueries` — past
    /// questions of each tenant, already embedded — when the caller has them. Each is asked twice with the
    /// tenant's filter, exactly as a retrieval asks it: once through the live search (graph walk at the
    /// configured ef, or an exact scan when the tenant is within the index's full-scan threshold, which the
    /// report counts) and once as an exact scan; recall@k is the share of the exact top k the live search
    /// found, a hit as close as the exact k-th counting as found (duplicate chunks tie). The whole index is asked the same way
    /// without a filter. Tenants are visited largest first, until `options.seconds` runs out.
    /// - Parameter loggedQueries: per tenant (owner id), query vectors to add to the sampled ones.
    public func checkRecall(options: RecallCheckOptions = .standard, loggedQueries: [String: [[Float]]] = [:])
        throws(IngestError) -> RecallCheckReport
    {
        if let problem = options.problem { throw IngestError(.configuration, problem) }
        let started = Date()
        let deadline = started.addingTimeInterval(options.seconds)
        let ef = options.efSearch ?? defaultEf(depth: options.k)
        let index = vectors.index
        var generator = CheckRandom(seed: options.seed)
        var report = RecallCheckReport(startedAt: ISO8601DateFormatter().string(from: started), seconds: 0,
                                       k: options.k, efSearch: ef, floor: options.floor, overall: nil, tenants: [:],
                                       tenantsNotChecked: 0)
        if options.overallQueries > 0 {
            let labels = index.allLabels().sorted()
            let sample = generator.sample(labels, count: options.overallQueries)
            report.overall = try measure(sample.compactMap(index.vector(for:)), logged: 0, chunks: labels.count,
                                         filter: nil, options: options, ef: ef)
        }
        let owners = catalog.owners().filter { $0.chunks > 0 }
            .sorted { $0.chunks != $1.chunks ? $0.chunks > $1.chunks : $0.owner < $1.owner }
        for (position, tenant) in owners.enumerated() {
            guard Date() < deadline else {
                report.tenantsNotChecked = owners.count - position
                break
            }
            let allowed = catalog.allowed(matching: ChunkFilter(owner: tenant.owner))
            let sample = generator.sample(allowed.labels.sorted(), count: options.queriesPerTenant)
            let logged = loggedQueries[tenant.owner] ?? []
            report.tenants[tenant.owner] = try measure(sample.compactMap(index.vector(for:)) + logged,
                                                       logged: logged.count, chunks: allowed.count,
                                                       filter: .allowed(allowed), options: options, ef: ef)
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func measure(_ queries: [[Float]], logged: Int, chunks: Int, filter: SearchFilter?,
                         options: RecallCheckOptions, ef: Int) throws(IngestError) -> RecallSample
    {
        let index = vectors.index
        let k = min(options.k, chunks)
        var total = 0.0
        var worst = 1.0
        var exactScans = 0
        var asked = 0
        for query in queries where k > 0 {
            let live: SearchResult
            let truth: SearchResult
            do {
                live = try index.search(query, options: SearchOptions(k: k, efSearch: ef, filter: filter))
                truth = try index.search(query, options: SearchOptions(k: k, filter: filter, exact: true))
            } catch {
                throw IngestError(.configuration, "recall check: searching the chunk index: \(error)")
            }
            // Chunks with the same text have the same vector: which of them comes back is a tie, not a miss.
            guard let recall = live.recall(against: truth) else { continue }
            total += recall
            worst = min(worst, recall)
            if live.exact { exactScans += 1 }
            asked += 1
        }
        let recall = asked > 0 ? total / Double(asked) : 1
        return RecallSample(chunks: chunks, queries: asked, loggedQueries: min(logged, asked), recall: recall,
                            worst: asked > 0 ? worst : 1, exactScans: exactScans, belowFloor: recall < options.floor)
    }
}

/// SplitMix64, for choosing which chunks a check asks (deterministic for a seed).
struct CheckRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` distinct elements of `items` (all of them when there are no more), in a random order.
    mutating func sample<T>(_ items: [T], count: Int) -> [T] {
        guard count < items.count else { return items }
        var pool = items
        for i in 0..<count {
            let j = i + Int(next() % UInt64(pool.count - i))
            pool.swapAt(i, j)
        }
        return Array(pool.prefix(count))
    }
}
