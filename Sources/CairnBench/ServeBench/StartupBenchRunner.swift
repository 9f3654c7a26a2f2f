import CairnEmbedding
import CairnHTTP
import CairnIndex
import CairnIngest
import CairnService
import CairnStorage
import CairnVectorMath
import Foundation

/// `cairn bench startup`: how long `cairn serve` takes to be ready (spawn to the first 200 of `/readyz`) on a
/// data directory of 100,000 chunks — after a clean shutdown, after a `kill -9` in the middle of an ingest
/// job, and after a `kill -9` with the longest write-ahead log the checkpoint policy lets build up.
///
/// The directory is built once under `Benchmarks/data/startup-<chunks>/` from synthetic 384-d vectors (the
/// benchmark's Gaussian mixture) with short distinct chunk texts, 10 chunks per material, through the same
/// commit path as ingestion; it is built so that its last chunks are still in the log (just under the
/// policy's threshold of max(10,000, min(an eighth of the index, 25,000))), which is the worst case a crash can
/// leave.
/// Each run works on a fresh copy.
public struct StartupBenchRunner: Sendable {
    public struct Settings: Sendable {
        public var executable: String
        public var benchmarksDirectory: String
        public var textsDirectory: String
        public var chunks: Int
        public var repeats: Int

        public init(executable: String, benchmarksDirectory: String = "Benchmarks",
                    textsDirectory: String = "Benchmarks/texts", chunks: Int = 100_000, repeats: Int = 3) {
            self.executable = executable
            self.benchmarksDirectory = benchmarksDirectory
            self.textsDirectory = textsDirectory
            self.chunks = chunks
            self.repeats = repeats
        }
    }

    public struct Report: Sendable, Codable {
        public var chunks: Int
        /// Seconds to ready after a clean shutdown (each repeat).
        public var cleanSeconds: [Double]
        /// Seconds to ready after `kill -9` during an ingest job (each repeat), and the log records replayed.
        public var killedMidIngestSeconds: [Double]
        public var killedMidIngestWALRecords: [Int]
        /// Seconds to ready after `kill -9` with the longest log the policy allows, and its records.
        public var worstCaseSeconds: [Double]
        public var worstCaseWALRecords: Int
        public var met: Bool {
            (cleanSeconds.min() ?? .infinity) <= 1 && (killedMidIngestSeconds.max() ?? .infinity) <= 10
                && (worstCaseSeconds.max() ?? .infinity) <= 10
        }
    }

    public let settings: Settings
    public let log: @Sendable (String) -> Void

    public init(settings: Settings, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.log = log
    }

