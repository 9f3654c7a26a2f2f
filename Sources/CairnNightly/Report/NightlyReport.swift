import Foundation

/// The nightly report: one self-contained HTML page (inline SVG and CSS, no scripts or external assets) of
/// the newest run — its verdict, headline table and recall–throughput curves — and of the history: trends of
/// the key Cairn/peer ratios over the runs on the same kind of machine, and the machine of every run.
public enum NightlyReport {
    /// Runs shown in the trends and the machines table.
    public static let historyShown = 30
    /// Trend charts per section.
    public static let trendsPerSection = 3

    /// The page for `runs` (any order; the newest by start time is the one reported).
    public static func render(_ runs: [NightlyRun], rules: RegressionRules = RegressionRules()) -> String {
        let e = NightlySVG.escape
        let ordered = runs.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        var html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>Cairn nightly benchmarks</title><style>\(style)</style></head><body><main>"
            + "<h1>Cairn nightly benchmarks</h1>"
        guard let latest = ordered.last else {
            return html + "<div class=\"banner none\">No nightly run is recorded yet. Run <code>cairn bench nightly "
                + "--data-dir DIR</code> with this server's data directory as DIR (or <code>CAIRN_DATA_DIR=DIR "
                + "Benchmarks/nightly.sh</code> from cron); it may run beside the server.</div></main></body></html>"
        }
        html += String(format: "<p class=\"sub\">Run %lld · %@ · commit <code>%@</code> · %@ · BLAS %@ · %.1f min · load "
                       + "%.2f → %.2f</p>", latest.id, e(latest.startedAt), e(latest.commit), e(latest.machine.kind),
                       e(latest.machine.blasCore), latest.wallSeconds / 60, latest.loadBefore, latest.loadAfter)
        html += banner(latest)
        // The key figures of each section, and any figure that regressed.
        let keys = Set(keyFigures(latest).map(\.key) + latest.regressions.map(\.figure))
        html += "<h2>Headline</h2><p class=\"note\">The key figures of each section and any that regressed; every "
            + "figure is under All figures below.</p>"
            + headline(latest, history: ordered, rules: rules) { keys.contains($0.key) }
        html += "<h2>Sections</h2>" + sectionsTable(latest)
        let datasets = unique(latest.curves.map(\.dataset))
        if !datasets.isEmpty {
            html += "<h2>Recall and throughput</h2><p class=\"note\">recall@10 against exact search and single-thread "
                + "queries/s across the ef sweep, Cairn (solid) and each peer (dashed) built and searched in this run. "
                + "pgvector is asked by one client over libpq, the others in process. Up and to the right is better.</p>"
                + "<div class=\"grid\">"
            for dataset in datasets {
                let curves = latest.curves.filter { $0.dataset == dataset }
                let series = curves.enumerated().map { i, c in
                    NightlySVG.Series(
                        name: c.engine, color: NightlySVG.palette[i % NightlySVG.palette.count],
                        points: c.points.map { p in
                            .init(x: p.recall, y: p.qps, tip: String(format: "%@ ef %d: recall %.3f, %.0f q/s", c.engine,
                                                                       p.ef, p.recall, p.qps))
                        }, dashed: !c.engine.hasPrefix("cairn"))
                }
                html += NightlySVG.lines("\(dataset): queries/s against recall@10", series: series, xTitle: "recall@10",
                                         yTitle: "queries/s (log)", logY: true)
            }
            html += "</div>"
        }
        html += "<h2>Trends</h2>" + trends(latest, history: ordered)
        html += "<h2>All figures</h2>" + headline(latest, history: ordered, rules: rules) { _ in true }
        html += "<h2>Runs and machines</h2>" + machines(ordered)
        return html + "</main></body></html>"
    }

    static func banner(_ run: NightlyRun) -> String {
        let failed = run.sections.filter { $0.status == .failed }.map(\.name)
        let missing = Set(run.sections.flatMap(\.missingPeers)).sorted()
        var notes: [String] = []
        if !failed.isEmpty { notes.append("sections failed: " + failed.joined(separator: ", ")) }
        if !missing.isEmpty { notes.append("peers missing: " + missing.joined(separator: ", ")) }
        let tail = notes.isEmpty ? "" : " · " + NightlySVG.escape(notes.joined(separator: " · "))
        guard !run.regressions.isEmpty else {
            return "<div class=\"banner ok\">No regression in run \(run.id)\(tail)</div>"
        }
        let n = run.regressions.count
        return "<div class=\"banner bad\">\(n) regression\(n == 1 ? "" : "s") in run \(run.id)\(tail)<ul>"
            + run.regressions.map { "<li>\(NightlySVG.escape($0.line))</li>" }.joined() + "</ul></div>"
    }

