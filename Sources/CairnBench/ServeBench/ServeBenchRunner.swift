import CairnEmbedding
import CairnHTTP
import CairnIngest
import CairnService
import CairnVectorMath
import Foundation
import Synchronization

/// `cairn bench serve`: retrieve latency of a running `cairn serve`, from a client on loopback, over an index
/// of about 10,000 chunks — idle, then while a bulk upload of 1,000 files is being ingested — with the
/// server's own share of each request (client latency minus the embedding and index search the server
/// reports).
///
/// The index is built once from ``ServeBenchCorpus`` with the built-in model (in this process, all cores)
/// and kept under `Benchmarks/data/serve-<chunks>/`; each run works on a fresh copy of it. Requests use a
/// coach key, so every one is filtered to its tenant inside the index, as an AI-coach backend's would be.
public struct ServeBenchRunner: Sendable {
    public struct Settings: Sendable {
        /// The `cairn` executable to serve with (a release build).
        public var executable: String
        public var benchmarksDirectory: String
        public var textsDirectory: String
        public var modelDirectory: String
        /// Passages indexed before the measurement (about one chunk each).
        public var passages: Int
        public var requests: Int
        public var loadFiles: Int
        public var topK: Int
        /// The chunker's token limit when building the index (nil: ingestion's default, 200 with 40 overlap);
        /// smaller chunks make a large index cheaper to build, and leave a query's cost unchanged.
        public var chunkTokens: Int?

        public init(executable: String, benchmarksDirectory: String = "Benchmarks", textsDirectory: String = "Benchmarks/texts",
                    modelDirectory: String, passages: Int = 10_000, requests: Int = 1_000, loadFiles: Int = 1_000,
                    topK: Int = 5, chunkTokens: Int? = nil) {
            self.executable = executable
            self.benchmarksDirectory = benchmarksDirectory
            self.textsDirectory = textsDirectory
            self.modelDirectory = modelDirectory
            self.passages = passages
            self.requests = requests
            self.loadFiles = loadFiles
            self.topK = topK
            self.chunkTokens = chunkTokens
        }

        /// The prepared data directory for these settings.
        public var preparedDirectory: String {
            (benchmarksDirectory as NSString).appendingPathComponent(
                "data/serve-\(passages)" + (chunkTokens.map { "-t\($0)" } ?? ""))
        }
    }

    /// The latencies of one phase (milliseconds).
    public struct Phase: Sendable, Codable {
        public var requests: Int
        public var clientP50: Double
        public var clientP99: Double
        public var clientMean: Double
        public var serverTotalP50: Double
        public var embedP50: Double
        public var filterP50: Double
        public var searchP50: Double
        public var fetchP50: Double
        /// Median of the server's whole handling of a request (its `Server-Timing: app`), in milliseconds.
        public var serverHandlingP50: Double
        /// The server's own overhead: median over requests of (handling − embed − search) / handling.
        public var overheadP50: Double
        /// Median of handling − embed − search, in milliseconds.
        public var overheadP50Milliseconds: Double
        /// The end-to-end view: median over requests of (client latency − embed − search) / client latency,
        /// which also counts the client and the loopback round trip.
        public var endToEndOverheadP50: Double
    }

    public struct Report: Sendable, Codable {
        public var chunks: Int
        public var materials: Int
        public var topK: Int
        public var idle: Phase
        public var loaded: Phase
        public var loadFiles: Int
        /// Chunks the upload's jobs had ingested when the loaded phase ended.
        public var loadChunksIngested: Int
        /// The round trip of an empty request (`GET /healthz`) from the same client, p50 in milliseconds: what
        /// the client and the loopback connection cost in every measured request.
        public var emptyRoundTripP50: Double
        public var blas: String
        /// Whether the server's own overhead stayed under 20 % of the idle p50.
        public var met: Bool { idle.overheadP50 < 0.20 }
    }

    public let settings: Settings
    public let log: @Sendable (String) -> Void

    public init(settings: Settings, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.log = log
    }