    public func run() async throws -> Report {
        let prepared = try prepare()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-bench-startup-\(getpid())").path
        try? FileManager.default.removeItem(atPath: work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let corpus = try ServeBenchCorpus(textsDirectory: settings.textsDirectory)
        var report = Report(chunks: settings.chunks, cleanSeconds: [], killedMidIngestSeconds: [],
                            killedMidIngestWALRecords: [], worstCaseSeconds: [], worstCaseWALRecords: 0)
        for repeat_ in 0..<max(1, settings.repeats) {
            let data = work + "/data-\(repeat_)"
            try? FileManager.default.removeItem(atPath: data)
            try FileManager.default.copyItem(atPath: prepared, toPath: data)
            let admin = try KeyStore(databasePath: data + "/" + MaterialStore.fileName)
                .create(role: .admin, tenant: nil, name: "bench").1
            func start(_ name: String) async throws -> ServerChild {
                let server = try ServerChild(executable: settings.executable, dataDirectory: data,
                                             logPath: work + "/\(name)-\(repeat_).log")
                try await server.start()
                return server
            }
            // 1. The worst case: the copy holds the longest log the policy allows; the server is killed as soon
            //    as it is ready (it replayed the log and did nothing since), then started again.
            let first = try await start("first")
            let records = try await readyz(first)["wal_records"] as? Int ?? -1
            first.stop(SIGKILL)
            let worst = try await start("worst")
            report.worstCaseSeconds.append(worst.readySeconds)
            report.worstCaseWALRecords = records
            log(String(format: "after kill -9 with %d log records: ready in %.2f s", records, worst.readySeconds))

            // 2. Killed in the middle of an ingest job.
            let files = try corpus.write(repeat_ * 100..<(repeat_ * 100 + 60), perFile: 1, into: work + "/up-\(repeat_)",
                                         prefix: "upload")
            let part = try files.map { ((($0 as NSString).lastPathComponent),
                                        [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0)))) }
            let (body, type) = ServerChild.multipart(files: part, fields: [("owner_id", "school")])
            let upload = try await worst.send(.post, "/v1/materials", key: admin, body: body, contentType: type)
            guard upload.status == 202, let job = ServeBenchRunner.json(upload)["job_id"] as? Int else {
                throw BenchError("upload refused: \(upload.bodyText)")
            }
            var done = 0
            while done < 10 {
                try await Task.sleep(for: .milliseconds(100))
                let state = ServeBenchRunner.json(try await worst.send(.get, "/v1/jobs/\(job)", key: admin))
                done = (state["progress"] as? [String: Any])?["chunks_done"] as? Int ?? 0
                if state["status"] as? String == "completed" { break }
            }
            let inLog = try await readyz(worst)["wal_records"] as? Int ?? -1
            worst.stop(SIGKILL)
            let afterKill = try await start("killed")
            report.killedMidIngestSeconds.append(afterKill.readySeconds)
            report.killedMidIngestWALRecords.append(inLog)
            log(String(format: "after kill -9 mid-ingest (%d chunks of the job committed, %d log records): ready in %.2f s",
                       done, inLog, afterKill.readySeconds))

            // 3. A clean shutdown (which checkpoints), then a start.
            afterKill.stop(SIGTERM)
            let clean = try await start("clean")
            report.cleanSeconds.append(clean.readySeconds)
            log(String(format: "after a clean shutdown: ready in %.2f s (log records %d)", clean.readySeconds,
                       try await readyz(clean)["wal_records"] as? Int ?? -1))
            clean.stop(SIGTERM)
        }
        return report
    }

    /// The `index` object of the server's `/readyz`.
    private func readyz(_ server: ServerChild) async throws -> [String: Any] {
        ServeBenchRunner.json(try await server.send(.get, "/readyz"))["index"] as? [String: Any] ?? [:]
    }

    /// The prepared directory: `chunks` synthetic chunks, the last ones still in the log (built on first use).
    func prepare() throws -> String {
        let dir = (settings.benchmarksDirectory as NSString).appendingPathComponent("data/startup-\(settings.chunks)")
        let marker = dir + "/bench-ready"
        // The marker names the log tail it was built with: a change of the checkpoint policy rebuilds it.
        let tail = Self.logTail(chunks: settings.chunks)
        let stamp = "\(settings.chunks) chunks, \(tail) in the log\n"
        if (try? String(contentsOfFile: marker, encoding: .utf8)) == stamp {
            log("reusing \(dir)")
            return dir
        }
        try? FileManager.default.removeItem(atPath: dir)
        log("building \(settings.chunks) synthetic chunks in \(dir) once; later runs reuse it")
        let started = Date()
        let vectors = SyntheticDataset.make(n: settings.chunks, queries: 0, seed: 2026).base
        let library = try MaterialLibrary.open(dataDirectory: dir, embedder: try BuiltinEmbedder(
            modelDirectory: EmbedderFactory.modelDirectory(dataDirectory: dir), threads: 1))
        // Everything but the tail goes in and is checkpointed; the tail stays in the log, just under the
        // threshold at which the policy would checkpoint it.
        var next = 0
        func commit(upTo end: Int) throws {
            while next < end {
                var finished: [FinishedMaterial] = []
                while next < end && finished.count < 100 {
                    let m = next / 10
                    let count = min(10, end - next)
                    let rows = (0..<count).map { c -> ChunkRow in
                        let i = next + c
                        let text = "Synthetic chunk \(i) of material \(m): notes on topic \(i % 97)."
                        return ChunkRow(Chunk(index: c, charStart: c * 80, charEnd: c * 80 + text.unicodeScalars.count,
                                              content: text, tokenCount: 12, contentHash: SHA256.hexHash(utf8: text)),
                                        language: "en",
                                        embedding: Array(UnsafeBufferPointer(start: vectors.row(i), count: vectors.cols)))
                    }
                    let draft = MaterialDraft(owner: "school", sourceKey: "synthetic/\(next)", title: "Material \(m)",
                                              fileType: "text", fileSize: 800, tags: ["t\(m % 20)"], language: "en",
                                              contentSHA256: SHA256.hexHash(utf8: "material-\(next)"))
                    finished.append(FinishedMaterial(draft: draft, existing: nil, extractedText: "", rows: rows))
                    next += count
                }
                try library.commit(finished, bulkJob: nil)
            }
        }
        try commit(upTo: settings.chunks - tail)
        try library.checkpoint()
        try commit(upTo: settings.chunks)
        log(String(format: "built in %.0f s; %d vectors, %d of them in the log", Date().timeIntervalSince(started),
                   library.vectors.index.count, library.vectors.walRecords))
        _ = FileManager.default.createFile(atPath: marker, contents: Data(stamp.utf8))
        return dir
    }

    /// Log records left after the checkpoint: one short of what the default policy checkpoints at.
    static func logTail(chunks: Int) -> Int {
        min(chunks - 1, DurableIndex.recordsDue(vectors: chunks) - 1)
    }
}