    /// Every figure of the run: its value, the peer's, the ratio, the median it is judged against, and a
    /// regressed row highlighted.
    static func headline(_ run: NightlyRun, history: [NightlyRun], rules: RegressionRules,
                         including: (BenchFigure) -> Bool) -> String {
        let e = NightlySVG.escape
        let earlier = RegressionRules.comparable(history, to: run)
        let regressed = Dictionary(run.regressions.map { ($0.figure, $0) }, uniquingKeysWith: { a, _ in a })
        var out = "<div class=\"wide\"><table class=\"figures\"><thead><tr><th>figure</th><th>Cairn</th><th>peer</th><th>peer's</th>"
            + "<th>Cairn/peer</th><th>median before</th><th>verdict</th></tr></thead><tbody>"
        var section = ""
        for f in run.figures where including(f) {
            if f.section != section {
                section = f.section
                out += "<tr class=\"group\"><th colspan=\"7\">\(e(section))</th></tr>"
            }
            let past = Array(earlier.lazy.compactMap { RegressionRules.judged(f, in: $0) }.prefix(rules.comparableRuns))
            let median = past.count >= rules.minimumRuns ? RegressionRules.median(past) : nil
            let verdict: String
            let cls: String
            if let r = regressed[f.key] {
                verdict = String(format: "%.1f %% worse", r.worseBy * 100) + (r.rule == .floor ? " (below floor)" : "")
                cls = "regressed"
            } else if f.kind == .info {
                verdict = "not judged"
                cls = ""
            } else if median == nil, !rules.floors.contains(where: { $0.figure == f.key }) {
                verdict = "\(past.count) of \(rules.minimumRuns) runs"
                cls = ""
            } else {
                verdict = "ok"
                cls = "ok"
            }
            out += "<tr class=\"\(cls)\"><td>\(e(f.name))</td><td>\(e(number(f.value))) \(e(f.unit))</td>"
                + "<td>\(e(f.peer ?? "–"))</td><td>\(f.peerValue.map { e(number($0)) } ?? "–")</td>"
                + "<td>\(f.ratio.map { String(format: "%.2f×", $0) } ?? "–")</td>"
                + "<td>\(median.map { e((f.ratio != nil ? String(format: "%.2f×", $0) : number($0))) } ?? "–")</td>"
                + "<td class=\"verdict\">\(e(verdict))</td></tr>"
        }
        return out + "</tbody></table></div>"
    }

    static func sectionsTable(_ run: NightlyRun) -> String {
        let e = NightlySVG.escape
        var out = "<div class=\"wide\"><table><thead><tr><th>section</th><th>status</th><th>seconds</th><th>peers missing</th><th>detail</th>"
            + "</tr></thead><tbody>"
        for s in run.sections {
            out += "<tr class=\"\(s.status == .failed ? "regressed" : "")\"><td>\(e(s.name))</td><td>\(s.status.rawValue)</td>"
                + "<td>\(String(format: "%.1f", s.seconds))</td><td>\(e(s.missingPeers.joined(separator: ", ")))</td>"
                + "<td>\(e(s.detail ?? ""))</td></tr>"
        }
        return out + "</tbody></table></div>"
    }

    /// The key figures' Cairn/peer ratios (or values without a peer) over the runs on the newest run's kind of
    /// machine: up to ``trendsPerSection`` per section, regressions marked in red.
    static func trends(_ latest: NightlyRun, history: [NightlyRun]) -> String {
        let runs = Array(history.filter { $0.machine.kind == latest.machine.kind }.suffix(historyShown))
        let keys = keyFigures(latest)
        guard !keys.isEmpty else { return "<p class=\"note\">No figures to follow yet.</p>" }
        var out = "<p class=\"note\">\(runs.count) run\(runs.count == 1 ? "" : "s") on \(NightlySVG.escape(latest.machine.kind)). "
            + "Ratios are Cairn against the peer of the same run (above 1: Cairn ahead); figures without a peer are "
            + "their own values. Red marks a regression.</p><div class=\"grid\">"
        let labels = runs.map { "#\($0.id) " + String($0.startedAt.dropFirst(5).prefix(5)) }
        for figure in keys {
            var points: [NightlySVG.Point] = []
            for (i, run) in runs.enumerated() {
                guard let y = RegressionRules.judged(figure, in: run) else { continue }
                let flagged = run.regressions.contains { $0.figure == figure.key }
                points.append(.init(x: Double(i), y: y, flagged: flagged,
                                    tip: "run \(run.id) (\(run.commit)): \(number(y))" + (flagged ? " — regression" : "")))
            }
            let title = figure.ratio != nil ? "\(figure.key) / \(figure.peer ?? "")" : figure.key
            out += NightlySVG.lines(title, series: [.init(name: figure.ratio != nil ? "Cairn/\(figure.peer ?? "peer")"
                                                            : "Cairn (\(figure.unit))", color: NightlySVG.palette[0],
                                                          points: points)],
                                    xTitle: "run", yTitle: figure.ratio != nil ? "Cairn/peer" : figure.unit,
                                    xLabels: labels, reference: figure.ratio != nil ? (1, "peer = 1") : nil,
                                    width: 560, height: 240)
        }
        return out + "</div>"
    }

