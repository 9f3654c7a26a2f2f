import CairnDialogue
import CairnIngest
import CairnSQL
import Foundation

/// `cairn bench dialogue`: recording answers (with citation resolution) and rolling a million of them up.
///
/// In a fresh data directory it writes materials and chunks to cite (`tenants` × 10 materials × 8 chunks), then:
/// 1. **durable recording** — `durableSample` answers recorded one per transaction (one fsync each), as
///    `POST /v1/dialogues` records them: each cites 0–3 chunks with quotes, joins a 5-hit retrieval, is priced;
/// 2. **batched recording** — the rest up to `records`, 1,000 per transaction (an import), spread evenly over
///    `days` days;
/// 3. **rollup** — every day at once (first run writes every row), again (nothing changes, nothing written),
///    and one day alone;
/// 4. **report** — the HTML report over every day.
/// With a PostgreSQL URL, the same figures come from the mirror with `percentile_disc` as the peer (see
/// `DialogueRollupPeer`).
public struct DialogueBench: Sendable {
    public struct Settings: Sendable {
        public var records = 1_000_000
        public var days = 10
        public var tenants = 20
        public var users = 5_000
        public var durableSample = 10_000
        public var directory: String

        public init(directory: String) { self.directory = directory }
    }

    public struct Rate: Codable, Sendable {
        public var records: Int
        public var seconds: Double
        public var perSecond: Double
    }

    public struct Report: Codable, Sendable {
        public var records: Int
        public var days: Int
        public var tenants: Int
        public var durable: Rate
        public var batched: Rate
        public var rollupAllSeconds: Double
        public var rollupRows: Int
        public var rollupAgainSeconds: Double
        public var rollupAgainWritten: Int
        public var rollupOneDaySeconds: Double
        public var rollupOneDayAnswers: Int
        public var reportSeconds: Double
        public var reportBytes: Int
        public var storeBytes: Int64
        public var peer: DialogueRollupPeer.Report?
    }

    public let settings: Settings
    let log: @Sendable (String) -> Void

    public init(settings: Settings, log: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.log = log
    }

    /// The first day of the synthetic answers.
    public static let firstDay = "2026-10-01"

