import CairnVectorMath
import Testing

/// `TopK` is `~Copyable`, which `#expect` cannot capture; the tests read it into plain values first.
@Suite("TopK")
struct TopKTests {
    struct State: Equatable {
        var ids: [UInt32]
        var threshold: Float
        var count: Int
    }

    func state(_ top: borrowing TopK<UInt32>) -> State {
        State(ids: top.sortedNeighbors().map(\.id), threshold: top.threshold, count: top.count)
    }

    @Test("keeps the k smallest of random input, sorted", arguments: [1, 5, 10, 64])
    func randomInput(k: Int) {
        var rng = TestRNG(seed: UInt64(k))
        let values = (0..<1000).map { _ in Float(rng.int(200)) / 7 }  // many duplicates
        var top = TopK<UInt32>(k: k)
        for (i, v) in values.enumerated() { top.push(v, id: UInt32(i)) }
        let expected = Array(values.enumerated().map { Neighbor(id: UInt32($0.offset), distance: $0.element) }.sorted().prefix(k))
        let found = top.sortedNeighbors(), full = top.isFull, threshold = top.threshold
        #expect(found == expected)
        #expect(full)
        #expect(threshold == expected.last!.distance)
    }

    @Test("ties keep the smallest ids whatever the arrival order")
    func ties() {
        var a = TopK<UInt32>(k: 3), b = TopK<UInt32>(k: 3)
        for id in [7, 3, 9, 1, 5] as [UInt32] { a.push(1.0, id: id) }
        for id in [5, 1, 9, 3, 7] as [UInt32] { b.push(1.0, id: id) }
        #expect(state(a).ids == [1, 3, 5])
        #expect(state(b).ids == [1, 3, 5])
        let keptLarger = a.push(1.0, id: 6), keptSmaller = a.push(1.0, id: 2)
        #expect(!keptLarger)
        #expect(keptSmaller)
        #expect(state(a).ids == [1, 2, 3])
    }

    @Test("threshold is +inf until full; k = 0 accepts nothing; NaN is rejected")
    func thresholds() {
        var top = TopK<UInt32>(k: 2)
        #expect(state(top) == State(ids: [], threshold: .infinity, count: 0))
        top.push(3, id: 0)
        #expect(state(top) == State(ids: [0], threshold: .infinity, count: 1))
        top.push(1, id: 1)
        #expect(state(top) == State(ids: [1, 0], threshold: 3, count: 2))
        let nan = top.push(.nan, id: 2), worse = top.push(4, id: 3), better = top.push(2, id: 4)
        #expect(!nan && !worse && better)
        #expect(state(top) == State(ids: [1, 4], threshold: 2, count: 2))
        top.reset()
        #expect(state(top) == State(ids: [], threshold: .infinity, count: 0))

        var none = TopK<UInt32>(k: 0)
        let pushed = none.push(0, id: 1)
        #expect(!pushed)
        #expect(state(none) == State(ids: [], threshold: -.infinity, count: 0))
        var fresh = TopK<UInt32>(k: 2)
        let pushedNaN = fresh.push(.nan, id: 1)
        #expect(!pushedNaN)
        #expect(state(fresh).count == 0)
    }

    @Test("fewer candidates than k, UInt64 payloads and merging")
    func payloadsAndMerge() {
        var top = TopK<UInt64>(k: 10)
        top.push(0.5, id: 1 << 40)
        top.push(0.25, id: 7)
        let r = top.sortedResults()
        #expect(r.map(\.id) == [7, 1 << 40])
        #expect(r.map(\.distance) == [0.25, 0.5])

        var x = TopK<UInt32>(k: 3), y = TopK<UInt32>(k: 3)
        for i in 0..<5 { x.push(Float(i), id: UInt32(i)) }
        for i in 0..<5 { y.push(Float(i) + 0.5, id: UInt32(100 + i)) }
        x.merge(y)
        #expect(state(x).ids == [0, 100, 1])
    }
}
