import Foundation

/// The report as one self-contained HTML page: inline CSS and SVG, no scripts, no external assets (it opens
/// from a mail attachment or a file share as it does from the server).
public enum ReportPage {
    /// The page for `data`.
    public static func render(_ data: ReportData) -> String {
        let e = SVGChart.escape
        let labels = data.days.map(\.day)
        let scope = data.tenant.map { "tenant \(e($0))" } ?? "all tenants"
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Cairn answer report · \(scope) · \(e(data.from)) to \(e(data.to))</title>
            <style>\(style)</style></head><body>
            <header><div class="brand">Cairn</div><h1>How the AI coach answered</h1>
            <p class="scope">\(scope) · \(e(data.from)) to \(e(data.to)) · generated \(e(String(data.generatedAt.prefix(16))))Z</p>
            </header><main>
            """
        html += statusBanner(data)
        html += tiles(data)
        if data.total.answers == 0 {
            html += "<section><p class=\"empty\">No answers were recorded in this period.</p></section>"
        } else {
            html += "<section class=\"charts\">"
            html += SVGChart.bars("Answers per day", labels: labels, values: data.days.map { Double($0.answers) },
                                  color: "#2e90fa", unit: "answers", format: { String(Int($0)) })
            let p95 = data.objectives.first { $0.metric == .latencyP95 }
            html += SVGChart.lines(
                "Latency per day (exact percentiles)", labels: labels,
                series: [.init(name: "p50", color: "#12b76a", values: data.days.map(\.latencyP50)),
                         .init(name: "p95", color: "#f79009", values: data.days.map(\.latencyP95)),
                         .init(name: "p99", color: "#7a5af8", values: data.days.map(\.latencyP99), dash: "5 3")],
                threshold: p95.map { .init(value: $0.target, label: "p95 objective ≤ \(Int($0.target)) ms") },
                unit: "ms", format: { String(Int($0)) })
            let rate = data.objectives.first { $0.metric == .citationRate }
            html += SVGChart.bars(
                "Citation rate per day (share of sentences citing a source)", labels: labels,
                values: data.days.map { $0.citationRateMean.map { $0 * 100 } }, color: "#12b76a",
                threshold: rate.map { .init(value: $0.target * 100, label: "objective ≥ \(Int($0.target * 100)) %") },
                higherIsBetter: true, unit: "%", format: { String(format: "%.0f", $0) })
            let cost = data.objectives.first { $0.metric == .costPerAnswer }
            html += SVGChart.bars(
                "Cost per answer per day", labels: labels,
                values: data.days.map { $0.costPerAnswer.map { Double($0.hundredths) / 100 } }, color: "#2e90fa",
                threshold: cost.map { .init(value: $0.target, label: "objective ≤ ¥\(yen($0.target))") },
                unit: "yen", format: { "¥" + yen($0) })
            html += "</section>"
            html += objectivesTable(data)
            html += "<section class=\"two\"><div><h2>Most-cited materials</h2>"
            html += SVGChart.ranking("Most-cited materials", items: data.topMaterials.map {
                (label: "\($0.title) (#\($0.materialID), \($0.license))", value: Double($0.citations))
            }, color: "#2e90fa")
            html += "</div><div><h2>Citations by licence</h2>"
            html += SVGChart.ranking("Citations by licence", items: data.licences.map {
                (label: $0.license, value: Double($0.citations))
            }, color: "#7a5af8")
            html += "</div></section>"
            html += uncitedTable(data)
        }
        html += """
            </main><footer>
            <p><b>Citation rate</b>: the share of an answer's sentences carrying at least one citation marker such as
            [1] (sentences end at . ! ? followed by a space, at 。！？ and at line breaks), averaged over the day's answers.
            <b>Latency</b>: exact nearest-rank percentiles of each answer's total time (PostgreSQL's percentile_disc).
            <b>Cost</b>: tokens × the price table's yen per million tokens, rounded to hundredths of a yen per answer;
            answers of models without a price are left out of the cost figures.</p></footer></body></html>
            """
        return html
    }

    static func yen(_ value: Double) -> String { String(format: "%.2f", value) }

    static func statusBanner(_ data: ReportData) -> String {
        let judged = data.days.filter { $0.allMet != nil }
        let met = judged.filter { $0.allMet == true }.count
        let (cls, text): (String, String)
        if judged.isEmpty {
            (cls, text) = ("neutral", "No day in this period had answers to judge against the objectives.")
        } else if met == judged.count {
            (cls, text) = ("good", "Every objective was met on all \(judged.count) days with answers.")
        } else {
            let missed = judged.count - met
            (cls, text) = ("bad", "Objectives were missed on \(missed) of \(judged.count) days with answers.")
        }
        return "<section class=\"banner \(cls)\"><p>\(text)</p></section>"
    }

    static func tiles(_ data: ReportData) -> String {
        let t = data.total
        func tile(_ label: String, _ value: String, _ note: String = "", met: Bool? = nil) -> String {
            let cls = met.map { $0 ? " met" : " missed" } ?? ""
            return "<div class=\"tile\(cls)\"><div class=\"value\">\(SVGChart.escape(value))</div><div class=\"label\">"
                + "\(SVGChart.escape(label))</div><div class=\"note\">\(SVGChart.escape(note))</div></div>"
        }
        func objective(_ metric: ServiceLevelObjective.Metric) -> Bool? {
            t.objectives.first { $0.metric == metric.rawValue }?.met
        }
        let feedback = t.feedbackPositive + t.feedbackNeutral + t.feedbackNegative
        var out = "<section class=\"tiles\">"
        out += tile("answers", "\(t.answers)", "\(t.uniqueUsers) students")
        out += tile("citation rate", t.citationRateMean.map { String(format: "%.0f %%", $0 * 100) } ?? "–",
                    t.citationsPerAnswer.map { String(format: "%.1f citations per answer", $0) } ?? "",
                    met: objective(.citationRate))
        out += tile("p95 latency", t.latencyP95.map { "\(Int($0)) ms" } ?? "–",
                    t.latencyP50.map { "p50 \(Int($0)) ms" } ?? "", met: objective(.latencyP95))
        out += tile("cost per answer", t.costPerAnswer.map { "¥\($0)" } ?? "–", "¥\(t.totalCost) in total",
                    met: objective(.costPerAnswer))
        out += tile("without a citation", "\(t.answersWithoutCitation)",
                    t.answers > 0 ? String(format: "%.0f %% of answers", 100 * Double(t.answersWithoutCitation) / Double(t.answers)) : "")
        out += tile("feedback", "+\(t.feedbackPositive) / −\(t.feedbackNegative)",
                    "\(feedback) of \(t.answers) answers rated")
        out += "</section>"
        return out
    }

    static func objectivesTable(_ data: ReportData) -> String {
        guard !data.objectives.isEmpty else { return "" }
        let days = data.days.suffix(31)
        var out = "<section><h2>Objectives per day</h2><div class=\"scroll\"><table class=\"slo\"><thead><tr><th>objective</th>"
        for d in days { out += "<th>\(SVGChart.escape(String(d.day.suffix(5))))</th>" }
        out += "</tr></thead><tbody>"
        for o in data.objectives {
            let bound = o.metric.isUpperBound ? "≤" : "≥"
            out += "<tr><th>\(SVGChart.escape(o.metric.rawValue)) \(bound) \(SVGChart.escape(format(o.target, o.metric)))</th>"
            for d in days {
                let r = d.objectives.first { $0.metric == o.metric.rawValue }
                let (cls, mark) = switch r?.met {
                case true?: ("met", "✓")
                case false?: ("missed", "✗")
                case nil: ("none", "–")
                }
                let title = r?.actual.map { format($0, o.metric) } ?? "no answers"
                out += "<td class=\"\(cls)\" title=\"\(SVGChart.escape(title))\">\(mark)</td>"
            }
            out += "</tr>"
        }
        return out + "</tbody></table></div></section>"
    }

    static func format(_ value: Double, _ metric: ServiceLevelObjective.Metric) -> String {
        switch metric {
        case .latencyP50, .latencyP95, .latencyP99: "\(Int(value.rounded())) ms"
        case .costPerAnswer: "¥" + yen(value)
        case .citationRate, .negativeFeedbackShare, .uncitedShare: String(format: "%.0f %%", value * 100)
        case .relevance: String(format: "%.2f", value)
        }
    }

    static func uncitedTable(_ data: ReportData) -> String {
        var out = "<section><h2>Answers without citations</h2>"
        guard !data.uncited.isEmpty else { return out + "<p class=\"empty\">Every answer cited a source.</p></section>" }
        out += "<table class=\"list\"><thead><tr><th>when (UTC)</th><th>tenant</th><th>model</th><th>question</th>"
            + "<th>dialogue</th></tr></thead><tbody>"
        for u in data.uncited {
            out += "<tr><td>\(SVGChart.escape(String(u.createdAt.prefix(16)).replacingOccurrences(of: "T", with: " ")))</td>"
                + "<td>\(SVGChart.escape(u.tenant))</td><td>\(SVGChart.escape(u.model))</td>"
                + "<td>\(SVGChart.escape(SVGChart.truncate(u.query, 120)))</td><td>#\(u.id)</td></tr>"
        }
        return out + "</tbody></table></section>"
    }

    static let style = """
        :root{--ink:#101828;--muted:#667085;--line:#eaecf0;--good:#027a48;--bad:#b42318}
        *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
        "Noto Sans CJK JP",sans-serif;color:var(--ink);background:#f9fafb}
        header{background:#0b1f33;color:#fff;padding:20px max(16px,3vw)}header h1{margin:4px 0 2px;font-size:24px}
        .brand{font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:12px;color:#84caff}
        .scope{margin:0;color:#d0d5dd}main{max-width:1180px;margin:0 auto;padding:20px max(16px,3vw)}
        section{margin:0 0 24px}h2{font-size:17px;margin:0 0 10px}
        .banner p{margin:0;padding:12px 16px;border-radius:8px;font-weight:600}
        .banner.good p{background:#ecfdf3;color:var(--good)}.banner.bad p{background:#fef3f2;color:var(--bad)}
        .banner.neutral p{background:#f2f4f7;color:var(--muted)}
        .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px}
        .tile{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;border-top:4px solid #d0d5dd}
        .tile.met{border-top-color:#12b76a}.tile.missed{border-top-color:#f04438}
        .tile .value{font-size:26px;font-weight:700}.tile .label{color:var(--muted);font-size:13px}
        .tile .note{color:var(--muted);font-size:12px}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(460px,100%),1fr));gap:16px}
        figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 12px 8px}
        figcaption{font-weight:600;margin:0 0 6px}svg.chart{width:100%;height:auto;display:block}
        .grid{stroke:#eaecf0}.axis{fill:#667085;font-size:11px}.label{fill:#344054;font-size:12px}
        .value{fill:#344054;font-size:12px}.target{stroke:#b42318;stroke-dasharray:6 4;stroke-width:1.5}
        .target-label{fill:#b42318;font-size:11px}.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;color:#475467}
        .key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
        .two{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(460px,100%),1fr));gap:16px}
        .two>div{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px}
        .scroll{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:10px}
        table{border-collapse:collapse;width:100%;font-size:13px}table.list td:nth-child(4){word-break:break-word}th,td{padding:6px 8px;border-bottom:1px solid var(--line);
        text-align:left}table.slo td{text-align:center;font-weight:700}td.met{color:var(--good);background:#ecfdf3}
        td.missed{color:var(--bad);background:#fef3f2}td.none{color:#98a2b3}table.slo th{white-space:nowrap}
        table.list{background:#fff;border:1px solid var(--line)}.empty{color:var(--muted)}
        footer{max-width:1180px;margin:0 auto;padding:0 32px 32px;color:var(--muted);font-size:12px}
        """
}
