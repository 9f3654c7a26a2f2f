import CairnNightly
import CairnService
import Foundation
import Hummingbird

/// The nightly benchmark history: `GET /v1/benchmarks` (JSON) and `GET /v1/benchmarks/report` (the HTML
/// report), admin keys. `cairn bench nightly --data-dir <the server's data directory>` records the runs.
struct BenchmarkRoutes {
    let service: CairnService

    func register(on router: Router<CairnRequestContext>) {
        router.get("/v1/benchmarks") { request, context in try await runs(request, context) }
        router.get("/v1/benchmarks/report") { request, context in try await report(request, context) }
    }

    func runs(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        var query = QueryParameters(request)
        let limit = try query.int("limit", 1...1_000) ?? 30
        try query.rejectUnknown()
        let runs = try await UploadRoutes.offload { [service] in try service.benchmarkRuns(limit: limit, as: identity) }
        return JSONResponse.make(["object": "list", "data": .array(runs.reversed().map(Wire.benchmarkRun))])
    }

    func report(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        try QueryParameters(request).rejectUnknown()
        let html = try await UploadRoutes.offload { [service] in try service.benchmarkReport(as: identity) }
        return HTMLResponse.make(html)
    }
}

extension Wire {
    /// An optional number (JSONValue writes a non-finite one as null).
    static func number(_ x: Double?) -> JSONValue { x.map(JSONValue.double) ?? .null }

    static func benchmarkRun(_ run: NightlyRun) -> JSONValue {
        let m = run.machine
        return [
            "object": "benchmark_run", "id": .int(run.id), "started_at": .string(run.startedAt),
            "commit": .string(run.commit),
            "machine": ["kind": .string(m.kind), "cpu_model": .string(m.cpuModel), "simd": .string(m.simd),
                        "blas_core": .string(m.blasCore), "cores": .int(m.cores), "memory_gib": number(m.memoryGiB)],
            "load_before": number(run.loadBefore), "load_after": number(run.loadAfter),
            "wall_seconds": number(run.wallSeconds),
            "sections": .array(run.sections.map { s in
                [
                    "name": .string(s.name), "status": .string(s.status.rawValue), "seconds": number(s.seconds),
                    "detail": s.detail.map(JSONValue.string) ?? .null,
                    "missing_peers": .array(s.missingPeers.map(JSONValue.string)),
                    "curves": .array(s.curves.map { c in
                        ["engine": .string(c.engine), "dataset": .string(c.dataset),
                         "points": .array(c.points.map { p in
                             ["ef": .int(p.ef), "recall": number(p.recall), "qps": number(p.qps)]
                         })]
                    }),
                ]
            }),
            "figures": .array(run.figures.map { f in
                [
                    "key": .string(f.key), "section": .string(f.section), "name": .string(f.name),
                    "kind": .string(f.kind.rawValue), "value": number(f.value), "unit": .string(f.unit),
                    "peer": f.peer.map(JSONValue.string) ?? .null, "peer_value": number(f.peerValue),
                    "ratio": number(f.ratio),
                ]
            }),
            "regressions": .array(run.regressions.map { r in
                [
                    "figure": .string(r.figure), "rule": .string(r.rule.rawValue), "value": number(r.value),
                    "reference": number(r.reference), "worse_by": number(r.worseBy),
                    "peer": r.peer.map(JSONValue.string) ?? .null,
                    "against_runs": .array(r.againstRuns.map { .int($0) }), "line": .string(r.line),
                ]
            }),
        ]
    }
}
