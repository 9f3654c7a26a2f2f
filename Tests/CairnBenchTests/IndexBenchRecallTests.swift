import CairnBench
import Testing

/// recall@R on cases small enough to check by hand.
@Suite struct IndexBenchRecallTests {
    @Test func oneQuery() {
        let truth: [Int32] = [3, 5, 7, 1]
        #expect(Recall.at(1, found: [3, 9], truth: truth) == 1)
        #expect(Recall.at(1, found: [5, 3], truth: truth) == 0, "only the first result counts at R = 1")
        #expect(Recall.at(2, found: [7, 3, 9], truth: truth) == 0.5, "{7, 3} ∩ {3, 5} = {3}")
        #expect(Recall.at(3, found: [7, 3, 9], truth: truth) == 2.0 / 3.0, "order inside the top R is free")
        #expect(Recall.at(4, found: [1, 7, 5, 3], truth: truth) == 1)
        #expect(Recall.at(4, found: [1, 7], truth: truth) == 0.5, "missing results count as misses")
    }

    @Test func depthShrinksToTheTruthAvailable() {
        #expect(Recall.at(10, found: [2, 1, 9], truth: [1, 2]) == 1, "a base of 2 has only 2 true neighbours")
        #expect(Recall.at(10, found: [], truth: []) == 1)
    }

    @Test func meanOverQueries() {
        let truth: [[Int32]] = [[0, 1, 2], [5, 6, 7], [9, 8, 4]]
        let found: [[UInt64]] = [[0, 1, 2], [6, 40, 41], [4, 8, 9]]
        #expect(Recall.mean(at: 1, found: found, truth: truth) == 1.0 / 3.0)
        #expect(Recall.mean(at: 3, found: found, truth: truth) == 7.0 / 9.0)
        #expect(Recall.mean(at: 2, found: found, truth: truth) == 4.0 / 6.0)
    }
}
