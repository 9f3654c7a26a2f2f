/// A failure to read or write a dataset file.
///
/// Errors are classified as elsewhere in Cairn: a bad path or argument is the caller's error, a
/// failing system call is a service error, and a file whose bytes contradict its format is corrupt.
public struct DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Who is at fault.
    public enum Category: String, Sendable {
        /// The caller asked for something impossible (a missing file, a bad dimension).
        case userError
        /// The system failed (I/O error, disk full).
        case serviceError
        /// The file does not follow its format (truncated, inconsistent dimensions).
        case corruption
    }

    /// Who is at fault.
    public let category: Category
    /// The file concerned.
    public let path: String
    /// What went wrong, naming the vector index where one applies.
    public let message: String
    /// The `errno` of a failed system call, if any.
    public let errno: Int32?

    /// A dataset error on `path`.
    public init(_ category: Category, path: String, _ message: String, errno: Int32? = nil) {
        self.category = category
        self.path = path
        self.message = message
        self.errno = errno
    }

    public var description: String { "\(path): \(message)" }
}
