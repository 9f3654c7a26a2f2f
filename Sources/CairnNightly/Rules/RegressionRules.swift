public import Foundation

/// When a nightly figure counts as a regression, read from a JSON file (`Benchmarks/nightly-rules.json`):
///
/// ```json
/// {
///   "comparable_runs": 7,
///   "minimum_runs": 3,
///   "floors": [{"figure": "index/recall@10 100k/64 ef 64", "min": 0.95}],
///   "thresholds": {"throughput": 0.10, "latency": 0.15, "recall": 0.01, "quality": 0.02, "size": 0.05}
/// }
/// ```
///
/// - A figure below its **floor** is a regression, whatever came before.
/// - A figure more than its kind's **threshold** (a fraction) worse than the median of the last
///   `comparable_runs` runs on the same kind of machine that measured it is a regression. Where a peer ran,
///   the Cairn/peer ratio is what is compared (only with runs that had the same peer), since absolute times
///   move with the machine. With fewer than `minimum_runs` such runs, the figure is not judged.
public struct RegressionRules: Sendable, Hashable, Codable {
    public struct Floor: Sendable, Hashable, Codable {
        /// The figure's key (`section/name`).
        public var figure: String
        public var min: Double

        public init(figure: String, min: Double) {
            self.figure = figure
            self.min = min
        }
    }

    public var comparableRuns: Int
    public var minimumRuns: Int
    public var floors: [Floor]
    /// Per figure kind, the fraction by which it may be worse than the median before it is a regression.
    public var thresholds: [BenchFigure.Kind: Double]

    public init(comparableRuns: Int = 7, minimumRuns: Int = 3, floors: [Floor] = [],
                thresholds: [BenchFigure.Kind: Double] = Self.defaultThresholds) {
        self.comparableRuns = comparableRuns
        self.minimumRuns = minimumRuns
        self.floors = floors
        self.thresholds = thresholds
    }

    public static let defaultThresholds: [BenchFigure.Kind: Double] = [
        .throughput: 0.10, .latency: 0.15, .recall: 0.01, .quality: 0.02, .size: 0.05,
    ]

    /// Reads and checks a rule file.
    /// - Throws: ``NightlyError`` `.invalid` naming the file and the key at fault, `.storage` when unreadable.
    public static func load(_ path: String) throws(NightlyError) -> RegressionRules {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw NightlyError(.storage, "cannot read the rule file \(path): \(error.localizedDescription)")
        }
        return try parse(data, name: path)
    }

    /// Parses a rule file's bytes (`name` is used in messages).
    public static func parse(_ data: Data, name: String) throws(NightlyError) -> RegressionRules {
        func bad(_ what: String) -> NightlyError { NightlyError(.invalid, "\(name): \(what)") }
        struct FloorEntry: Decodable { var figure: String; var min: Double }
        struct File: Decodable {
            var comparable_runs: Int?
            var minimum_runs: Int?
            var floors: [FloorEntry]?
            var thresholds: [String: Double]?
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw bad("not a JSON object")
        }
        let known = ["comparable_runs", "floors", "minimum_runs", "thresholds"]
        if let unknown = root.keys.sorted().first(where: { !known.contains($0) }) {
            throw bad("unknown key \"\(unknown)\"; allowed: \(known.joined(separator: ", "))")
        }
        for (i, entry) in ((root["floors"] as? [[String: Any]]) ?? []).enumerated() {
            if let extra = entry.keys.sorted().first(where: { $0 != "figure" && $0 != "min" }) {
                throw bad("unknown key \"floors[\(i)].\(extra)\"; allowed: figure, min")
            }
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw bad("\"\(Self.path(context.codingPath))\" has the wrong type (\(context.debugDescription))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw bad("\"\(Self.path(context.codingPath + [key]))\" is missing")
        } catch {
            throw bad("\(error)")
        }
        var rules = RegressionRules()
        if let n = file.comparable_runs {
            guard (1...1_000).contains(n) else { throw bad("\"comparable_runs\" is \(n); allowed: 1–1000") }
            rules.comparableRuns = n
        }
        if let n = file.minimum_runs {
            guard (1...1_000).contains(n) else { throw bad("\"minimum_runs\" is \(n); allowed: 1–1000") }
            rules.minimumRuns = n
        }
        guard rules.minimumRuns <= rules.comparableRuns else {
            throw bad("\"minimum_runs\" (\(rules.minimumRuns)) is more than \"comparable_runs\" (\(rules.comparableRuns))")
        }
        for (i, floor) in (file.floors ?? []).enumerated() {
            guard floor.figure.contains("/") else {
                throw bad("\"floors[\(i)].figure\" is \"\(floor.figure)\"; name a figure as section/name")
            }
            guard floor.min.isFinite else { throw bad("\"floors[\(i)].min\" must be a finite number") }
            rules.floors.append(Floor(figure: floor.figure, min: floor.min))
        }
        for (key, fraction) in (file.thresholds ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let kind = BenchFigure.Kind(rawValue: key), kind != .info else {
                throw bad("unknown figure kind \"thresholds.\(key)\"; allowed: throughput, latency, recall, quality, size")
            }
            guard (0...10).contains(fraction) else {
                throw bad("\"thresholds.\(key)\" is \(fraction); allowed: a fraction 0–10 (0.1 = 10 % worse)")
            }
            rules.thresholds[kind] = fraction
        }
        return rules
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().replacingOccurrences(of: ".[", with: "[")
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
