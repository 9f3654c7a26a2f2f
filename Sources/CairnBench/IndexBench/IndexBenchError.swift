/// A failure of `cairn bench index`, classified like every Cairn error.
///
/// A bad flag or an unreadable dataset is the caller's error; a failing build, save or reload is a
/// service error; a peer that cannot be set up or run is reported separately, because Cairn's own
/// numbers are still valid then.
public enum IndexBenchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting is out of range or settings contradict each other (names the flag).
    case invalidSetting(String)
    /// A dataset file is missing, malformed or inconsistent with the others (names the file).
    case dataset(String)
    /// Building, saving, reloading or searching the index failed.
    case failed(String)
    /// A peer (hnswlib, numpy) could not be set up, run, or read.
    case peer(String)

    /// Whether the caller can fix this by changing the command line or the files it names.
    public var isUserError: Bool {
        switch self {
        case .invalidSetting, .dataset: true
        case .failed, .peer: false
        }
    }

    public var description: String {
        switch self {
        case .invalidSetting(let m): "invalid benchmark setting: \(m)"
        case .dataset(let m): "dataset: \(m)"
        case .failed(let m): "benchmark failed: \(m)"
        case .peer(let m): "peer: \(m)"
        }
    }
}
