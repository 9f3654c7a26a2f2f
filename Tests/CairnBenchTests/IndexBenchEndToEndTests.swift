import CairnBench
import Foundation
import Testing
import TestSupport

/// A whole `cairn bench index` run on a tiny synthetic set, without peers, and the peer runner's failure path.
@Suite struct IndexBenchEndToEndTests {
    static func settings(in dir: TemporaryDirectory) -> IndexBenchSettings {
        var s = IndexBenchSettings(source: .synthetic(n: 2000, queries: 200, dimension: 32, seed: 7))
        s.efSearch = [10, 200]
        s.threads = 2
        s.repeats = 1
        s.scratchDirectory = dir.path
        s.benchmarksDirectory = dir.file("Benchmarks")
        return s
    }

    @Test func tinySyntheticRunGivesSaneNumbers() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-bench-test")
        let settings = try Self.settings(in: dir).validated()
        let data = try IndexBenchDataset.load(settings)
        #expect(data.groundTruth.count == 200 && data.groundTruth.allSatisfy { $0.count == 100 })
        let report = try IndexBenchRunner(settings: settings).run(on: data)

        #expect(report.engine == "cairn")
        #expect(report.n == 2000 && report.dim == 32 && report.m == 16 && report.efConstruction == 64)
        #expect(report.buildThreads == 2)
        #expect(report.buildSeconds > 0 && (report.buildSeconds1t ?? 0) > 0)
        #expect(report.bytesPerVector > 32 * 4, "a vector's floats alone take 128 bytes")
        #expect(report.loadSeconds > 0 && report.loadSeconds < 5)
        #expect(report.runs.map(\.efSearch) == [10, 200])
        for run in report.runs {
            #expect(run.qps1t > 0 && run.qpsAll > 0)
            #expect(run.p50Us > 0 && run.p50Us <= run.p99Us)
            for r in [run.recallAt1, run.recallAt10, run.recallAt100] { #expect((0...1).contains(r)) }
        }
        #expect(report.runs[1].recallAt10 >= 0.9)
        #expect(report.runs[1].recallAt10 >= report.runs[0].recallAt10)

        // The ground truth was cached under Benchmarks/data/ and is reused by the next load.
        let cached = dir.file("Benchmarks/data/synthetic-n2000-q200-d32-s7.gt100.ivecs")
        #expect(FileManager.default.fileExists(atPath: cached))
        #expect(try IndexBenchDataset.load(settings).groundTruthPath == cached)
        // The scratch directory of the saved index is gone.
        #expect(try dir.contents() == ["Benchmarks"])

        let table = IndexBenchMarkdown.table(report).split(separator: "\n")
        #expect(table.count == 2 + report.runs.count)
        #expect(table.filter { $0.hasPrefix("| 10 |") }.count == 1)
        #expect(table.filter { $0.hasPrefix("| 200 |") }.count == 1)
    }

    @Test func aMissingPeerIsAMessageNotACrash() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-bench-test")
        var settings = Self.settings(in: dir)
        settings.efSearch = [20]
        settings.singleThreadBuild = false
        settings = try settings.validated()
        let data = try IndexBenchDataset.load(settings)
        let report = try IndexBenchRunner(settings: settings).run(on: data)
        #expect(report.buildSeconds1t == nil)

        let peers = PeerRunner(settings: settings, stamp: "test").run(cairn: report, data: data)
        #expect(peers.hnswlib == nil)
        #expect(peers.errors.count == 1)
        #expect(peers.errors.first?.contains(".venv/bin/python does not exist") == true)
        let exact = try #require(peers.exact, "Cairn's exact search is measured even without peers")
        #expect(exact.cairn.qps > 0 && exact.numpyMatmulQps == nil && exact.ratioVsNumpyMatmul == nil)
        // The synthetic set was still written as files a peer could read.
        let data0 = dir.file("Benchmarks/data/synthetic-n2000-q200-d32-s7")
        #expect(FileManager.default.fileExists(atPath: data0 + ".base.fvecs"))
        #expect(FileManager.default.fileExists(atPath: data0 + ".query.fvecs"))
    }

    @Test func settingsNameTheBadFlag() throws {
        var s = IndexBenchSettings(source: .synthetic(n: 10, queries: 1, dimension: 4, seed: 1))
        s.efSearch = [10, 0]
        #expect(throws: IndexBenchError.invalidSetting("--ef-search value 0 is out of range: expected 1...10000")) {
            try s.validated()
        }
        #expect(throws: IndexBenchError.self) { try IndexBenchSettings.parseEfList("10,x") }
        #expect(try IndexBenchSettings.parseEfList("10, 20,40") == [10, 20, 40])
    }
}
