import CairnIndex
import CairnVectorMath
import Dispatch
import Synchronization

extension IndexBenchRunner {
    /// Recall, throughput and latency at one ef_search value.
    func measure(
        _ index: HNSWIndex, data: IndexBenchDataset, ef: Int, threads: Int
    ) throws(IndexBenchError) -> IndexBenchRun {
        let n = data.base.rows
        let k = min(settings.k, n)
        let deep = min(max(k, IndexBenchSettings.groundTruthK), n)
        let shallow = try results(index, data: data, k: k, ef: ef, threads: threads)
        let deepResults = deep > k ? try results(index, data: data, k: deep, ef: ef, threads: threads) : shallow
        let truth = data.groundTruth
        let (single, latencies) = try singleThreadLoop(index, data: data, k: k, ef: ef)
        let all = try allThreadsLoop(index, data: data, k: k, ef: ef, threads: threads)
        return IndexBenchRun(
            efSearch: ef,
            recallAt1: Recall.mean(at: 1, found: shallow, truth: truth),
            recallAt10: Recall.mean(at: 10, found: k >= 10 ? shallow : deepResults, truth: truth),
            recallAt100: Recall.mean(at: 100, found: deepResults, truth: truth),
            qps1t: single, qpsAll: all,
            p50Us: Double(BenchClock.quantile(latencies, 0.50)) / 1000,
            p99Us: Double(BenchClock.quantile(latencies, 0.99)) / 1000)
    }

    /// The labels found for every query (all threads, untimed).
    func results(
        _ index: HNSWIndex, data: IndexBenchDataset, k: Int, ef: Int, threads: Int
    ) throws(IndexBenchError) -> [[UInt64]] {
        let count = data.queries.rows
        let out = RowSlots<[UInt64]>(count: count, initial: [])
        defer { out.free() }
        let failure = Mutex<String?>(nil)
        let next = Atomic<Int>(0)
        let options = SearchOptions(k: k, efSearch: ef)
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
            while true {
                let q = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if q >= count { return }
                do throws(IndexError) {
                    out.pointer[q] = try index.search(data.query(q), options: options).hits.map(\.label)
                } catch {
                    failure.withLock { if $0 == nil { $0 = "query \(q): \(error)" } }
                }
            }
        }
        if let message = failure.withLock({ $0 }) { throw .dataset("searching at ef_search \(ef) failed: \(message)") }
        return Array(UnsafeBufferPointer(start: out.pointer, count: count))
    }

    /// One thread over all queries, each timed, ``IndexBenchSettings/repeats`` times.
    /// - Returns: queries per second of the fastest pass and the sorted latencies of all passes, in nanoseconds.
    func singleThreadLoop(
        _ index: HNSWIndex, data: IndexBenchDataset, k: Int, ef: Int
    ) throws(IndexBenchError) -> (qps: Double, latencies: [UInt64]) {
        let count = data.queries.rows
        let options = SearchOptions(k: k, efSearch: ef)
        var latencies: [UInt64] = []
        latencies.reserveCapacity(count * settings.repeats)
        var fastest = UInt64.max
        var failed = 0
        for _ in 0..<settings.repeats {
            let passStart = BenchClock.nanoseconds()
            var before = passStart
            for q in 0..<count {
                if (try? index.search(data.query(q), options: options)) == nil { failed += 1 }
                let after = BenchClock.nanoseconds()
                latencies.append(after - before)
                before = after
            }
            fastest = min(fastest, before - passStart)
        }
        guard failed == 0 else { throw .failed("\(failed) searches failed at ef_search \(ef)") }
        latencies.sort()
        return (BenchClock.rate(count, seconds: Double(fastest) / 1e9), latencies)
    }

    /// `threads` threads sharing the queries; the fastest of ``IndexBenchSettings/repeats`` passes, in queries/s.
    func allThreadsLoop(
        _ index: HNSWIndex, data: IndexBenchDataset, k: Int, ef: Int, threads: Int
    ) throws(IndexBenchError) -> Double {
        let count = data.queries.rows
        let options = SearchOptions(k: k, efSearch: ef)
        let failed = Atomic<Int>(0)
        var fastest = UInt64.max
        for _ in 0..<settings.repeats {
            let next = Atomic<Int>(0)
            let start = BenchClock.nanoseconds()
            DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
                while true {
                    let q = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if q >= count { return }
                    if (try? index.search(data.query(q), options: options)) == nil { failed.add(1, ordering: .relaxed) }
                }
            }
            fastest = min(fastest, BenchClock.nanoseconds() - start)
        }
        let failures = failed.load(ordering: .relaxed)
        guard failures == 0 else { throw .failed("\(failures) searches failed at ef_search \(ef)") }
        return BenchClock.rate(count, seconds: Double(fastest) / 1e9)
    }
}

/// A buffer that concurrent workers fill at disjoint indices.
struct RowSlots<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    let count: Int

    init(count: Int, initial: T) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: initial, count: count)
    }

    func free() {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }
}
