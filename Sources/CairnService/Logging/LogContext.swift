public import Logging

/// The request a task is serving, for log lines written while it does: the HTTP layer sets it around each
/// request, and ``metadataProvider`` adds it to every line any logger writes in that task — the service's
/// own lines included — so one request id ties together everything a request caused.
///
/// ```swift
/// LoggingSystem.bootstrap { JSONLogHandler(label: $0, metadataProvider: LogContext.metadataProvider) }
/// try await LogContext.$requestID.withValue("req_1a2b") { try await handle(request) }
/// ```
public enum LogContext {
    /// The id of the request the current task serves, if any.
    @TaskLocal public static var requestID: String?

    /// Adds `request_id` to log lines written while a request is being served.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let id = requestID else { return [:] }
        return ["request_id": .string(id)]
    }
}
