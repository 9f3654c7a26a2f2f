import CairnIndex
import CairnStorage
import CairnVectorMath
import Foundation
import Testing
import TestSupport

/// A second process opening a data directory that another holds is refused, not allowed to interleave WAL
/// records; the lock goes away with its holder.
@Suite struct DirectoryLockTests {
    @Test func aSecondProcessIsRefusedWhileTheFirstHoldsTheIndex() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-lock")
        let vectors = dir.file("vectors")
        do {
            let held = try DurableIndex.open(directory: vectors,
                                             configuration: IndexConfiguration(dimension: 4, metric: .cosine))
            try held.upsert(label: 1, vector: [1, 0, 0, 0])
            let refused = try CairnBinary.run(["vectors", "verify", "--data-dir", dir.path])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("in use by another Cairn process (pid \(getpid()))"), "\(refused.stderr)")
        }
        let allowed = try CairnBinary.run(["vectors", "verify", "--data-dir", dir.path])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }
}
