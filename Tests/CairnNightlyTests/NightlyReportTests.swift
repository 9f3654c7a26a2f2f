import CairnNightly
import Foundation
import Testing
import TestSupport

/// The HTML report: self-contained, the newest run's verdict and figures, a recall–throughput chart per
/// dataset with a line per engine, a trend per key figure over the same machine kind's runs with the
/// regression marked, and every run's machine.
@Suite struct NightlyReportTests {
    static func withCurves(_ run: NightlyRun) -> NightlyRun {
        var run = run
        let curves = ["cairn": 1.2, "cairn int8": 1.8, "hnswlib": 1.0, "faiss": 0.9].map { engine, speed in
            RecallCurve(engine: engine, dataset: "100k/64", points: [16, 64, 256].map { ef in
                .init(ef: ef, recall: 1 - 8 / Double(ef + 40), qps: speed * 200_000 / Double(ef + 20))
            })
        }
        run.sections[0].curves = curves.sorted { $0.engine < $1.engine }
        return run
    }

    @Test func theReportShowsTheNewestRunItsCurvesTrendsAndMachines() throws {
        let rules = RegressionRules(floors: [.init(figure: "index/recall@10 ef 64", min: 0.95)])
        var history = RegressionRulesTests.history.map(Self.withCurves)
        history.append(Self.withCurves(RegressionRulesTests.run(20, day: 9, machine: RegressionRulesTests.zen5)))
        var latest = Self.withCurves(RegressionRulesTests.run(8, day: 10, scale: ["index/qps@0.95 100k/64": 0.8]))
        latest.commit = "c8<&>"
        latest.regressions = rules.regressions(of: latest, history: history)
        #expect(latest.regressions.map(\.figure) == ["index/qps@0.95 100k/64"])
        let html = NightlyReport.render(history + [latest], rules: rules)

        // Self-contained: nothing fetched, nothing run.
        for banned in ["<script", "http://", "https://", "src=", "<link", "@import"] {
            #expect(!html.contains(banned), "\(banned)")
        }
        #expect(html.contains("Run 8 · 2026-12-10T02:00:00Z · commit <code>c8&lt;&amp;&gt;</code>"))
        #expect(html.contains("<div class=\"banner bad\">1 regression in run 8"))
        #expect(html.contains("REGRESSION index/qps@0.95 100k/64 (ratio to hnswlib)"))
        // The headline: the regressed row highlighted, the others judged against the median of earlier runs.
        let regressedRows = html.components(separatedBy: "<tr class=\"regressed\"><td>qps@0.95 100k/64</td>").count - 1
        #expect(regressedRows == 2)  // in the headline and under All figures
        // The headline holds each section's key figures (here up to three of index's: not bytes/vector); All
        // figures holds every one.
        let headline = try #require(html.components(separatedBy: "<h2>Headline</h2>").last?
            .components(separatedBy: "<h2>Sections</h2>").first)
        let everything = try #require(html.components(separatedBy: "<h2>All figures</h2>").last)
        #expect(!headline.contains("<td>bytes/vector</td>") && everything.contains("<td>bytes/vector</td>"))
        #expect(headline.contains("<td>retrieve p50</td>") && headline.contains("<td>hybrid nDCG@10</td>"))
        #expect(html.contains("<td>build 100k/64</td><td>14 s</td><td>faiss</td><td>15</td><td>1.07×</td><td>1.07×</td>"
            + "<td class=\"verdict\">ok</td>"))
        // One recall–throughput chart with the four engines, the peers dashed.
        let curves = try #require(html.range(of: "100k/64: queries/s against recall@10"))
        let chart = html[curves.lowerBound...].components(separatedBy: "</svg>")[0]
        for engine in ["cairn", "cairn int8", "hnswlib", "faiss"] {
            #expect(chart.contains("class=\"lg\">\(engine)</text>"), "\(engine)")
        }
        #expect(chart.components(separatedBy: "stroke-dasharray=\"6 4\"").count - 1 == 2)
        // Trends: over the 8 runs of this machine kind (not the other machine's), the regression in red.
        #expect(html.contains("8 runs on AMD EPYC 7B12 · avx2 · 2 cores"))
        let trend = try #require(html.range(of: "index/qps@0.95 100k/64 / hnswlib"))
        let trendChart = html[trend.lowerBound...].components(separatedBy: "</svg>")[0]
        #expect(trendChart.components(separatedBy: "fill=\"#c62828\"").count - 1 == 1)
        #expect(trendChart.contains("run 8 (c8&lt;&amp;&gt;): 1 — regression"))
        // Every run's machine, newest first, the other machine's too.
        #expect(html.components(separatedBy: "<td>AMD EPYC 9B45 · avx512 · 2 cores</td>").count - 1 == 1)
        #expect(html.components(separatedBy: "<td>AMD EPYC 7B12 · avx2 · 2 cores</td>").count - 1 == 8)
    }

    @Test func anEmptyHistorySaysHowToRecordARun() {
        let html = NightlyReport.render([])
        #expect(html.contains("No nightly run is recorded yet") && !html.contains("<svg"))
    }

    @Test func sectionsRecordedBeforeCurvesReadWithNone() throws {
        let old = #"{"name":"index","seconds":3.5,"status":"ok","missingPeers":["faiss"]}"#
        let section = try JSONDecoder().decode(NightlyRun.Section.self, from: Data(old.utf8))
        #expect(section.curves.isEmpty && section.missingPeers == ["faiss"] && section.detail == nil)
        let withCurve = NightlyRun.Section(name: "index", seconds: 1, status: .ok, curves: [
            RecallCurve(engine: "cairn", dataset: "20k/64", points: [.init(ef: 64, recall: 0.97, qps: 4_000)]),
        ])
        #expect(try JSONDecoder().decode(NightlyRun.Section.self, from: JSONEncoder().encode(withCurve)) == withCurve)
    }
}
