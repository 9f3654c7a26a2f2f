@testable import CairnIndex
@testable import CairnIngest
import CairnStorage
import Foundation
import Testing
import TestSupport

/// The recall check finds a healthy index healthy and flags one whose graph lost links, per tenant.
@Suite(.serialized) struct RecallCheckTests {
    typealias HashEmbedder = ChunkCatalogTests.HashEmbedder

    /// A tenant `big` above the index's full-scan threshold (its searches walk the graph) and a tenant
    /// `small` below it (its searches scan exactly), random 8-d vectors.
    static func library(_ dir: TemporaryDirectory) throws -> MaterialLibrary {
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        var random = SplitMix(seed: 77)
        func vector() -> [Float] { (0..<8).map { _ in random.gaussian() } }
        var materials: [FinishedMaterial] = []
        for i in 0..<130 {
            let big = i < 110
            let chunks = (0..<(big ? 100 : 10)).map { "m\(i) c\($0)" }
            let vectors = chunks.map { _ in vector() }
            materials.append(HybridSearchTests.material(i, owner: big ? "big" : "small", chunks: chunks,
                                                        embedding: { vectors[$0] }))
        }
        for start in stride(from: 0, to: materials.count, by: 20) {
            try library.commit(Array(materials[start..<min(start + 20, materials.count)]), bulkJob: nil)
        }
        #expect(library.vectors.configuration.fullScanThreshold < 11_000)
        return library
    }

    @Test func aHealthyIndexPassesAndSaysHowEachTenantWasSearched() throws {
        let dir = try TemporaryDirectory()
        let library = try Self.library(dir)
        let report = try library.checkRecall(options: RecallCheckOptions(queriesPerTenant: 30, overallQueries: 50))
        let big = try #require(report.tenants["big"]), small = try #require(report.tenants["small"])
        #expect(big.chunks == 11_000 && big.queries == 30 && big.exactScans == 0)
        #expect(small.chunks == 200 && small.queries == 30 && small.exactScans == 30 && small.recall == 1)
        #expect(big.recall >= 0.95 && report.overall!.recall >= 0.95, "\(report)")
        #expect(!report.failed && report.belowFloor.isEmpty && report.tenantsNotChecked == 0)
        #expect(report.efSearch == library.defaultEf(depth: 10))
        // Logged questions of a tenant are asked too.
        let logged = try library.checkRecall(options: RecallCheckOptions(queriesPerTenant: 5, overallQueries: 0),
                                             loggedQueries: ["small": [[1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0]]])
        #expect(logged.tenants["small"]?.queries == 7 && logged.tenants["small"]?.loggedQueries == 2)
        #expect(logged.overall == nil)
    }

    @Test func anIndexWhoseGraphLostLinksIsFlagged() throws {
        let dir = try TemporaryDirectory()
        let library = try Self.library(dir)
        let options = RecallCheckOptions(queriesPerTenant: 40, overallQueries: 60, floor: 0.9)
        let before = try library.checkRecall(options: options)
        #expect(!before.failed)
        // Nine of every ten nodes keep one layer-0 link of their 32.
        let index = library.vectors.index
        for slot in 0..<UInt32(index.slotCount) where slot % 10 != 0 {
            let list = index.list(slot, 0)
            if list[1] > 1 { list[1] = 1 }
        }
        let after = try library.checkRecall(options: options)
        #expect(after.failed)
        #expect(after.overall!.belowFloor && after.overall!.recall < before.overall!.recall - 0.2, "\(after)")
        #expect(after.belowFloor == ["big"], "the small tenant is scanned exactly: damage does not reach it. \(before) → \(after)")
        #expect(after.tenants["small"]?.recall == 1)
    }

    @Test func theTimeBudgetAndTheSettingsAreHeld() throws {
        let dir = try TemporaryDirectory()
        let library = try Self.library(dir)
        let short = try library.checkRecall(options: RecallCheckOptions(queriesPerTenant: 5, overallQueries: 0,
                                                                       seconds: 1e-9))
        #expect(short.tenants.isEmpty && short.tenantsNotChecked == 2)
        #expect(throws: IngestError.self) { try library.checkRecall(options: RecallCheckOptions(k: 0)) }
        #expect(RecallCheckOptions(floor: 1.5).problem?.contains("recall_check.floor") == true)
    }

    /// Chunks with the same text have the same vector: which of the copies a search returns is a tie, not a
    /// miss (labels alone would put recall near a half here).
    @Test func duplicateChunksTieInsteadOfMissing() throws {
        let dir = try TemporaryDirectory()
        let library = try MaterialLibrary.open(dataDirectory: dir.path, embedder: HashEmbedder())
        var random = SplitMix(seed: 5)
        let distinct = (0..<40).map { _ in (0..<8).map { _ in random.gaussian() } }
        // 40 vectors, each in 25 materials.
        let materials = (0..<1_000).map { i in
            HybridSearchTests.material(i, owner: "t", chunks: ["copy \(i)"], embedding: { _ in distinct[i % 40] })
        }
        for start in stride(from: 0, to: materials.count, by: 100) {
            try library.commit(Array(materials[start..<start + 100]), bulkJob: nil)
        }
        let report = try library.checkRecall(options: RecallCheckOptions(queriesPerTenant: 5, overallQueries: 40))
        #expect(report.overall!.recall == 1, "\(report)")
    }
}
