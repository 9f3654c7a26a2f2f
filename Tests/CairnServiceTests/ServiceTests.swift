import CairnIngest
import CairnSQL
import CairnService
import Foundation
import Logging
import Testing
import TestSupport

/// The service without HTTP: start-up, uploads through the queue, a job resumed after a crash, the batched
/// retrieval log, and shutdown.
@Suite(.serialized) struct ServiceTests {
    static let text = """
        Mitochondria release energy from glucose in cellular respiration and store it as ATP. They have their own \
        DNA, inherited from the mother.
        """

    func makeService(_ dir: TemporaryDirectory) -> CairnService {
        var config = ServiceConfiguration()
        config.dataDirectory = dir.file("data")
        config.retrievalFlushMilliseconds = 20
        var logger = Logger(label: "cairn.test")
        logger.logLevel = .warning
        return CairnService(configuration: config, logger: logger)
    }

    func spool(_ service: CairnService, _ files: [(String, String)], owner: String) throws -> (String, [UploadedFile]) {
        let dir = try service.newUploadDirectory()
        let uploaded = try files.enumerated().map { i, file in
            let spool = try SpoolFile(path: dir + "/\(i)")
            try Array(file.1.utf8).withUnsafeBytes { try spool.write($0) }
            return UploadedFile(path: spool.path, filename: file.0, size: spool.size, sha256: try spool.finish(),
                                metadata: MaterialMetadata(owner: owner))
        }
        return (dir, uploaded)
    }

    func waitFor(_ service: CairnService, job: IngestJobID, as identity: Identity) async throws -> IngestJobReport {
        let deadline = Date().addingTimeInterval(120)
        while true {
            let report = try service.job(job, as: identity)
            if report.job.status.isFinished || Date() > deadline { return report }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func anUploadIsProcessedAndAnswersRetrievalsThatAreLogged() async throws {
        let dir = try TemporaryDirectory(prefix: "cairn-service")
        let service = makeService(dir)
        try await service.start()
        let background = Task { await service.run() }
        let secret = try #require(service.readyInfo?.createdAdminKey)
        let admin = try #require(service.keys?.authenticate(secret))
        let (spoolDir, files) = try spool(service, [("cells.txt", Self.text)], owner: "t")
        let receipt = try service.submitUpload(files, directory: spoolDir, as: admin)
        let materialID = try #require(receipt.files.first?.materialID)
        let report = try await waitFor(service, job: receipt.job.id, as: admin)
        #expect(report.job.status == .completed)
        #expect(report.counts.added == 1 && report.materialIDs == [materialID])
        let result = try await service.retrieve(RetrievalRequest(query: "What makes ATP?"), as: admin)
        #expect(result.chunks.first?.chunk.materialID == materialID)
        // Buffered, then written in a batch.
        let log = try RetrievalLog(databasePath: dir.file("data/cairn.sqlite3"), logger: Logger(label: "t"))
        var record: StoredRetrieval? = nil
        for _ in 0..<100 where record == nil {
            try await Task.sleep(for: .milliseconds(20))
            record = try log.record(result.id)
        }
        #expect(record?.query == "What makes ATP?")
        await service.shutdown()
        await background.value
        #expect(service.phase == .stopping)
        // The directory is free again and the index was checkpointed at shutdown.
        let reopened = makeService(dir)
        try await reopened.start()
        #expect(reopened.readiness().walRecords == 0)
        #expect(reopened.readiness().indexVectors == 1)
        await reopened.shutdown()
    }

    @Test func aJobLeftRunningByACrashIsResumedAtStartUp() async throws {
        let dir = try TemporaryDirectory(prefix: "cairn-service")
        let first = makeService(dir)
        try await first.start()
        let secret = try #require(first.readyInfo?.createdAdminKey)
        let admin = try #require(first.keys?.authenticate(secret))
        // Queued but never run (no run loop): then marked running, as a crash mid-job leaves it.
        let (spoolDir, files) = try spool(first, [("a.txt", Self.text), ("b.txt", "Osmosis moves water across membranes.")],
                                         owner: "t")
        let receipt = try first.submitUpload(files, directory: spoolDir, as: admin)
        await first.shutdown()
        let db = try SQLiteDatabase(path: dir.file("data/cairn.sqlite3"))
        try db.execute("UPDATE ingest_jobs SET status = 'running' WHERE id = ?", [.integer(receipt.job.id.rawValue)])
        #expect(FileManager.default.fileExists(atPath: spoolDir))

        let second = makeService(dir)
        try await second.start()
        let background = Task { await second.run() }
        let report = try await waitFor(second, job: receipt.job.id, as: admin)
        #expect(report.job.status == .completed, "\(report)")
        #expect(report.counts.added == 2)
        let ids = Set(receipt.files.compactMap(\.materialID))
        #expect(ids.count == 2 && Set(report.materialIDs) == ids)
        #expect(!FileManager.default.fileExists(atPath: spoolDir), "the spool outlived its job")
        await second.shutdown()
        await background.value
    }

    @Test func aSecondServerOnTheSameDirectoryIsRefusedNamingTheFirst() async throws {
        let dir = try TemporaryDirectory(prefix: "cairn-service")
        let first = makeService(dir)
        try first.lockDataDirectory()
        first.didBind(port: 18123)
        // Another process's view of the lock file.
        let holder = try String(contentsOfFile: dir.file("data/LOCK"), encoding: .utf8)
        #expect(holder.contains("\"command\":\"serve\"") && holder.contains("http://127.0.0.1:18123"))
        #expect(holder.contains("\"pid\":\(getpid())"))
    }
}