    public func run() async throws -> Report {
        let corpus = try ServeBenchCorpus(textsDirectory: settings.textsDirectory)
        let prepared = try await prepare(corpus)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-bench-serve-\(getpid())").path
        try? FileManager.default.removeItem(atPath: work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let data = work + "/data"
        try FileManager.default.copyItem(atPath: prepared, toPath: data)
        let store = try MaterialStore(dataDirectory: data)
        let stats = try store.statistics()
        let keys = try KeyStore(databasePath: store.path)
        let admin = try keys.create(role: .admin, tenant: nil, name: "bench admin").1
        let coach = try keys.create(role: .coach, tenant: TenantID("school"), name: "bench coach").1
        let queries = try EmbedTextSet.load(directory: settings.textsDirectory).queries

        let server = try ServerChild(executable: settings.executable, dataDirectory: data, arguments: [],
                                     logPath: work + "/serve.log", environment: ["CAIRN_RATE_LIMIT": "0"])
        try await server.start()
        log(String(format: "serving %d chunks at %@ (ready in %.2f s)", stats.chunks, server.url, server.readySeconds))
        _ = try await measure(server, key: coach, queries: queries, count: 50)  // warm-up
        var empty: [Double] = []
        for _ in 0..<settings.requests {
            let started = ContinuousClock.now
            _ = try await server.send(.get, "/healthz")
            let d = started.duration(to: .now)
            empty.append(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15)
        }
        let idle = try await measure(server, key: coach, queries: queries, count: settings.requests)
        log(String(format: "idle: p50 %.2f ms, p99 %.2f ms, overhead p50 %.1f %%", idle.clientP50, idle.clientP99,
                   idle.overheadP50 * 100))

        // The load: 1,000 new files uploaded in requests of 50, then measured while they are ingested.
        let files = try corpus.write(settings.passages..<(settings.passages + settings.loadFiles), perFile: 1,
                                     into: work + "/load", prefix: "upload")
        var jobs: [Int] = []
        for start in stride(from: 0, to: files.count, by: 50) {
            let part = try files[start..<min(start + 50, files.count)].map { path in
                ((path as NSString).lastPathComponent, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
            }
            let (body, type) = ServerChild.multipart(files: part, fields: [("owner_id", "school")])
            let response = try await server.send(.post, "/v1/materials", key: admin, body: body, contentType: type)
            guard response.status == 202, let job = Self.json(response)["job_id"] as? Int else {
                throw BenchError("upload refused: \(response.status) \(response.bodyText)")
            }
            jobs.append(job)
        }
        log("uploaded \(files.count) files in \(jobs.count) jobs; measuring while they are ingested")
        let loaded = try await measure(server, key: coach, queries: queries, count: settings.requests,
                                       whileBusy: true)
        var ingested = 0
        for job in jobs {
            let report = Self.json(try await server.send(.get, "/v1/jobs/\(job)", key: admin))
            ingested += ((report["progress"] as? [String: Any])?["chunks_done"] as? Int) ?? 0
        }
        log(String(format: "loaded: p50 %.2f ms, p99 %.2f ms, overhead p50 %.1f %% (%d requests; %d chunks ingested meanwhile)",
                   loaded.clientP50, loaded.clientP99, loaded.overheadP50 * 100, loaded.requests, ingested))
        server.stop(SIGTERM)
        let materials = stats.materialsByStatus[.completed] ?? 0
        return Report(chunks: stats.chunks, materials: materials, topK: settings.topK, idle: idle, loaded: loaded,
                      loadFiles: files.count, loadChunksIngested: ingested,
                      emptyRoundTripP50: Percentile.of(empty, 50), blas: BLASInfo.summary)
    }

    /// Sends `count` retrieves one after another (stopping early when `whileBusy` and the queue empties).
    func measure(_ server: ServerChild, key: String, queries: [String], count: Int, whileBusy: Bool = false)
        async throws -> Phase
    {
        var client: [Double] = [], total: [Double] = [], embed: [Double] = [], filter: [Double] = []
        var search: [Double] = [], fetch: [Double] = [], overhead: [Double] = [], overheadMs: [Double] = []
        var handling: [Double] = [], endToEnd: [Double] = []
        for i in 0..<count {
            if whileBusy, i % 25 == 0 {
                let ready = Self.json(try await server.send(.get, "/readyz"))
                let queue = ready["queue"] as? [String: Any]
                if (queue?["queued"] as? Int ?? 0) + (queue?["running"] as? Int ?? 0) == 0 { break }
            }
            let started = ContinuousClock.now
            let response = try await server.send(.post, "/v1/retrieve", key: key,
                                                 json: ["query": queries[i % queries.count], "top_k": settings.topK])
            let elapsed = started.duration(to: .now)
            guard response.status == 200 else { throw BenchError("retrieve: \(response.status) \(response.bodyText)") }
            let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
            let timings = Self.json(response)["timings"] as? [String: Double] ?? [:]
            client.append(ms)
            total.append(timings["total_ms"] ?? .nan)
            embed.append(timings["embed_ms"] ?? .nan)
            filter.append(timings["filter_ms"] ?? .nan)
            search.append(timings["search_ms"] ?? .nan)
            fetch.append(timings["fetch_ms"] ?? .nan)
            let work = (timings["embed_ms"] ?? 0) + (timings["search_ms"] ?? 0)
            let app = Self.serverTiming(response.headers["Server-Timing"] ?? "", "app") ?? .nan
            handling.append(app)
            overheadMs.append(app - work)
            overhead.append((app - work) / app)
            endToEnd.append((ms - work) / ms)
        }
        return Phase(requests: client.count, clientP50: Percentile.of(client, 50), clientP99: Percentile.of(client, 99),
                     clientMean: client.reduce(0, +) / Double(max(1, client.count)),
                     serverTotalP50: Percentile.of(total, 50), embedP50: Percentile.of(embed, 50),
                     filterP50: Percentile.of(filter, 50), searchP50: Percentile.of(search, 50),
                     fetchP50: Percentile.of(fetch, 50), serverHandlingP50: Percentile.of(handling, 50),
                     overheadP50: Percentile.of(overhead, 50), overheadP50Milliseconds: Percentile.of(overheadMs, 50),
                     endToEndOverheadP50: Percentile.of(endToEnd, 50))
    }

    /// The prepared data directory (built on first use).
    func prepare(_ corpus: ServeBenchCorpus) async throws -> String {
        let dir = settings.preparedDirectory
        let marker = dir + "/bench-ready"
        if FileManager.default.fileExists(atPath: marker) {
            log("reusing the index in \(dir)")
            return dir
        }
        try? FileManager.default.removeItem(atPath: dir)
        let source = dir + "-corpus"
        try? FileManager.default.removeItem(atPath: source)
        let paths = try corpus.write(0..<settings.passages, perFile: 5, into: source, prefix: "notes")
        log("indexing \(settings.passages) passages (\(paths.count) files) into \(dir) once; later runs reuse it")
        let embedder = try BuiltinEmbedder(modelDirectory: settings.modelDirectory, threads: 0)
        let library = try MaterialLibrary.open(dataDirectory: dir,
                                               embedder: CachedEmbedder(embedder, cache: try EmbeddingCache(dataDirectory: dir)))
        let ingestor = try BulkIngestor(library: library, options: BulkIngestOptions(
            defaults: MaterialMetadata(owner: "school", provenance: ProvenanceInput(acquisitionMethod: .systemImport)),
            chunking: settings.chunkTokens.map { ChunkingOptions(maxTokens: $0, overlapTokens: 0) } ?? ChunkingOptions()))
        let last = Mutex(Date())
        let summary = try await ingestor.run(paths.map { IngestInput(path: $0) }, arguments: "bench serve") { [log] p in
            let due = last.withLock { at -> Bool in
                guard Date().timeIntervalSince(at) > 10 else { return false }
                at = Date()
                return true
            }
            if due {
                log(String(format: "  %d/%d files, %d chunks, %.1f chunks/s", p.filesDone, p.filesTotal, p.chunksDone,
                           p.chunksPerSecond))
            }
        }
        guard summary.completed, summary.counts.failed == 0 else {
            throw BenchError("building the index failed: \(summary.counts) \(summary.errors)")
        }
        try library.checkpoint()
        try? FileManager.default.removeItem(atPath: source)
        _ = FileManager.default.createFile(atPath: marker, contents: Data("\(summary.counts.chunks)\n".utf8))
        log(String(format: "indexed %d chunks in %.0f s", summary.counts.chunks, summary.elapsedSeconds))
        return dir
    }

    /// The duration of `name` in a `Server-Timing` header (`embed;dur=5.1, app;dur=6.2`).
    static func serverTiming(_ header: String, _ name: String) -> Double? {
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.first == name else { continue }
            for field in fields.dropFirst() where field.hasPrefix("dur=") { return Double(field.dropFirst(4)) }
        }
        return nil
    }

    static func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }
}
