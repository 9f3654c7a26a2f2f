/// A failure of `cairn bench embed`, classified like every Cairn error.
///
/// A bad flag or a missing text set is the caller's error, and so is a model that is not installed; an
/// embedder that fails while being measured is a service error; a peer that cannot be set up or run is
/// reported separately, because Cairn's own numbers are still valid then.
public enum EmbedBenchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting is out of range (names the flag).
    case invalidSetting(String)
    /// The text set is missing, unreadable or empty (names the file).
    case textSet(String)
    /// The embedder could not be created; `userError` is true when the caller can fix it (model not
    /// installed, bad configuration).
    case embedder(String, userError: Bool)
    /// Embedding failed or returned something other than one vector of the model's dimension per text.
    case failed(String)
    /// A peer (onnxruntime, torch) could not be set up, run, or read.
    case peer(String)

    /// Whether the caller can fix this by changing the command line, the files it names or the install.
    public var isUserError: Bool {
        switch self {
        case .invalidSetting, .textSet: true
        case .embedder(_, let userError): userError
        case .failed, .peer: false
        }
    }

    public var description: String {
        switch self {
        case .invalidSetting(let m): "invalid benchmark setting: \(m)"
        case .textSet(let m): "text set: \(m)"
        case .embedder(let m, _): "embedder: \(m)"
        case .failed(let m): "benchmark failed: \(m)"
        case .peer(let m): "peer: \(m)"
        }
    }
}
