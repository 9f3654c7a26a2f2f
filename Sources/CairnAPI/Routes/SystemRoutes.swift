import CairnIngest
import Foundation
import CairnService
import Hummingbird
import Prometheus

/// The public routes: `/healthz` (alive), `/readyz` (ready to serve, 503 until then), `/metrics`
/// (Prometheus text) and `/openapi.json` (the API's description), plus `/` (where to start).
struct SystemRoutes {
    let service: CairnService
    let registry: PrometheusCollectorRegistry
    let openAPI: [UInt8]

    func register(on router: Router<CairnRequestContext>) {
        router.get("/healthz") { _, _ in JSONResponse.make(["status": "ok"]) }
        router.get("/readyz") { _, _ in readyz() }
        router.get("/metrics") { _, _ in metrics() }
        router.get("/openapi.json") { _, _ in
            var buffer = ByteBuffer()
            buffer.writeBytes(openAPI)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        router.get("/") { _, _ in
            JSONResponse.make([
                "service": "cairn", "openapi": "/openapi.json", "health": "/healthz", "ready": "/readyz",
                "metrics": "/metrics", "retrieve": "POST /v1/retrieve",
            ])
        }
    }

    func readyz() -> Response {
        let r = service.readiness()
        let phase: String
        switch r.phase {
        case .starting: phase = "starting"
        case .ready: phase = "ready"
        case .failed: phase = "failed"
        case .stopping: phase = "stopping"
        }
        let body: JSONValue = [
            "status": .string(phase), "ready": .bool(r.phase == .ready),
            "index": ["loaded": .bool(r.indexVectors != nil), "vectors": .int(r.indexVectors), "wal_records": .int(r.walRecords)],
            "store": ["open": .bool(r.materials != nil), "materials": .int(r.materials), "chunks": .int(r.chunks)],
            "queue": ["queued": .int(r.queued), "running": .int(r.running)],
            "mirror": service.mirrorStatus().map { m -> JSONValue in
                [
                    "lag_changes": .int(m.lagChanges), "lag_seconds": .double((m.lagSeconds * 1_000).rounded() / 1_000),
                    "last_error": m.lastError.map(JSONValue.string) ?? .null, "rejected_rows": .int(m.rejectedRows),
                    "last_success": m.lastSuccess.map { .string(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format($0)) } ?? .null,
                ]
            } ?? .null,
            "recall": r.recall.map { c -> JSONValue in
                [
                    "checked_at": .string(c.startedAt), "overall": c.overall.map { .double($0.recall) } ?? .null,
                    "floor": .double(c.floor), "tenants_checked": .int(c.tenants.count),
                    "tenants_below_floor": .array(c.belowFloor.map(JSONValue.string)),
                ]
            } ?? .null,
        ]
        var response = JSONResponse.make(body, status: r.phase == .ready ? .ok : .serviceUnavailable)
        if r.phase != .ready { response.headers[.retryAfter] = "1" }
        return response
    }

    func metrics() -> Response {
        service.updateGauges()
        var buffer = ByteBuffer()
        buffer.writeBytes(registry.emitToBuffer())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: buffer))
    }
}
