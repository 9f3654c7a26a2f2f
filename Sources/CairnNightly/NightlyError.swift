/// Why a nightly history, rule file or report could not be used: the message names the file (and line or
/// key) and what is wrong.
public struct NightlyError: Error, CustomStringConvertible, Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A rule file or a history line that does not hold what it must.
        case invalid
        /// Reading or writing a file or the store failed.
        case storage
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