    public func run() throws -> (Report, storePath: String) {
        let store = try MaterialStore(dataDirectory: settings.directory)
        let chunks = try Self.writeMaterials(store.database, tenants: settings.tenants)
        let dialogues = try DialogueStore(databasePath: store.path)
        var generator = SplitMix64(seed: 7)
        let start = DailyRollup.date(Self.firstDay)!
        let spacing = Double(settings.days) * 86_400 / Double(settings.records)
        func answer(_ i: Int) -> (DialogueInput, JoinedRetrieval?) {
            Self.answer(i, chunks: chunks, settings: settings, at: start.addingTimeInterval(Double(i) * spacing),
                        generator: &generator)
        }
        log("durable recording: \(settings.durableSample) answers, one transaction each")
        var t = Date()
        for i in 0..<settings.durableSample {
            let (input, retrieval) = answer(i)
            try dialogues.record(input, retrieval: retrieval, prices: .standard)
        }
        let durableSeconds = Date().timeIntervalSince(t)
        log(String(format: "  %.0f answers/s", Double(settings.durableSample) / durableSeconds))
        let rest = settings.records - settings.durableSample
        log("batched recording: \(rest) answers, 1,000 per transaction")
        t = Date()
        var i = settings.durableSample
        while i < settings.records {
            let batch = (i..<min(settings.records, i + 1_000)).map { answer($0) }
            try dialogues.record(batch.map { (input: $0.0, retrieval: $0.1) }, prices: .standard)
            i += batch.count
            if i % 100_000 == 0 { log("  \(i) recorded") }
        }
        let batchedSeconds = Date().timeIntervalSince(t)
        log(String(format: "  %.0f answers/s", Double(rest) / batchedSeconds))
        let rollup = DailyRollup(database: store.database)
        let last = DailyRollup.day(start.addingTimeInterval(Double(settings.days - 1) * 86_400))
        t = Date()
        let first = try rollup.rollUp(from: Self.firstDay, to: last, objectives: ServiceLevelObjective.defaults)
        let rollupAll = Date().timeIntervalSince(t)
        log(String(format: "rollup of %d days (%d answers): %.2f s, %d rows", first.days, first.answers, rollupAll,
                   first.written))
        t = Date()
        let again = try rollup.rollUp(from: Self.firstDay, to: last, objectives: ServiceLevelObjective.defaults)
        let rollupAgain = Date().timeIntervalSince(t)
        log(String(format: "rollup again: %.2f s, %d rows written", rollupAgain, again.written))
        let middle = DailyRollup.day(start.addingTimeInterval(Double(settings.days / 2) * 86_400))
        try store.database.execute("DELETE FROM rag_metrics_history WHERE day = ?", [.text(middle)])
        t = Date()
        let one = try rollup.rollUp(from: middle, to: middle, objectives: ServiceLevelObjective.defaults)
        let rollupOne = Date().timeIntervalSince(t)
        log(String(format: "rollup of one day (%d answers): %.3f s", one.answers, rollupOne))
        t = Date()
        let data = try ReportData.load(store.database, from: Self.firstDay, to: last, tenant: nil,
                                       objectives: ServiceLevelObjective.defaults)
        let html = ReportPage.render(data)
        let reportSeconds = Date().timeIntervalSince(t)
        log(String(format: "report over %d days: %.2f s, %d bytes", settings.days, reportSeconds, html.utf8.count))
        let size = ((try? FileManager.default.attributesOfItem(atPath: store.path)[.size]) as? NSNumber)?.int64Value ?? 0
        return (Report(
            records: settings.records, days: settings.days, tenants: settings.tenants,
            durable: Rate(records: settings.durableSample, seconds: durableSeconds,
                          perSecond: Double(settings.durableSample) / durableSeconds),
            batched: Rate(records: rest, seconds: batchedSeconds, perSecond: Double(rest) / batchedSeconds),
            rollupAllSeconds: rollupAll, rollupRows: first.written, rollupAgainSeconds: rollupAgain,
            rollupAgainWritten: again.written, rollupOneDaySeconds: rollupOne, rollupOneDayAnswers: one.answers,
            reportSeconds: reportSeconds, reportBytes: html.utf8.count, storeBytes: size, peer: nil), store.path)
    }

    /// A cited chunk: its id, tenant and a phrase of its text (for quotes).
    struct Chunk {
        var id: Int64
        var material: Int64
        var phrase: String
    }

    /// Materials and chunks to cite, straight into the store (the index is not needed to record answers).
    static func writeMaterials(_ db: SQLiteDatabase, tenants: Int) throws -> [[Chunk]] {
        let now = storeTimestamp()
        let embedding = SQLValue.blob([UInt8](repeating: 0, count: 384 * 4))
        let licences = ["CC-BY-4.0", "CC-BY-SA-4.0", "proprietary", "CC0-1.0", "MIT"]
        var out: [[Chunk]] = []
        try db.transaction {
            for t in 0..<tenants {
                var chunks: [Chunk] = []
                for m in 0..<10 {
                    let text = (0..<8).map { "Passage \($0) of lesson \(m) for class \(t): water moves across membranes." }
                    try db.execute("""
                        INSERT INTO materials (owner, source_key, title, file_type, file_size, content_sha256, status,
                            chunk_count, extracted_text, created_at, updated_at)
                        VALUES (?, ?, ?, 'text', 1000, ?, 'completed', 8, ?, ?, ?)
                        """, [.text("class-\(t)"), .text("lesson-\(m).txt"), .text("Lesson \(m)"),
                              .text(String(repeating: "0", count: 63) + String(m)), .text(text.joined(separator: "\n")),
                              .text(now), .text(now)])
                    let material = db.lastInsertRowID
                    try db.execute("""
                        INSERT INTO provenance (material_id, source_uri, content_type, acquisition_method, license_type,
                            acquired_at) VALUES (?, ?, 'material', 'manual_upload', ?, '2025-04-01')
                        """, [.integer(material), .text("https://school.example/class-\(t)/lesson-\(m)"),
                              .text(licences[(t + m) % licences.count])])
                    var offset = 0
                    for (c, passage) in text.enumerated() {
                        let length = passage.unicodeScalars.count
                        try db.execute("""
                            INSERT INTO material_chunks (material_id, chunk_index, content, char_start, char_end, token_count,
                                content_sha256, embedding, embedding_model, created_at)
                            VALUES (?, ?, ?, ?, ?, 12, ?, ?, 'all-MiniLM-L6-v2', ?)
                            """, [.integer(material), .int(c), .text(passage), .int(offset), .int(offset + length),
                                  .text(String(repeating: "a", count: 64)), embedding, .text(now)])
                        chunks.append(Chunk(id: db.lastInsertRowID, material: material, phrase: "water moves across"))
                        offset += length + 1
                    }
                }
                out.append(chunks)
            }
        }
        return out
    }

