public import Foundation

/// Markdown views of an embedding benchmark: the per-engine table `cairn bench embed` prints, the
/// Cairn/peer ratios, and the whole report file written to `Benchmarks/results/<stamp>-embed.md`.
///
/// ```swift
/// print(EmbedBenchMarkdown.summary(report))
/// print(EmbedBenchMarkdown.table(report.runs + (report.peers?.runs ?? [])))
/// ```
public enum EmbedBenchMarkdown {
    /// One paragraph: model, text set, batch, BLAS and kernels.
    public static func summary(_ r: EmbedBenchReport) -> String {
        "**\(r.model)** (\(r.dim)-d, truncation at \(r.maxTokens) tokens) on \(r.queries) queries (batch 1) and "
            + "\(r.documents) documents (batch \(r.batch)) from `\(r.texts)`; best of \(r.repeats) passes; "
            + "BLAS core \(r.blasCore), SIMD \(r.simd)"
    }

    /// One row per engine and thread count.
    public static func table(_ runs: [EmbedBenchRun]) -> String {
        var rows = [
            "| engine | threads | docs/s (batch \(runs.first?.batch ?? EmbedBenchSettings.defaultDocumentBatch)) "
                + "| queries/s (batch 1) | query p50 ms | query p99 ms | doc tokens (mean) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for run in runs {
            rows.append("| \(run.engine) | \(run.threads) | \(fixed(run.docsPerS, 1)) | \(fixed(run.queriesPerS, 1)) | "
                + "\(fixed(run.queryP50Ms, 3)) | \(fixed(run.queryP99Ms, 3)) | "
                + "\(run.docTokensMean.map { fixed($0, 1) } ?? "–") |")
        }
        return rows.joined(separator: "\n")
    }

    /// The ratios against each peer, the targets, and the peers' errors.
    public static func comparison(_ p: EmbedPeerComparison) -> String {
        var out: [String] = []
        if !p.ratios.isEmpty {
            out += [
                "### Cairn / peer", "",
                "| peer | threads | docs/s Cairn/peer | query p50 Cairn/peer | queries/s Cairn/peer |",
                "|---|---:|---:|---:|---:|",
            ]
            for r in p.ratios {
                out.append("| \(r.peer) | \(r.threads) | \(ratioText(r.docsPerSRatio)) | "
                    + "\(ratioText(r.queryP50Ratio)) | \(ratioText(r.queriesPerSRatio)) |")
            }
            out.append("")
            out.append("docs/s ratios above 1 and query p50 ratios below 1 mean Cairn is faster.")
        }
        if !p.targets.isEmpty {
            out += ["", "### Targets", "", "| measure | threads | Cairn / \(p.targets[0].peer) | target | met |",
                    "|---|---:|---:|---|---|"]
            for t in p.targets {
                let met = t.met.map { $0 ? "yes" : "**no**" } ?? "–"
                out.append("| \(t.measure) | \(t.threads) | \(ratioText(t.ratio)) | \(t.target) | \(met) |")
            }
        }
        if !p.errors.isEmpty {
            out += ["", "### Peer errors", ""] + p.errors.map { "- \($0)" }
        }
        return out.joined(separator: "\n")
    }

    /// The report file: title, machine facts, summary, all engines' table, the comparison and runtimes.
    public static func document(_ report: EmbedBenchReport, command: String, date: Date) -> String {
        var out = [
            "# cairn bench embed: \(report.model)", "",
            "- date: \(ISO8601DateFormatter().string(from: date))",
            "- command: `\(command)`",
            "- cores: \(ProcessInfo.processInfo.activeProcessorCount)",
        ]
        if let warning = report.blasWarning { out.append("- warning: \(warning)") }
        out += ["", summary(report), "", table(report.runs + (report.peers?.runs ?? []))]
        if let peers = report.peers { out += ["", comparison(peers)] }
        let runtimes = (report.runs + (report.peers?.runs ?? [])).compactMap { run in
            run.runtime.map { "- \(run.engine), \(run.threads) thread\(run.threads == 1 ? "" : "s"): \($0)" }
        }
        if !runtimes.isEmpty { out += ["", "### Runtimes", ""] + runtimes }
        return out.joined(separator: "\n") + "\n"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { IndexBenchMarkdown.fixed(value, digits) }

    static func ratioText(_ value: Double?) -> String { IndexBenchMarkdown.ratioText(value) }
}
