import CairnIngest
import CairnSQL
import Foundation

/// The peers of `cairn bench quality` on the same chunks: bm25s, onnxruntime MiniLM with exact numpy search,
/// and their reciprocal-rank fusion (Benchmarks/peers/quality_peer.py).
struct QualityPeers: BenchmarksLayout {
    let settings: QualityBench.Settings
    let log: @Sendable (String) -> Void
    var benchmarksDirectory: String { settings.benchmarksDirectory }

    static let names = [("bm25s", "peer: bm25s"), ("onnx_exact", "peer: onnxruntime MiniLM, exact"),
                        ("rrf", "peer: RRF of both")]

    func run(library: MaterialLibrary, queries: [QualityCorpus.Query]) throws -> (rows: [QualityReport.Row], versions: [String: String]) {
        let work = path("results", "quality-peer-\(getpid())")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let material = try exportChunks(library, to: work + "/chunks.jsonl")
        var lines = ""
        for q in queries {
            let data = try JSONSerialization.data(withJSONObject: ["id": q.id, "query": q.query])
            lines += String(decoding: data, as: UTF8.self) + "\n"
        }
        try lines.write(toFile: work + "/queries.jsonl", atomically: true, encoding: .utf8)
        log("peers: bash \(path("peers", "setup_quality.sh"))")
        try ChildProcess.run("/usr/bin/env", ["bash", path("peers", "setup_quality.sh"), settings.modelDirectory],
                             what: "peer setup")
        try ChildProcess.run(python, [
            path("peers", "quality_peer.py"), "--chunks", work + "/chunks.jsonl", "--queries", work + "/queries.jsonl",
            "--model-dir", settings.modelDirectory, "--onnx", path(".venv", "minilm-fused.onnx"),
            "--depth", String(MaterialLibrary.candidateDepth(topK: settings.topK)), "--out", work + "/rankings.json",
            "--cache", path(".venv", "quality-cache"),
        ], removing: ["OPENBLAS_CORETYPE"], what: "quality peer")
        let output = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/rankings.json")))
        guard let object = output as? [String: Any], let rankings = object["rankings"] as? [String: [String: [Int64]]] else {
            throw QualityBenchError("the quality peer wrote no rankings")
        }
        var rows: [QualityReport.Row] = []
        for (key, name) in Self.names {
            guard let byQuery = rankings[key] else { throw QualityBenchError("the quality peer wrote no \(key) ranking") }
            var metrics = QualityMetrics()
            for q in queries {
                let chunks = (byQuery[String(q.id)] ?? []).prefix(settings.topK)
                metrics.add(ranking: QualityMetrics.materialRanking(chunks.compactMap { material[$0] }),
                            relevant: Set(q.relevant))
            }
            let m = metrics.means
            log(String(format: "  %-34@ hit@1 %.4f  hit@10 %.4f  MRR@10 %.4f  nDCG@10 %.4f", name, m.hitAt1, m.hitAt10,
                       m.mrrAt10, m.ndcgAt10))
            rows.append(QualityReport.Row(name: name, metrics: m, p50Milliseconds: nil))
        }
        let versions = (object["versions"] as? [String: String]) ?? [:]
        return (rows, versions)
    }

    /// Writes every searchable chunk (id, document id, text) as JSON lines; returns chunk id → document id.
    private func exportChunks(_ library: MaterialLibrary, to file: String) throws -> [Int64: String] {
        var material: [Int64: String] = [:]
        guard let out = FileHandle(forWritingAtPath: file) ?? {
            FileManager.default.createFile(atPath: file, contents: nil)
            return FileHandle(forWritingAtPath: file)
        }() else { throw QualityBenchError("cannot write \(file)") }
        defer { try? out.close() }
        let rows = try library.store.reader.query(
            """
            SELECT c.id, m.filename, c.content FROM material_chunks c JOIN materials m ON m.id = c.material_id
            WHERE m.status = 'completed' ORDER BY c.id
            """)
        var buffer = Data()
        for row in rows {
            let id: Int64 = try row.get(0)
            let document = QualityCorpus.documentID(filename: try row.get(1) as String? ?? "")
            material[id] = document
            buffer += try JSONSerialization.data(withJSONObject: ["id": id, "material": document,
                                                                  "text": try row.get(2) as String])
            buffer += Data("\n".utf8)
            if buffer.count > 1 << 20 {
                out.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        out.write(buffer)
        log("peers: exported \(material.count) chunks")
        return material
    }
}
