/// Why a material, a file of a bulk job, or the ingestion machinery failed.
///
/// Messages name the file (and page, line or record where there is one) and the reason in words an admin
/// can act on, e.g. `bank.jsonl line 17: missing "stem_rich"`. A bulk job records them per file and goes on.
public struct IngestError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What went wrong, in classes callers act on differently.
    public enum Kind: String, Sendable, Hashable {
        /// The file type is not one Cairn reads (or could not be recognised).
        case unsupportedFormat
        /// The file (or record) holds no text to index.
        case emptyContent
        /// The file (or record) could not be parsed as its format.
        case malformed
        /// Reading the file or running an extraction tool failed.
        case io
        /// The file or record is over a configured limit.
        case tooLarge
        /// A setting (chunk sizes, globs, metadata values) is invalid.
        case configuration
        /// Embedding the material's chunks failed (the embedder's message follows).
        case embedding
        /// The store or the index refused a write.
        case storage
        /// The job was stopped (Ctrl-C) before this material finished.
        case cancelled
        /// The data directory is held by another process (the message says which).
        case locked
        /// The material is in a state that does not allow this now (being processed).
        case busy
    }

    public var kind: Kind
    public var message: String
    /// The input field at fault, when one is (`license_type`, `tags`): what an API error names as its `param`.
    public var field: String?
    public init(_ kind: Kind, _ message: String, field: String? = nil) {
        self.kind = kind
        self.message = message
        self.field = field
    }

    /// Whether the input or the configuration is at fault, rather than the service.
    public var isUserError: Bool {
        switch kind {
        case .unsupportedFormat, .emptyContent, .malformed, .tooLarge, .configuration: true
        case .io, .embedding, .storage, .cancelled, .locked, .busy: false
        }
    }

    public var description: String { message }
}
