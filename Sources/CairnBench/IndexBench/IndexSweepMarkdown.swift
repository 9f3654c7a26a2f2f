public import Foundation

/// The Markdown report of an ``IndexSweep``: one table per size with single-thread queries/s at each recall
/// target for every engine and ef_construction, then build time and bytes per vector, then the targets
/// Cairn misses.
///
/// ```swift
/// let text = IndexSweepMarkdown.document(report, command: "cairn bench index --sizes …", date: Date())
/// ```
public enum IndexSweepMarkdown {
    /// The engines with a column in the tables.
    static let engines = ["cairn"] + PeerComparison.graphPeers

    /// The whole report file.
    public static func document(
        _ report: IndexSweepReport, command: String, date: Date, runtime: TimeInterval? = nil
    ) -> String {
        var out = [
            "# cairn bench index: size sweep", "",
            "- date: \(ISO8601DateFormatter().string(from: date))",
            "- command: `\(command)`",
            "- cores: \(ProcessInfo.processInfo.activeProcessorCount); Cairn SIMD \(report.simd), BLAS core \(report.blasCore)",
        ]
        if let runtime { out.append("- runtime: \(IndexBenchMarkdown.seconds(runtime))") }
        out += [
            "",
            "Single-thread queries/s at a recall@10 target, read off each engine's curve over its ef_search "
                + "grid (interpolated between the two ef values around the target, never extrapolated; the ef "
                + "shown is the smallest measured one reaching the target). Builds use every core.",
        ]
        for n in orderedSizes(report) {
            let entries = report.entries.filter { $0.n == n }
            out += ["", "## n = \(n)", ""] + table(entries)
            for e in entries {
                out += ["", "ef_construction \(e.efConstruction), per ef_search: recall@10 / single-thread queries/s", ""]
                    + curve(e)
            }
        }
        let misses = missedTargets(report)
        out += ["", "## Targets", ""]
        out += misses.isEmpty ? ["Cairn meets every target measured."] : misses.map { "- missed: \($0)" }
        let errors = report.entries.flatMap { e in (e.peers?.errors ?? []).map { "n = \(e.n), ef_c = \(e.efConstruction): \($0)" } }
        if !errors.isEmpty { out += ["", "## Peer errors", ""] + errors.map { "- \($0)" } }
        return out.joined(separator: "\n") + "\n"
    }

    /// The table of one size: a row per (ef_construction, recall target), then build and size rows.
    static func table(_ entries: [IndexSweepEntry]) -> [String] {
        let int8 = entries.contains { $0.int8 != nil }
        var rows = [
            "| ef_construction | measure | Cairn |" + (int8 ? " Cairn int8 |" : "")
                + " hnswlib | faiss | usearch | Cairn / best peer |" + (int8 ? " int8 / hnswlib |" : "") + " target |",
            "|---:|---|---:|" + (int8 ? "---:|" : "") + "---:|---:|---:|---:|" + (int8 ? "---:|" : "") + "---|",
        ]
        for e in entries {
            let quantized = e.int8Peers?.atRecall ?? e.int8.map { cairnOnly($0) }
            for (i, t) in (e.peers?.atRecall ?? cairnOnly(e.cairn)).enumerated() {
                let ran = Set(["cairn"] + (e.peers?.peerReports.map(\.engine) ?? []))
                var cells = engines.map { name in
                    guard ran.contains(name) else { return "–" }
                    let v = t.value(of: name)
                    return IndexBenchMarkdown.atTarget(v.qps, v.ef)
                }
                let q = quantized.map { $0[i] }
                if int8 { cells.insert(q.map { IndexBenchMarkdown.atTarget($0.cairnQps1t, $0.cairnEfSearch) } ?? "–", at: 1) }
                rows.append("| \(e.efConstruction) | QPS 1t at recall@10 \(IndexBenchMarkdown.fixed(t.recallAt10, 2)) | "
                    + cells.joined(separator: " | ") + " | \(IndexBenchMarkdown.ratioText(t.ratioVsBestPeer))"
                    + "\(t.bestPeer.map { " (\($0))" } ?? "") |"
                    + (int8 ? " \(IndexBenchMarkdown.ratioText(q?.ratio)) |" : "") + " ≥ 1.0\(int8 ? "; int8 ≥ 1.5 × hnswlib at 0.95 (1M)" : "") |")
            }
        }
        for e in entries {
            var reports = reports(of: e)
            if int8 { reports.insert(e.int8, at: 1) }
            let blank = int8 ? " |" : ""
            rows.append("| \(e.efConstruction) | build, \(e.cairn.buildThreads) threads | "
                + reports.map { $0.map { IndexBenchMarkdown.seconds($0.buildSeconds) } ?? "–" }.joined(separator: " | ")
                + " | \(IndexBenchMarkdown.ratioText(e.peers?.buildSecondsRatioVsBestPeer))"
                + "\(e.peers?.fastestBuildPeer.map { " (\($0))" } ?? "") |\(blank) ≤ 1.0 |")
            rows.append("| \(e.efConstruction) | bytes per vector | "
                + reports.map { $0.map { IndexBenchMarkdown.fixed($0.bytesPerVector, 1) } ?? "–" }.joined(separator: " | ")
                + " | \(IndexBenchMarkdown.ratioText(e.peers?.bytesPerVectorRatio)) (hnswlib) |"
                + (int8 ? " \(IndexBenchMarkdown.ratioText(e.int8Peers?.bytesPerVectorRatio)) |" : "") + " ≤ 1.05 × hnswlib |")
            rows.append("| \(e.efConstruction) | load saved index | "
                + reports.map { $0.map { IndexBenchMarkdown.seconds($0.loadSeconds) } ?? "–" }.joined(separator: " | ")
                + " | |\(blank) |")
        }
        return rows
    }

