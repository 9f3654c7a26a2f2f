import Synchronization

/// One request in flight: its easy handle, the continuation of the task awaiting it, and whether that
/// task asked to cancel.
///
/// The continuation is resumed exactly once, by ``complete(_:)``, whichever of completion, cancellation
/// or driver shutdown gets there first.
final class CurlTransfer: Sendable {
    typealias Continuation = CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>

    private struct State {
        var continuation: Continuation?
        var cancelRequested = false
        var completed = false
    }

    let easy: CurlEasy
    private let state = Mutex(State())

    init(easy: CurlEasy) {
        self.easy = easy
    }

    /// Records the continuation to resume; called before the transfer is submitted.
    func attach(_ continuation: Continuation) {
        state.withLock { $0.continuation = continuation }
    }

    /// Marks the transfer cancelled; returns false if it already was (or has completed).
    func requestCancel() -> Bool {
        state.withLock { state in
            guard !state.cancelRequested, !state.completed else { return false }
            state.cancelRequested = true
            return true
        }
    }

    /// Whether the awaiting task asked to cancel.
    var isCancelRequested: Bool { state.withLock { $0.cancelRequested } }

    /// Resumes the awaiting task with `result`; later calls do nothing.
    func complete(_ result: Result<HTTPResponse, HTTPError>) {
        let continuation = state.withLock { state -> Continuation? in
            guard !state.completed else { return nil }
            state.completed = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: result)
    }

    /// The error a cancelled transfer completes with.
    var cancellationError: HTTPError {
        HTTPError(.cancelled, "\(easy.label): cancelled before the response arrived")
    }
}
