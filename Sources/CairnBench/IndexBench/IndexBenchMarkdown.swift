public import Foundation

/// Markdown views of benchmark reports: the per-ef table `cairn bench index` prints, the side-by-side
/// comparison with peers, and the whole report file written to `Benchmarks/results/`.
///
/// ```swift
/// print(IndexBenchMarkdown.summary(report))
/// print(IndexBenchMarkdown.table(report))      // one row per ef_search value
/// ```
public enum IndexBenchMarkdown {
    /// One paragraph: dataset shape, parameters, build, size, load, kernels.
    public static func summary(_ r: IndexBenchReport) -> String {
        var build = "build \(seconds(r.buildSeconds)) on \(r.buildThreads) thread\(r.buildThreads == 1 ? "" : "s")"
        if let single = r.buildSeconds1t, r.buildThreads > 1 { build += " (\(seconds(single)) on 1)" }
        var kernels: [String] = []
        if let simd = r.simd { kernels.append("SIMD \(simd)") }
        if let core = r.blasCore { kernels.append("BLAS core \(core)") }
        return "**\(r.engine)**: n = \(r.n) × \(r.dim), M = \(r.m), ef_construction = \(r.efConstruction); "
            + "\(build); \(fixed(r.bytesPerVector, 1)) bytes/vector; load \(seconds(r.loadSeconds))"
            + (kernels.isEmpty ? "" : "; " + kernels.joined(separator: ", "))
    }

    /// The per-ef_search table, one row per run.
    public static func table(_ r: IndexBenchReport) -> String {
        var rows = [
            "| ef_search | recall@1 | recall@10 | recall@100 | QPS 1 thread | QPS \(r.buildThreads) threads "
                + "| p50 µs | p99 µs |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for run in r.runs {
            rows.append("| \(run.efSearch) | \(fixed(run.recallAt1, 4)) | \(fixed(run.recallAt10, 4)) | "
                + "\(fixed(run.recallAt100, 4)) | \(fixed(run.qps1t, 0)) | \(fixed(run.qpsAll, 0)) | "
                + "\(fixed(run.p50Us, 1)) | \(fixed(run.p99Us, 1)) |")
        }
        return rows.joined(separator: "\n")
    }

