import Glibc
import Synchronization

/// Runs every transfer of one ``HTTPClient`` on a single dedicated thread with a libcurl multi handle.
///
/// Blocking I/O never touches Swift's cooperative pool: callers enqueue transfers and suspend on a
/// continuation; the driver thread adds them to the multi handle, drives all of them with
/// `curl_multi_perform` / `curl_multi_poll`, and resumes each continuation when its transfer finishes.
/// Connections are pooled by the multi handle and reused across requests to the same host.
///
/// The thread starts with the first transfer and ends at ``shutdown()`` (called by the client's `deinit`).
final class CurlTransferDriver: Sendable {
    private struct Inbox {
        var submitted: [CurlTransfer] = []
        var cancelled: [CurlTransfer] = []
        var stopping = false
        var threadStarted = false
    }

    private let multi: Result<CurlMulti, HTTPError>
    private let inbox = Mutex(Inbox())
    /// Transfers added to the multi handle, by easy-handle address; touched only by the driver thread (the
    /// lock is uncontended and only makes that checkable).
    private let active = Mutex<[Int: CurlTransfer]>([:])

    init() {
        do throws(HTTPError) {
            multi = .success(try CurlMulti())
        } catch {
            multi = .failure(error)
        }
    }

    /// Queues `transfer` to run; it completes through ``CurlTransfer/complete(_:)``.
    func submit(_ transfer: CurlTransfer) {
        let multi: CurlMulti
        switch self.multi {
        case .success(let m): multi = m
        case .failure(let error): return transfer.complete(.failure(error))
        }
        let startThread = inbox.withLock { inbox -> Bool? in
            guard !inbox.stopping else { return nil }
            inbox.submitted.append(transfer)
            defer { inbox.threadStarted = true }
            return !inbox.threadStarted
        }
        switch startThread {
        case nil:
            transfer.complete(.failure(HTTPError(.cancelled, "\(transfer.easy.label): HTTP client shut down")))
        case true?:
            let rc = Self.startThread { self.run(multi) }
            guard rc != 0 else { return }
            let stranded = inbox.withLock { inbox in
                defer { inbox.submitted = []; inbox.threadStarted = false }
                return inbox.submitted
            }
            let error = HTTPError(.transport, "pthread_create failed (errno \(rc)) starting the HTTP driver thread")
            for transfer in stranded { transfer.complete(.failure(error)) }
        case false?:
            multi.wakeup()
        }
    }

    /// Asks the driver to abandon `transfer` (the awaiting task was cancelled).
    func cancel(_ transfer: CurlTransfer) {
        inbox.withLock { $0.cancelled.append(transfer) }
        if case .success(let multi) = multi { multi.wakeup() }
    }

    /// Stops the thread; transfers still running complete with ``HTTPError/Kind/cancelled``.
    func shutdown() {
        inbox.withLock { $0.stopping = true }
        if case .success(let multi) = multi { multi.wakeup() }
    }

    // MARK: Driver thread

    private func run(_ multi: CurlMulti) {
        while true {
            let (submitted, cancelled, stopping) = inbox.withLock { inbox in
                defer { inbox.submitted = []; inbox.cancelled = [] }
                return (inbox.submitted, inbox.cancelled, inbox.stopping)
            }
            for transfer in submitted { start(transfer, in: multi) }
            for transfer in cancelled { abandon(transfer, in: multi, with: transfer.cancellationError) }
            if stopping {
                let remaining = active.withLock { Array($0.values) }
                for transfer in remaining {
                    abandon(transfer, in: multi, with: HTTPError(.cancelled, "\(transfer.easy.label): HTTP client shut down"))
                }
                return
            }
            do throws(HTTPError) {
                try multi.perform()
                for (handle, code) in multi.completed() {
                    guard let transfer = active.withLock({ $0.removeValue(forKey: Int(bitPattern: handle)) }) else { continue }
                    multi.remove(transfer.easy)
                    transfer.complete(transfer.easy.finish(code: code))
                }
                try multi.poll(timeoutMilliseconds: 1000)
            } catch {
                // The multi handle itself failed (out of memory, most likely): fail what is running, and
                // pause so that a persistent failure does not spin this thread.
                for transfer in active.withLock({ Array($0.values) }) { abandon(transfer, in: multi, with: error) }
                usleep(10_000)
            }
        }
    }

    private func start(_ transfer: CurlTransfer, in multi: CurlMulti) {
        guard !transfer.isCancelRequested else { return transfer.complete(.failure(transfer.cancellationError)) }
        do throws(HTTPError) {
            try multi.add(transfer.easy)
            active.withLock { $0[Int(bitPattern: transfer.easy.handle)] = transfer }
        } catch {
            transfer.complete(.failure(error))
        }
    }

    private func abandon(_ transfer: CurlTransfer, in multi: CurlMulti, with error: HTTPError) {
        // A transfer not (or no longer) active either completed already or is caught by `start`.
        guard active.withLock({ $0.removeValue(forKey: Int(bitPattern: transfer.easy.handle)) }) != nil else { return }
        multi.remove(transfer.easy)
        transfer.complete(.failure(error))
    }

    /// Starts a detached POSIX thread running `body`; returns `pthread_create`'s result (0 on success).
    private static func startThread(_ body: @escaping @Sendable () -> Void) -> Int32 {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            box.body()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(context).release()
            return rc
        }
        pthread_detach(thread)
        return 0
    }
}
