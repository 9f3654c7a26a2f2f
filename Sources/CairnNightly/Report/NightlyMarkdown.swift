import Foundation

/// The Markdown summary of a nightly run, for a CI log: the machine, each section's time, every figure with
/// its peer and ratio, and the regressions (or that there were none) with the runs they were judged against.
public enum NightlyMarkdown {
    public static func summary(_ run: NightlyRun, comparableRuns: Int) -> String {
        var lines: [String] = []
        lines.append("# Nightly benchmark, run \(run.id) (\(run.startedAt))")
        lines.append("")
        lines.append("Commit `\(run.commit)` on \(run.machine.kind) (BLAS \(run.machine.blasCore), "
            + String(format: "%.1f GiB); %.1f min; load average %.2f before, %.2f after.", run.machine.memoryGiB,
                     run.wallSeconds / 60, run.loadBefore, run.loadAfter))
        lines.append("")
        lines.append("| section | status | seconds | peers missing |")
        lines.append("|---|---|---:|---|")
        for s in run.sections {
            let status = s.detail.map { "\(s.status.rawValue): \($0)" } ?? s.status.rawValue
            lines.append("| \(s.name) | \(status) | \(String(format: "%.1f", s.seconds)) | "
                + (s.missingPeers.isEmpty ? "–" : s.missingPeers.joined(separator: ", ")) + " |")
        }
        lines.append("")
        lines.append("| figure | Cairn | peer | peer's | Cairn/peer |")
        lines.append("|---|---:|---|---:|---:|")
        let flagged = Set(run.regressions.map(\.figure))
        for f in run.figures {
            let name = flagged.contains(f.key) ? "**\(f.key)** ⚠" : f.key
            lines.append("| \(name) | \(number(f.value)) \(f.unit) | \(f.peer ?? "–") | "
                + "\(f.peerValue.map { number($0) } ?? "–") | \(f.ratio.map { String(format: "%.2f", $0) } ?? "–") |")
        }
        lines.append("")
        if run.regressions.isEmpty {
            lines.append("No regression (floors, and the median of up to \(comparableRuns) comparable runs).")
        } else {
            lines.append("## Regressions")
            lines.append("")
            for r in run.regressions { lines.append("- " + r.line) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return abs(x) >= 100 ? String(format: "%.0f", x) : String(format: "%.4g", x)
    }
}