    /// What each section is read for first, by figure-name prefix, in order.
    static let preferred: [String: [String]] = [
        "index": ["qps@recall0.95 ", "recall@10 ef 64 ", "pgvector qps@ef_search 100 "],
        "filtered": ["recall@10 ef 64 50% vs hnswlib", "qps 50% vs hnswlib", "qps 5% vs hnswlib"],
        "embed": ["docs/s 2t", "query p50 1t"],
        "ingest": ["chunks/s"],
        "serve": ["retrieve p50 idle", "req/s c=8", "recall@10"],
        "quality": ["nDCG@10 hybrid", "nDCG@10 vector", "nDCG@10 keyword"],
    ]

    /// Up to ``trendsPerSection`` figures per section: the preferred ones the run measured, then its first
    /// figures with a peer, then the others (never an info figure).
    static func keyFigures(_ run: NightlyRun) -> [BenchFigure] {
        var keys: [BenchFigure] = []
        for section in unique(run.figures.map(\.section)) {
            let inSection = run.figures.filter { $0.section == section && $0.kind != .info }
            let chosen = (preferred[section] ?? []).compactMap { prefix in inSection.first { $0.name.hasPrefix(prefix) } }
            let rest = inSection.filter { $0.ratio != nil } + inSection.filter { $0.ratio == nil }
            var seen = Set<String>()
            keys += (chosen + rest).filter { seen.insert($0.key).inserted }.prefix(trendsPerSection)
        }
        return keys
    }

    static func machines(_ runs: [NightlyRun]) -> String {
        let e = NightlySVG.escape
        var out = "<div class=\"wide\"><table><thead><tr><th>run</th><th>started</th><th>commit</th><th>machine</th><th>BLAS</th>"
            + "<th>load before → after</th><th>minutes</th><th>sections ok / failed / skipped</th><th>regressions</th>"
            + "</tr></thead><tbody>"
        for run in runs.suffix(historyShown).reversed() {
            let count = { (s: NightlyRun.Section.Status) in run.sections.filter { $0.status == s }.count }
            out += "<tr class=\"\(run.regressions.isEmpty ? "" : "regressed")\"><td>\(run.id)</td>"
                + "<td>\(e(String(run.startedAt.prefix(16)).replacingOccurrences(of: "T", with: " ")))</td>"
                + "<td><code>\(e(run.commit))</code></td><td>\(e(run.machine.kind))</td><td>\(e(run.machine.blasCore))</td>"
                + String(format: "<td>%.2f → %.2f</td><td>%.1f</td>", run.loadBefore, run.loadAfter, run.wallSeconds / 60)
                + "<td>\(count(.ok)) / \(count(.failed)) / \(count(.skipped))</td><td>\(run.regressions.count)</td></tr>"
        }
        return out + "</tbody></table></div>"
    }

    static func number(_ x: Double) -> String { NightlyMarkdown.number(x) }

    /// The distinct values in their first order.
    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    static let style = """
        body{font:14px/1.45 "Liberation Sans",Arial,sans-serif;color:#1d2430;background:#f6f7f9;margin:0}
        main{max-width:1200px;margin:0 auto;padding:20px 24px 40px}
        h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
        .sub,.note{color:#5a6472;margin:4px 0 10px}code{font-family:"Liberation Mono",monospace;font-size:12px}
        .banner{padding:10px 14px;border-radius:6px;font-weight:bold;margin:12px 0}
        .banner.ok{background:#e3f4e6;color:#1b5e20;border:1px solid #a5d6a7}
        .banner.bad{background:#fdecea;color:#b71c1c;border:1px solid #ef9a9a}
        .banner.none{background:#eef1f5;color:#37474f;border:1px solid #cfd8dc}
        .banner ul{margin:6px 0 0;padding-left:20px;font-weight:normal}
        table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
        .wide{overflow-x:auto;max-width:100%}
        th,td{border-bottom:1px solid #e3e6ea;padding:4px 8px;text-align:left;vertical-align:top}
        td:nth-child(n+2){font-variant-numeric:tabular-nums}
        tr.group th{background:#eef1f5;text-transform:uppercase;font-size:11px;letter-spacing:.05em}
        tr.regressed td{background:#fdecea;color:#b71c1c;font-weight:bold}tr.ok td.verdict{color:#1b5e20}
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(560px,100%),1fr));gap:12px}
        svg.chart{background:#fff;border:1px solid #e3e6ea;border-radius:4px;max-width:100%;height:auto}
        .ct{font-weight:bold;font-size:13px;fill:#1d2430}.tk{font-size:11px;fill:#5a6472}.at{font-size:12px;fill:#37474f}
        .lg{font-size:11px;fill:#1d2430}.cn{font-size:13px;fill:#8a94a0}.pa{fill:#fbfcfd;stroke:#cfd8dc}
        .gr{stroke:#e3e6ea}.ref{stroke:#8a94a0;stroke-dasharray:3 3}
        """
}
