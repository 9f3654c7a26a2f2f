import Foundation

extension QualityReport {
    /// The report as Benchmarks/README.md shows it: the quality table, the targets, the ANN sweep, the
    /// grounding calibration and the latency comparison.
    public var markdown: String {
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        var out = [
            "\(documents) documents, \(chunks) chunks; \(queriesInMaterials) questions with an answer in the materials, "
                + "\(queriesHeldOut) whose pages were held out; top \(topK) chunks per question, scored at the material "
                + "level at 10.",
            "",
            "| ranking | hit@1 | hit@10 | MRR@10 | nDCG@10 | p50 ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for row in rows + peers {
            let m = row.metrics
            out.append("| \(row.name) | \(f(m.hitAt1)) | \(f(m.hitAt10)) | \(f(m.mrrAt10)) | \(f(m.ndcgAt10)) | "
                + (row.p50Milliseconds.map { String(format: "%.2f", $0) } ?? "–") + " |")
        }
        if let peerError { out += ["", "Peers failed: \(peerError)"] }
        out += ["", "Targets:"] + targets.map { "- \($0.met ? "met" : "**missed**"): \($0.text)" }
        out += ["", "ANN sweep (vector mode; recall of the exact scan's top \(topK) chunks; default ef here \(defaultEf)):", "",
                "| ef | recall@\(topK) | hit@10 | search p50 ms |", "|---:|---:|---:|---:|"]
        for row in efSweep {
            out.append("| \(row.ef)\(row.ef == defaultEf ? " (default)" : "") | \(f(row.recall)) | \(f(row.hitAt10)) | "
                + String(format: "%.3f", row.p50Milliseconds) + " |")
        }
        if let g = grounding {
            func o(_ x: QualityGrounding.Outcome) -> String {
                String(format: "flags %.1f%% of held-out questions, %.1f%% of answerable ones (precision %.1f%%)",
                       x.recall * 100, x.falseAlarm * 100, x.precision * 100)
            }
            out += ["", "Grounding (`not_in_materials`): calibrated thresholds similarity < \(g.similarity) and keyword "
                + "score < \(g.keyword): on the calibration half \(o(g.calibration)); on the validation half "
                + "\(o(g.validation)). The defaults in force: \(o(g.defaults))."]
        }
        if !latency.isEmpty {
            out += ["", "Retrieve latency at \(latencyChunks) chunks (\(latencyQueries) questions, embedded on every call, "
                + "top 10):", "", "| mode | p50 ms | p95 ms | search step p50 ms |", "|---|---:|---:|---:|"]
            for row in latency {
                out.append(String(format: "| %@ | %.2f | %.2f | %.3f |", row.name, row.p50Milliseconds, row.p95Milliseconds,
                                  row.searchP50Milliseconds))
            }
            if let r = latencyRestart {
                out += ["", String(format: "Restart at %d chunks: library open %.2f s, keyword index built in %.2f s "
                    + "(reading the store %.2f s, %d terms).", r.chunks, r.openSeconds, r.readSeconds + r.indexSeconds,
                    r.readSeconds, r.terms)]
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The issue's targets, each with whether it was met in this run.
    public var targets: [(text: String, met: Bool)] {
        func row(_ name: String) -> QualityMetrics? { (rows + peers).first { $0.name == name }?.metrics }
        var out: [(String, Bool)] = []
        if let h = row("hybrid (RRF)"), let v = row("vector"), let k = row("keyword (BM25)") {
            out.append((String(format: "hybrid ≥ best of vector and keyword on hit@10 (%.4f vs %.4f) and MRR@10 (%.4f vs %.4f)",
                               h.hitAt10, max(v.hitAt10, k.hitAt10), h.mrrAt10, max(v.mrrAt10, k.mrrAt10)),
                        h.hitAt10 >= max(v.hitAt10, k.hitAt10) && h.mrrAt10 >= max(v.mrrAt10, k.mrrAt10)))
        }
        if let k = row("keyword (BM25)"), let p = row("peer: bm25s") {
            out.append((String(format: "keyword ≥ bm25s (hit@10 %.4f vs %.4f, MRR@10 %.4f vs %.4f)", k.hitAt10, p.hitAt10,
                               k.mrrAt10, p.mrrAt10), k.hitAt10 >= p.hitAt10 && k.mrrAt10 >= p.mrrAt10))
        }
        if let h = row("hybrid (RRF)"), let p = row("peer: RRF of both") {
            out.append((String(format: "hybrid ≥ the peers' fusion (hit@10 %.4f vs %.4f, MRR@10 %.4f vs %.4f)", h.hitAt10,
                               p.hitAt10, h.mrrAt10, p.mrrAt10), h.hitAt10 >= p.hitAt10 && h.mrrAt10 >= p.mrrAt10))
        }
        if let v = row("vector"), let e = row("vector, exact scan") {
            out.append((String(format: "ANN vector within 1%% of exact on hit@10 (%.4f vs %.4f)", v.hitAt10, e.hitAt10),
                        v.hitAt10 >= e.hitAt10 * 0.99))
        }
        if let v = latency.first(where: { $0.name == "vector" }), let h = latency.first(where: { $0.name == "hybrid" }) {
            out.append((String(format: "hybrid retrieve p50 ≤ 1.2 × vector p50 at %d chunks (%.2f vs %.2f ms: %.2f×)",
                               latencyChunks, h.p50Milliseconds, v.p50Milliseconds, h.p50Milliseconds / v.p50Milliseconds),
                        h.p50Milliseconds <= 1.2 * v.p50Milliseconds))
        }
        return out
    }
}
