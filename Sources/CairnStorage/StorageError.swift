import Glibc

/// An error raised by the storage layer: the write-ahead log, checkpoint files and the file layer under them.
///
/// Every error is classified by ``kind`` so upper layers can decide what to do without parsing text:
/// - ``Kind/userError``: the caller asked for something invalid (an oversized payload, a bad argument).
/// - ``Kind/serviceError``: the machine failed us (a full disk, an I/O error, a log refusing work after one).
/// - ``Kind/corruption``: bytes on disk are not what we wrote; the data must not be served.
///
/// The ``message`` names the file or setting involved; ``errno`` and ``underlying`` keep the cause, and
/// ``sourceFile``/``sourceLine`` say where in Cairn the error was raised.
///
/// ```swift
/// throw StorageError.corruption(
///     "checkpoint \(path): section 3 checksum mismatch (expected 0x1a2b3c4d, found 0x00000000)")
/// ```
public struct StorageError: Error, CustomStringConvertible, Sendable {
    /// How an error should be treated by the layers above.
    public enum Kind: String, Sendable, Hashable, CustomStringConvertible {
        /// The request or configuration was invalid; retrying it unchanged will fail again.
        case userError = "user error"
        /// The service could not do its job (disk full, I/O failure); the data on disk is still trustworthy.
        case serviceError = "service error"
        /// Stored bytes failed validation; nothing read from them may be returned.
        case corruption

        public var description: String { rawValue }
    }

    /// The classification of this error.
    public let kind: Kind
    /// A human-readable explanation that names the file or setting involved.
    public let message: String
    /// The `errno` of the failing system call, when one failed.
    public let errno: Int32?
    /// The error that caused this one, if any.
    public let underlying: (any Error & Sendable)?
    /// The Cairn source file (`#fileID`) that raised the error.
    public let sourceFile: String
    /// The line in ``sourceFile`` that raised the error.
    public let sourceLine: Int
    /// Set when the error is a directory that another process holds (see ``DirectoryLock``): who holds it.
    public var lockHolder: LockHolder?

    /// Creates an error; prefer the ``userError(_:file:line:)``, ``serviceError(_:errno:underlying:file:line:)``
    /// and ``corruption(_:file:line:)`` shorthands.
    public init(
        kind: Kind, message: String, errno: Int32? = nil, underlying: (any Error & Sendable)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.kind = kind
        self.message = message
        self.errno = errno
        self.underlying = underlying
        self.sourceFile = file
        self.sourceLine = line
    }

    /// An invalid request or argument.
    public static func userError(_ message: String, file: String = #fileID, line: Int = #line) -> StorageError {
        StorageError(kind: .userError, message: message, file: file, line: line)
    }

    /// A failure of the machine or of an earlier operation that leaves the service unable to proceed.
    public static func serviceError(
        _ message: String, errno: Int32? = nil, underlying: (any Error & Sendable)? = nil,
        file: String = #fileID, line: Int = #line
    ) -> StorageError {
        StorageError(kind: .serviceError, message: message, errno: errno, underlying: underlying, file: file, line: line)
    }

    /// Stored bytes that failed validation.
    public static func corruption(_ message: String, file: String = #fileID, line: Int = #line) -> StorageError {
        StorageError(kind: .corruption, message: message, file: file, line: line)
    }

    /// A directory another process holds: `index-data is in use by cairn serve (pid 12, http://…)`.
    public static func locked(directory: String, by holder: LockHolder, file: String = #fileID, line: Int = #line)
        -> StorageError
    {
        var error = StorageError(kind: .userError, message: "\(directory) is in use by \(holder); stop it or use another "
                                     + "--data-dir", file: file, line: line)
        error.lockHolder = holder
        return error
    }

    /// A failed system call on `path`, e.g. `fsync /data/wal.log: Input/output error (errno 5)`.
    ///
    /// System-call failures are service errors: a missing directory or a full disk is the operator's
    /// problem, never the API caller's.
    public static func systemCall(
        _ call: String, path: String, errno code: Int32, file: String = #fileID, line: Int = #line
    ) -> StorageError {
        let reason = String(cString: strerror(code))
        return StorageError(
            kind: .serviceError, message: "\(call) \(path): \(reason)", errno: code, file: file, line: line)
    }

    public var description: String {
        var text = "\(kind): \(message)"
        if let errno, !message.contains("errno") { text += " (errno \(errno))" }
        if let underlying { text += "; caused by: \(underlying)" }
        return text + " [\(sourceFile):\(sourceLine)]"
    }
}