    /// Every engine's measured curve of one pair, a row per ef_search value.
    static func curve(_ e: IndexSweepEntry) -> [String] {
        let named: [(String, IndexBenchReport)] = [("Cairn", e.cairn)] + (e.int8.map { [("Cairn int8", $0)] } ?? [])
            + (e.peers?.peerReports ?? []).map { ($0.engine, $0) }
        var rows = ["| ef_search | " + named.map(\.0).joined(separator: " | ") + " |",
                    "|---:|" + String(repeating: "---:|", count: named.count)]
        for run in e.cairn.runs {
            let cells = named.map { _, report -> String in
                guard let r = report.runs.first(where: { $0.efSearch == run.efSearch }) else { return "–" }
                return "\(IndexBenchMarkdown.fixed(r.recallAt10, 4)) / \(IndexBenchMarkdown.fixed(r.qps1t, 0))"
            }
            rows.append("| \(run.efSearch) | " + cells.joined(separator: " | ") + " |")
        }
        return rows
    }

    /// Cairn's report and each peer's (nil where it did not run), in column order.
    static func reports(of e: IndexSweepEntry) -> [IndexBenchReport?] {
        [e.cairn, e.peers?.hnswlib, e.peers?.faiss, e.peers?.usearch]
    }

    /// The at-recall rows of a run without peers.
    static func cairnOnly(_ cairn: IndexBenchReport) -> [RecallTargetComparison] {
        PeerComparison.recallTargets.map { target in
            let v = PeerComparison.qps(cairn.runs, at: target)
            return RecallTargetComparison(recallAt10: target, cairnQps1t: v?.qps, cairnEfSearch: v?.ef)
        }
    }

    /// Every target of the issue Cairn misses, as sentences (empty when all are met or nothing compares).
    public static func missedTargets(_ report: IndexSweepReport) -> [String] {
        var out: [String] = []
        for e in report.entries {
            guard let p = e.peers else { continue }
            let at = "n = \(e.n), ef_c = \(e.efConstruction)"
            for t in p.atRecall {
                if let ratio = t.ratioVsBestPeer, ratio < 1 {
                    out.append("\(at): QPS at recall@10 \(IndexBenchMarkdown.fixed(t.recallAt10, 2)) is "
                        + "\(IndexBenchMarkdown.fixed(ratio, 2)) × \(t.bestPeer ?? "the best peer")")
                } else if t.cairnQps1t == nil, t.bestPeerQps1t != nil {
                    out.append("\(at): Cairn does not reach recall@10 \(IndexBenchMarkdown.fixed(t.recallAt10, 2)) "
                        + "on the ef grid, \(t.bestPeer ?? "a peer") does")
                }
            }
            if let ratio = p.buildSecondsRatioVsBestPeer, ratio > 1 {
                out.append("\(at): build is \(IndexBenchMarkdown.fixed(ratio, 2)) × \(p.fastestBuildPeer ?? "the fastest peer")")
            }
            // The int8 target is set at a million vectors, where the walk leaves the caches.
            if e.n >= 1_000_000, let q = e.int8Peers?.atRecall.first(where: { $0.recallAt10 == 0.95 }),
               let ratio = q.ratio, ratio < 1.5 {
                out.append("\(at): the int8 walk's QPS at recall@10 0.95 is \(IndexBenchMarkdown.fixed(ratio, 2)) × hnswlib (target 1.5)")
            }
            if let ratio = p.bytesPerVectorRatio, ratio > 1.05 {
                out.append("\(at): bytes per vector are \(IndexBenchMarkdown.fixed(ratio, 2)) × hnswlib")
            }
        }
        return out
    }

    static func orderedSizes(_ report: IndexSweepReport) -> [Int] {
        var seen: [Int] = []
        for e in report.entries where !seen.contains(e.n) { seen.append(e.n) }
        return seen
    }
}
