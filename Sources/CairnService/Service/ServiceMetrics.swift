import CairnIndex
import CairnStorage
import CairnIngest
import CairnMirror
import Metrics
import Foundation
import Synchronization

/// The service's own metrics, made by the factory the service was given (the HTTP layer passes its
/// Prometheus registry's). Request counts and latencies per route are the HTTP layer's.
struct ServiceMetrics: Sendable {
    let embed: Timer
    let search: Timer
    let filter: Timer
    let retrieve: Timer
    let retrievals: Counter
    let dialogues: Counter
    let embeddings: Timer
    let embeddedInputs: Counter
    let indexVectors: Gauge
    let walRecords: Gauge
    let chunks: Gauge
    let materials: Gauge
    let queueDepth: Gauge
    let jobs: [IngestJobStatus: Gauge]
    let mirrorLagChanges: Gauge
    let mirrorLagSeconds: Gauge
    let mirrorUp: Gauge
    let mirrorAppliedChanges: Gauge
    let mirrorAppliedChunks: Gauge
    let mirrorRejectedRows: Gauge
    let recallOverall: Gauge
    let recallTenantsChecked: Gauge
    let recallTenantsBelowFloor: Gauge
    let recallCheckedAt: Gauge
    /// Makes the per-tenant recall gauges (only tenants that have been below the floor get one).
    let factory: any MetricsFactory
    let flaggedTenants = FlaggedTenants()

    init(factory: any MetricsFactory) {
        self.factory = factory
        recallOverall = Gauge(label: "cairn_recall_check_recall", dimensions: [("scope", "overall")], factory: factory)
        recallTenantsChecked = Gauge(label: "cairn_recall_check_tenants_checked", dimensions: [], factory: factory)
        recallTenantsBelowFloor = Gauge(label: "cairn_recall_check_tenants_below_floor", dimensions: [], factory: factory)
        recallCheckedAt = Gauge(label: "cairn_recall_check_timestamp_seconds", dimensions: [], factory: factory)
        embed = Timer(label: "cairn_query_embed_seconds", dimensions: [], factory: factory)
        search = Timer(label: "cairn_search_seconds", dimensions: [], factory: factory)
        filter = Timer(label: "cairn_filter_seconds", dimensions: [], factory: factory)
        retrieve = Timer(label: "cairn_retrieve_seconds", dimensions: [], factory: factory)
        retrievals = Counter(label: "cairn_retrievals_total", dimensions: [], factory: factory)
        dialogues = Counter(label: "cairn_dialogues_total", dimensions: [], factory: factory)
        embeddings = Timer(label: "cairn_embeddings_seconds", dimensions: [], factory: factory)
        embeddedInputs = Counter(label: "cairn_embedded_inputs_total", dimensions: [], factory: factory)
        indexVectors = Gauge(label: "cairn_index_vectors", dimensions: [], factory: factory)
        walRecords = Gauge(label: "cairn_index_wal_records", dimensions: [], factory: factory)
        chunks = Gauge(label: "cairn_chunks", dimensions: [], factory: factory)
        materials = Gauge(label: "cairn_materials", dimensions: [], factory: factory)
        queueDepth = Gauge(label: "cairn_ingest_queue_depth", dimensions: [], factory: factory)
        mirrorLagChanges = Gauge(label: "cairn_mirror_lag_changes", dimensions: [], factory: factory)
        mirrorLagSeconds = Gauge(label: "cairn_mirror_lag_seconds", dimensions: [], factory: factory)
        mirrorUp = Gauge(label: "cairn_mirror_up", dimensions: [], factory: factory)
        mirrorAppliedChanges = Gauge(label: "cairn_mirror_applied_changes", dimensions: [], factory: factory)
        mirrorAppliedChunks = Gauge(label: "cairn_mirror_applied_chunks", dimensions: [], factory: factory)
        mirrorRejectedRows = Gauge(label: "cairn_mirror_rejected_rows", dimensions: [], factory: factory)
        jobs = Dictionary(uniqueKeysWithValues: IngestJobStatus.allCases.map { status in
            (status, Gauge(label: "cairn_ingest_jobs", dimensions: [("status", status.rawValue)], factory: factory))
        })
    }
}

extension ServiceMetrics {
    /// The mirror's gauges: lag (changes, seconds), whether the last drain succeeded (1) or failed (0), and
    /// what was applied since start.
    func mirror(_ status: MirrorWorker.Status) {
        mirrorLagChanges.record(status.changes)
        mirrorLagSeconds.record(status.secondsBehind)
        mirrorUp.record(status.lastError == nil ? 1 : 0)
        mirrorAppliedChanges.record(status.appliedChanges)
        mirrorAppliedChunks.record(status.appliedChunks)
        mirrorRejectedRows.record(status.rejectedRows)
    }
}

extension CairnService {
    /// Sets the gauges (index size, chunks, materials, queue depth, jobs by status) from the current state;
    /// the background loop calls it every few seconds and the metrics endpoint before each scrape.
    public func updateGauges() {
        guard let parts = try? parts() else { return }
        metrics.indexVectors.record(parts.library.vectors.index.count)
        metrics.walRecords.record(parts.library.vectors.walRecords)
        metrics.chunks.record(parts.library.catalog.chunkCount)
        metrics.materials.record(parts.library.catalog.materialCount)
        if let counts = try? parts.jobs.countsByStatus() {
            metrics.queueDepth.record((counts[.queued] ?? 0) + (counts[.running] ?? 0))
            for (status, gauge) in metrics.jobs { gauge.record(counts[status] ?? 0) }
        }
        if let mirror = parts.mirror { metrics.mirror(mirror.status()) }
    }
}

/// The tenants that have had a below-floor gauge, so a later check can set theirs back to 0.
final class FlaggedTenants: Sendable {
    let names = Mutex<Set<String>>([])
}

extension ServiceMetrics {
    /// A recall check's gauges: the whole index's recall, tenants checked and below the floor, when; and
    /// `cairn_recall_check_below_floor{tenant}` = 1 for each tenant below the floor (0 once it recovers).
    func recordRecall(_ report: RecallCheckReport) {
        if let overall = report.overall { recallOverall.record(overall.recall) }
        recallTenantsChecked.record(report.tenants.count)
        recallTenantsBelowFloor.record(report.belowFloor.count)
        recallCheckedAt.record(Date().timeIntervalSince1970)
        let below = Set(report.belowFloor)
        let all = flaggedTenants.names.withLock { names -> Set<String> in
            names.formUnion(below)
            return names
        }
        for tenant in all {
            Gauge(label: "cairn_recall_check_below_floor", dimensions: [("tenant", tenant)], factory: factory)
                .record(below.contains(tenant) ? 1 : 0)
        }
    }
}
