import CairnNightly
import Foundation
import Testing
import TestSupport

/// Every regression rule catches a run made worse on purpose and lets an unchanged run pass; comparable runs
/// are the same machine kind, newest first; medians; the rule file is checked key by key.
@Suite struct RegressionRulesTests {
    static let zen2 = MachineInfo(cpuModel: "AMD EPYC 7B12", simd: "avx2", blasCore: "Zen", cores: 2, memoryGiB: 24)
    static let zen5 = MachineInfo(cpuModel: "AMD EPYC 9B45", simd: "avx512", blasCore: "Cooperlake", cores: 2,
                                  memoryGiB: 24)

    /// A run on `machine` whose figures are the baseline times `scale` (per key; 1 for the rest).
    static func run(_ id: Int64, day: Int, machine: MachineInfo = zen2, scale: [String: Double] = [:],
                    peerScale: Double = 1) -> NightlyRun {
        func s(_ key: String) -> Double { scale[key] ?? 1 }
        let figures = [
            BenchFigure(section: "index", name: "qps@0.95 100k/64", kind: .throughput, value: 5_000 * s("index/qps@0.95 100k/64"),
                        unit: "q/s", peer: "hnswlib", peerValue: 4_000 * peerScale),
            BenchFigure(section: "index", name: "recall@10 ef 64", kind: .recall, value: 0.96 * s("index/recall@10 ef 64"),
                        unit: "recall"),
            BenchFigure(section: "index", name: "build 100k/64", kind: .latency, value: 14 * s("index/build 100k/64"),
                        unit: "s", peer: "faiss", peerValue: 15 * peerScale),
            BenchFigure(section: "serve", name: "retrieve p50", kind: .latency, value: 5.5 * s("serve/retrieve p50"),
                        unit: "ms"),
            BenchFigure(section: "quality", name: "hybrid nDCG@10", kind: .quality, value: 0.67 * s("quality/hybrid nDCG@10"),
                        unit: "nDCG"),
            BenchFigure(section: "index", name: "bytes/vector", kind: .size, value: 1_700 * s("index/bytes/vector"),
                        unit: "bytes"),
        ]
        return NightlyRun(id: id, startedAt: String(format: "2026-12-%02dT02:00:00Z", day), commit: "c\(id)",
                          machine: machine, loadBefore: 0.1, loadAfter: 0.5, wallSeconds: 2_000,
                          sections: [.init(name: "index", seconds: 900, status: .ok)], figures: figures)
    }

    /// Seven earlier runs on the same machine with a little noise (±3 %).
    static let history: [NightlyRun] = (1...7).map { i in
        let noise = 1 + Double([0, 2, -1, 3, -3, 1, -2][i - 1]) / 100
        return run(Int64(i), day: i, scale: ["index/qps@0.95 100k/64": noise, "serve/retrieve p50": noise,
                                              "quality/hybrid nDCG@10": 1 + (noise - 1) / 10])
    }

    @Test func anUnchangedRunPasses() {
        let rules = RegressionRules(floors: [.init(figure: "index/recall@10 ef 64", min: 0.95)])
        #expect(rules.regressions(of: Self.run(8, day: 8), history: Self.history).isEmpty)
    }

