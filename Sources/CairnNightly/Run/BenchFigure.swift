/// One number a nightly run measured, with the peer's number for the same thing in the same run.
///
/// Absolute times move with the machine and its neighbours; a ratio against a peer measured minutes apart
/// on the same machine moves far less, so rules judge ``judged`` — the ratio when a peer ran, the value
/// otherwise.
public struct BenchFigure: Sendable, Hashable, Codable {
    /// What a figure measures, which decides the direction that is better and the rule's threshold.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Queries, requests or documents per second: higher is better.
        case throughput
        /// Seconds or milliseconds per operation (build time, load time, a latency percentile): lower is better.
        case latency
        /// Recall of exact search's answers (0–1): higher is better, and may have a floor.
        case recall
        /// A retrieval-quality score such as nDCG or hit@10 (0–1): higher is better.
        case quality
        /// Bytes per vector and other sizes: lower is better.
        case size
        /// Reported for reading only; no rule judges it.
        case info
    }

    /// The benchmark section (`index`, `filtered`, `embed`, `ingest`, `serve`, `quality`).
    public var section: String
    /// The figure's name within its section, stable from run to run (`qps@recall0.95 100k/64`).
    public var name: String
    public var kind: Kind
    public var value: Double
    /// `q/s`, `s`, `ms`, `recall`, `bytes`, …
    public var unit: String
    /// The peer measured beside it in the same run (`hnswlib`), if one was.
    public var peer: String?
    public var peerValue: Double?

    public init(section: String, name: String, kind: Kind, value: Double, unit: String, peer: String? = nil,
                peerValue: Double? = nil) {
        self.section = section
        self.name = name
        self.kind = kind
        self.value = value
        self.unit = unit
        self.peer = peer
        self.peerValue = peerValue
    }

    /// `section/name`: how rules and reports refer to it.
    public var key: String { "\(section)/\(name)" }

    /// Whether a larger value is better.
    public var higherIsBetter: Bool {
        switch kind {
        case .throughput, .recall, .quality, .info: true
        case .latency, .size: false
        }
    }

    /// Cairn's advantage over the peer: > 1 is better than the peer whichever direction the figure runs
    /// (value / peer for throughput, peer / value for latency); nil without a usable peer value.
    public var ratio: Double? {
        guard let peerValue, peerValue.isFinite, value.isFinite, peerValue > 0, value > 0 else { return nil }
        return higherIsBetter ? value / peerValue : peerValue / value
    }

    /// What the rules compare: the ratio to the peer when there is one, else the value.
    public var judged: Double { ratio ?? value }
}