    /// Cairn and the graph peers side by side, the target measures with their ratios, and exact search.
    public static func comparison(_ cairn: IndexBenchReport, _ p: PeerComparison) -> String {
        var out: [String] = []
        let peers = p.peerReports
        if !peers.isEmpty {
            let engines = [cairn] + peers
            let names = ["Cairn"] + peers.map(\.engine)
            out += [
                "### Per ef_search (recall@10 and single-thread queries/s)", "",
                "| ef_search | " + names.map { "recall@10 \($0)" }.joined(separator: " | ") + " | "
                    + names.map { "QPS 1t \($0)" }.joined(separator: " | ") + " |",
                "|" + String(repeating: "---:|", count: 1 + 2 * engines.count),
            ]
            for run in cairn.runs {
                let matched = engines.map { e in e.runs.first { $0.efSearch == run.efSearch } }
                out.append("| \(run.efSearch) | "
                    + matched.map { $0.map { fixed($0.recallAt10, 4) } ?? "–" }.joined(separator: " | ") + " | "
                    + matched.map { $0.map { fixed($0.qps1t, 0) } ?? "–" }.joined(separator: " | ") + " |")
            }
            out += [
                "", "### Targets", "",
                "Queries/s at a recall@10 target are read off each engine's measured curve (interpolated between "
                    + "the two ef_search values around the target, never extrapolated; the ef shown is the "
                    + "smallest measured one reaching it).", "",
                "| measure | " + names.joined(separator: " | ") + " | Cairn/best peer | target |",
                "|---|" + String(repeating: "---:|", count: engines.count + 1) + "---|",
            ]
            for t in p.atRecall {
                out.append("| QPS 1t at recall@10 \(fixed(t.recallAt10, 2)) | "
                    + (["cairn"] + peers.map(\.engine)).map { name in
                        let v = t.value(of: name)
                        return atTarget(v.qps, v.ef)
                    }.joined(separator: " | ")
                    + " | \(ratioText(t.ratioVsBestPeer))\(t.bestPeer.map { " (\($0))" } ?? "") | ≥ 1.0 |")
            }
            out.append("| build, \(cairn.buildThreads) threads | " + engines.map { seconds($0.buildSeconds) }
                .joined(separator: " | ") + " | \(ratioText(p.buildSecondsRatioVsBestPeer))"
                + "\(p.fastestBuildPeer.map { " (\($0))" } ?? "") | ≤ 1.0 |")
            if engines.allSatisfy({ $0.buildSeconds1t != nil }) {
                out.append("| build, 1 thread | " + engines.map { seconds($0.buildSeconds1t!) }
                    .joined(separator: " | ") + " | | |")
            }
            out.append("| bytes per vector | " + engines.map { fixed($0.bytesPerVector, 1) }.joined(separator: " | ")
                + " | \(ratioText(p.bytesPerVectorRatio)) (hnswlib) | ≤ 1.05 × hnswlib |")
            out.append("| load saved index | " + engines.map { seconds($0.loadSeconds) }.joined(separator: " | ")
                + " | \(ratioText(p.loadSecondsRatio)) (hnswlib) | |")
        }
        if let x = p.exact {
            out += [
                "", "### Exact search (\(x.cairn.queries) queries, k = \(x.cairn.k), \(x.cairn.threads) threads)", "",
                "| engine | queries/s | GFLOP/s |", "|---|---:|---:|",
                "| Cairn ExactSearch (BLAS, top-k) | \(fixed(x.cairn.qps, 0)) | \(fixed(x.cairn.gflops, 1)) |",
            ]
            if let qps = x.numpyMatmulQps {
                out.append("| numpy Q @ X.T | \(fixed(qps, 0)) | \(x.numpyMatmulGflops.map { fixed($0, 1) } ?? "–") |")
            }
            if let qps = x.numpyTopkQps { out.append("| numpy Q @ X.T + argpartition | \(fixed(qps, 0)) | |") }
            out += ["", "Cairn / numpy matmul: \(ratioText(x.ratioVsNumpyMatmul)) (target ≥ 0.8); "
                + "Cairn / numpy matmul + argpartition: \(ratioText(x.ratioVsNumpyTopk))"]
            if let blas = x.numpyBlas, !blas.isEmpty { out.append("numpy BLAS: \(blas)") }
        }
        if !p.errors.isEmpty {
            out += ["", "### Peer errors", ""] + p.errors.map { "- \($0)" }
        }
        return out.joined(separator: "\n")
    }

    /// The report file: title, machine facts, Cairn's summary and table, then the comparison.
    public static func document(
        _ report: IndexBenchReport, peers: PeerComparison?, dataset: String, command: String, date: Date,
        notes: [String] = []
    ) -> String {
        var out = [
            "# cairn bench index: \(dataset)", "",
            "- date: \(ISO8601DateFormatter().string(from: date))",
            "- command: `\(command)`",
            "- cores: \(ProcessInfo.processInfo.activeProcessorCount)",
        ] + notes.map { "- \($0)" }
        out += ["", summary(report), "", table(report)]
        if let peers {
            for peer in peers.peerReports { out += ["", summary(peer), "", table(peer)] }
            out += ["", comparison(report, peers)]
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    static func seconds(_ value: Double) -> String {
        value < 1 ? "\(fixed(value * 1000, 1)) ms" : "\(fixed(value, 2)) s"
    }

    static func ratioText(_ value: Double?) -> String { value.map { fixed($0, 2) } ?? "–" }

    static func atTarget(_ qps: Double?, _ ef: Int?) -> String {
        guard let qps, let ef else { return "not reached" }
        return "\(fixed(qps, 0)) (ef \(ef))"
    }
}
