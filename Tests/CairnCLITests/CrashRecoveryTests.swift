import Foundation
import Testing
import TestSupport

/// Kills the real binary with SIGKILL in the middle of inserting (and of checkpointing) and checks that every
/// acknowledged label is present after restart and that the recovered graph is intact.
@Suite(.serialized) struct CrashRecoveryTests {
    struct Verify: Decodable {
        var live: Int
        var nodes: Int
        var unreachable: Int
        var missing_count: Int
    }

    @Test func everyAcknowledgedWriteSurvivesSIGKILL() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-crash")
        let acked = dir.file("acked.txt")
        var ackedRanges: [String] = []
        var rng = SplitMix(seed: 2024)
        let rounds = 24
        var kills = 0
        for round in 0..<rounds {
            // Stop after a random number of acknowledged batches; small checkpoint thresholds make some kills land
            // during a checkpoint as well.
            let stopAfter = 1 + Int(rng.next() % 12)
            let checkpointBytes = round % 3 == 0 ? 200_000 : 1 << 30
            var seen = 0
            let run = try CairnBinary.runAndKill([
                "vectors", "add", "--data-dir", dir.path, "--dim", "32", "--synthetic", "3000",
                "--seed", "\(round + 1)", "--start-label", "\(round * 10_000)", "--batch", "\(20 + round)",
                "--checkpoint-bytes", "\(checkpointBytes)",
            ]) { line in
                if line.hasPrefix("acked ") { seen += 1 }
                return seen < stopAfter
            }
            if run.killed { kills += 1 }
            for line in run.lines where line.hasPrefix("acked ") {
                let parts = line.split(separator: " ")
                ackedRanges.append("\(parts[1])-\(parts[2])")
            }
            try (ackedRanges.joined(separator: "\n") + "\n").write(toFile: acked, atomically: true, encoding: .utf8)
            let verify = try CairnBinary.run(["vectors", "verify", "--data-dir", dir.path, "--expect-labels", acked])
            #expect(verify.status == 0, "round \(round): verify failed: \(verify.stderr) \(verify.stdout)")
            let report = try JSONDecoder().decode(Verify.self, from: Data(verify.stdout.utf8))
            #expect(report.missing_count == 0, "round \(round): acknowledged labels lost")
            #expect(report.unreachable <= max(5, report.nodes / 200), "round \(round): graph lost connectivity")
        }
        #expect(kills >= 20, "the process must really have been killed mid-insert")
    }
}