    static let responses = [
        "Water moves across the membrane by osmosis [1]. It needs no energy [2]. Plants use it too.",
        "삼투는 물이 막을 통과하는 현상입니다 [1]. 에너지가 필요하지 않습니다.",
        "渗透是水穿过半透膜的过程【1】。它不需要能量。",
        "The sources do not say.",
    ]
    static let models = ["gpt-4o-mini", "gpt-4o-mini-2024-07-18", "gpt-4.1", "claude-3-5-haiku", "local-model"]

    static func answer(_ i: Int, chunks: [[Chunk]], settings: Settings, at date: Date, generator: inout SplitMix64)
        -> (DialogueInput, JoinedRetrieval?) {
        let tenant = Int(generator.next() % UInt64(settings.tenants))
        let pool = chunks[tenant]
        let hits = (0..<5).map { _ in pool[Int(generator.next() % UInt64(pool.count))] }
        let cited = Int(generator.next() % 4)
        // Log-normal-ish latency around 900 ms with a long tail.
        let u: Double = max(1e-9, Double(generator.next() % 1_000_000) / 1_000_000)
        let angle: Double = 2 * Double.pi * Double(generator.next() % 1_000) / 1_000
        let normal: Double = (-2 * Foundation.log(u)).squareRoot() * cos(angle)
        let latency: Double = 900 * exp(0.5 * normal)
        var input = DialogueInput(
            tenant: "class-\(tenant)", userID: "student-\(generator.next() % UInt64(settings.users))",
            sessionID: "session-\(i / 4)", query: "Why does water move across a membrane? (\(i))",
            response: responses[cited == 0 ? 3 : i % 3], modelUsed: models[i % models.count],
            citations: (0..<cited).map { k in
                .init(chunkID: hits[k].id, marker: "[\(k + 1)]", quote: k == 0 ? hits[k].phrase : nil)
            },
            latencyTotalMilliseconds: (latency * 10).rounded() / 10, promptTokens: 800 + Int(generator.next() % 1_200),
            completionTokens: 60 + Int(generator.next() % 300))
        input.retrievalID = "ret_" + String(format: "%028x", i)
        input.latencyRetrievalMilliseconds = 20 + Double(generator.next() % 40)
        input.relevanceScore = Double(generator.next() % 101) / 100
        input.createdAt = date
        let retrieval = JoinedRetrieval(
            id: input.retrievalID!, tenant: "class-\(tenant)",
            hits: hits.enumerated().map { .init(rank: $0.offset + 1, chunkID: $0.element.id, materialID: $0.element.material,
                                                similarity: 0.8 - Double($0.offset) * 0.05) },
            totalMilliseconds: input.latencyRetrievalMilliseconds)
        return (input, retrieval)
    }
}

