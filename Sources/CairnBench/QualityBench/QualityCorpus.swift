import Foundation

/// The corpus `Benchmarks/quality/build_manpages.py` writes: documents to ingest, held-out documents, and
/// queries with their relevant documents (ids are file names without `.txt`, e.g. `ls.1`).
public struct QualityCorpus: Sendable {
    public struct Query: Sendable, Hashable, Codable {
        public var id: Int
        public var query: String
        public var relevant: [String]
        /// True when every relevant document was held out: the materials do not hold the answer.
        public var heldOut: Bool

        enum CodingKeys: String, CodingKey {
            case id, query, relevant
            case heldOut = "held_out"
        }
    }

    public var directory: String
    /// Paths of the documents to ingest, sorted.
    public var documents: [String]
    public var queries: [Query]

    /// Reads `directory` (docs/*.txt and queries.jsonl).
    public static func load(_ directory: String) throws -> QualityCorpus {
        let docs = (directory as NSString).appendingPathComponent("docs")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: docs) else {
            throw QualityBenchError("\(docs) does not exist; build the corpus first: python3 "
                + "Benchmarks/quality/build_manpages.py --out \(directory)")
        }
        let documents = names.filter { $0.hasSuffix(".txt") }.sorted().map { (docs as NSString).appendingPathComponent($0) }
        let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent("queries.jsonl"), encoding: .utf8)
        let decoder = JSONDecoder()
        let queries = try text.split(separator: "\n").map { try decoder.decode(Query.self, from: Data($0.utf8)) }
        guard !documents.isEmpty, !queries.isEmpty else { throw QualityBenchError("\(directory) holds no documents or queries") }
        return QualityCorpus(directory: directory, documents: documents, queries: queries)
    }

    /// An evenly spaced sample of `documents` documents (every k-th of the sorted list), the answerable
    /// questions with a relevant document among them, and every k-th held-out question.
    public func sample(documents count: Int) -> QualityCorpus {
        guard count > 0, count < documents.count else { return self }
        let stride = Double(documents.count) / Double(count)
        let kept = (0..<count).map { documents[Int(Double($0) * stride)] }
        let ids = Set(kept.map { Self.documentID(filename: ($0 as NSString).lastPathComponent) })
        let step = max(1, Int(stride.rounded()))
        var heldOutSeen = 0
        let questions = queries.filter { q in
            if q.heldOut {
                defer { heldOutSeen += 1 }
                return heldOutSeen % step == 0
            }
            return q.relevant.contains { ids.contains($0) }
        }
        return QualityCorpus(directory: directory, documents: kept, queries: questions)
    }

    /// The document id of a file name (`ls.1.txt` → `ls.1`).
    public static func documentID(filename: String) -> String {
        filename.hasSuffix(".txt") ? String(filename.dropLast(4)) : filename
    }
}

/// A failure of `cairn bench quality`.
public struct QualityBenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
