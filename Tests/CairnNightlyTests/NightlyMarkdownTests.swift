import CairnNightly
import Testing

/// The CI summary names the machine, each section, every figure with its peer and ratio, and each regression.
@Suite struct NightlyMarkdownTests {
    @Test func theSummaryShowsSectionsFiguresAndRegressions() {
        var run = RegressionRulesTests.run(9, day: 9, scale: ["serve/retrieve p50": 1.4])
        run.sections.append(.init(name: "serve", seconds: 0, status: .skipped, detail: "the 45-minute budget was spent"))
        run.sections[0].missingPeers = ["usearch"]
        run.regressions = RegressionRules().regressions(of: run, history: RegressionRulesTests.history)
        let text = NightlyMarkdown.summary(run, comparableRuns: 7)
        #expect(text.contains("# Nightly benchmark, run 9"))
        #expect(text.contains(RegressionRulesTests.zen2.kind))
        #expect(text.contains("| index | ok | 900.0 | usearch |"))
        #expect(text.contains("| serve | skipped: the 45-minute budget was spent | 0.0 | – |"))
        #expect(text.contains("| index/qps@0.95 100k/64 | 5000 q/s | hnswlib | 4000 | 1.25 |"), "\(text)")
        #expect(text.contains("| **serve/retrieve p50** ⚠ |"))
        #expect(text.contains("## Regressions") && text.contains("- REGRESSION serve/retrieve p50: 7.7 is 40.0 % worse"))
        let clean = NightlyMarkdown.summary(RegressionRulesTests.run(8, day: 8), comparableRuns: 7)
        #expect(clean.contains("No regression") && !clean.contains("## Regressions"))
    }
}