    @Test func eachRuleCatchesARunMadeWorseOnPurpose() throws {
        let rules = RegressionRules(floors: [.init(figure: "index/recall@10 ef 64", min: 0.95)])
        let cases: [(String, Double, Regression.Rule)] = [
            ("index/qps@0.95 100k/64", 0.85, .median),  // 15 % fewer queries/s, same peer
            ("index/build 100k/64", 1.25, .median),     // 25 % slower build against faiss
            ("serve/retrieve p50", 1.20, .median),      // 20 % slower retrieve (no peer: absolute)
            ("quality/hybrid nDCG@10", 0.96, .median),  // 4 % lower quality
            ("index/bytes/vector", 1.08, .median),      // 8 % larger
            ("index/recall@10 ef 64", 0.98, .floor),    // 0.9408 < 0.95
        ]
        for (key, factor, rule) in cases {
            let found = rules.regressions(of: Self.run(8, day: 8, scale: [key: factor]), history: Self.history)
            // Only this figure, and by this rule (a recall under its floor is also worse than its median).
            #expect(found.allSatisfy { $0.figure == key } && found.contains { $0.rule == rule }, "\(key): \(found)")
            if rule == .median {
                #expect(found.count == 1 && found.first?.againstRuns == [1, 2, 3, 4, 5, 6, 7])
                #expect(abs((found.first?.worseBy ?? 0) - abs(1 - factor)) < 0.06, "\(key): \(found)")
            }
        }
        // The line says what, how much and against which runs.
        let line = try #require(rules.regressions(of: Self.run(8, day: 8, scale: ["index/qps@0.95 100k/64": 0.8]),
                                                  history: Self.history).first?.line)
        #expect(line.contains("index/qps@0.95 100k/64 (ratio to hnswlib)") && line.contains("% worse")
            && line.contains("runs 1, 2, 3, 4, 5, 6, 7"), "\(line)")
    }

    @Test func ratiosAreJudgedWhenAPeerRanSoASlowerMachineDayIsNotARegression() {
        // Everything, the peer included, 30 % slower: the ratio holds.
        let slowDay = Self.run(8, day: 8, scale: ["index/qps@0.95 100k/64": 0.7], peerScale: 0.7)
        let found = RegressionRules().regressions(of: slowDay, history: Self.history)
        #expect(!found.contains { $0.figure == "index/qps@0.95 100k/64" }, "\(found)")
        // Without a peer the same slowdown of an absolute time is one.
        let slower = Self.run(8, day: 8, scale: ["serve/retrieve p50": 1.3])
        #expect(RegressionRules().regressions(of: slower, history: Self.history).map(\.figure) == ["serve/retrieve p50"])
    }

    @Test func comparableRunsAreTheSameMachineKindNewestFirstAndEnoughOfThem() {
        // Two runs on another kind of machine with wildly different numbers do not count.
        var history = Self.history
        history.append(Self.run(20, day: 20, machine: Self.zen5, scale: ["serve/retrieve p50": 0.2]))
        history.append(Self.run(21, day: 21, machine: Self.zen5, scale: ["serve/retrieve p50": 0.2]))
        let run = Self.run(30, day: 30)
        #expect(RegressionRules().regressions(of: run, history: history).isEmpty)
        #expect(RegressionRules.comparable(history, to: run).map(\.id) == [7, 6, 5, 4, 3, 2, 1])
        // Later runs are not "earlier": re-judging run 3 looks at 1 and 2 only.
        #expect(RegressionRules.comparable(history, to: history[2]).map(\.id) == [2, 1])
        // Only the last `comparableRuns` count: an old fast era is forgotten.
        var drifted = (1...7).map { Self.run(Int64($0), day: $0, scale: ["serve/retrieve p50": 0.5]) }
        drifted += (8...14).map { Self.run(Int64($0), day: $0) }
        #expect(RegressionRules().regressions(of: Self.run(15, day: 15), history: drifted).isEmpty)
        // Fewer than `minimumRuns`: not judged.
        let young = Array(Self.history.prefix(2))
        #expect(RegressionRules().regressions(of: Self.run(8, day: 8, scale: ["serve/retrieve p50": 2]),
                                              history: young).isEmpty)
        #expect(RegressionRules(minimumRuns: 2).regressions(of: Self.run(8, day: 8, scale: ["serve/retrieve p50": 2]),
                                                            history: young).count == 1)
    }

    @Test func medians() {
        #expect(RegressionRules.median([]) == nil)
        #expect(RegressionRules.median([3]) == 3)
        #expect(RegressionRules.median([5, 1, 3]) == 3)
        #expect(RegressionRules.median([4, 1, 3, 2]) == 2.5)
    }

    /// The repository's rule file is valid and holds what Benchmarks/README.md says it does.
    @Test func theShippedRuleFileLoads() throws {
        let rules = try RegressionRules.load(try RepositoryFile.path("Benchmarks/nightly-rules.json"))
        #expect(rules.comparableRuns == 7 && rules.minimumRuns == 3)
        #expect(rules.floors == [.init(figure: "index/recall@10 ef 64 100k/64", min: 0.95)])
        #expect(rules.thresholds == RegressionRules.defaultThresholds)
    }

    @Test func theRuleFileIsCheckedKeyByKey() throws {
        func parse(_ json: String) throws -> RegressionRules {
            try RegressionRules.parse(Data(json.utf8), name: "rules.json")
        }
        let rules = try parse("""
            {"comparable_runs": 5, "minimum_runs": 2, "floors": [{"figure": "index/recall@10 ef 64", "min": 0.9}],
             "thresholds": {"throughput": 0.2, "quality": 0.01}}
            """)
        #expect(rules.comparableRuns == 5 && rules.minimumRuns == 2 && rules.floors.first?.min == 0.9)
        #expect(rules.thresholds[.throughput] == 0.2 && rules.thresholds[.quality] == 0.01 && rules.thresholds[.latency] == 0.15)
        #expect(try parse("{}") == RegressionRules())
        for (json, says) in [
            ("[1]", "not a JSON object"),
            (#"{"window": 7}"#, "unknown key \"window\""),
            (#"{"comparable_runs": "7"}"#, "comparable_runs"),
            (#"{"comparable_runs": 0}"#, "\"comparable_runs\" is 0"),
            (#"{"comparable_runs": 3, "minimum_runs": 5}"#, "is more than"),
            (#"{"floors": [{"figure": "recall", "min": 0.9}]}"#, "floors[0].figure"),
            (#"{"floors": [{"figure": "index/x"}]}"#, "floors[0].min\" is missing"),
            (#"{"floors": [{"figure": "index/x", "min": 1, "max": 2}]}"#, "floors[0].max"),
            (#"{"thresholds": {"speed": 0.1}}"#, "thresholds.speed"),
            (#"{"thresholds": {"latency": -1}}"#, "thresholds.latency\" is -1"),
        ] {
            #expect {
                try parse(json)
            } throws: { error in
                "\(error)".hasPrefix("rules.json: ") && "\(error)".contains(says)
            }
        }
    }
}
