@testable import CairnBench
import CairnNightly
import Testing

/// The filtered section measures each selectivity against exact search of the same subset, and says which
/// searches the index answered by scanning exactly (sets within the full-scan threshold).
@Suite struct NightlyFilteredSectionTests {
    @Test func eachSelectivityIsMeasuredAgainstExactSearch() throws {
        // 24,000 vectors: the 50 % set (~12,000) is above the 10,000 full-scan threshold and walks the graph;
        // the 5 % set (~1,200) is scanned exactly; 0.5 % (~120) too; 0.05 % (~12) too.
        let figures = try NightlyFilteredSection.figures(n: 24_000, queries: 40, dimension: 16) { _ in }
        func value(_ name: String) -> Double? { figures.first { $0.name == name }?.value }
        #expect(figures.allSatisfy { $0.section == "filtered" })
        #expect(value("exact-scan share 50%") == 0 && value("exact-scan share 5%") == 1
            && value("exact-scan share 0.05%") == 1, "\(figures)")
        #expect(value("recall@10 ef 64 5%") == 1 && value("recall@10 ef 64 0.5%") == 1)
        #expect((value("recall@10 ef 64 50%") ?? 0) > 0.8 && (value("recall@10 ef 64 50%") ?? 2) <= 1)
        let qps = try #require(figures.first { $0.name == "qps 50%" })
        #expect(qps.peer == "exact scan" && qps.ratio != nil && qps.kind == .throughput)
        #expect(NightlyFilteredSection.percent(0.0005) == "0.05%" && NightlyFilteredSection.percent(0.5) == "50%")
    }
}
