public import Foundation
public import Logging

/// Drains the outbox into PostgreSQL on a thread of its own, for as long as the process runs.
///
/// It polls the outbox (every `pollInterval`, and at once after a batch that found work), applies what it
/// finds, and on a failure records the error and retries with a growing pause (0.5 s doubling to 10 s): an
/// outage of PostgreSQL never reaches ingestion or retrieval, which only ever write to the store. Its
/// ``status()`` is what `/readyz`, `/metrics` and `cairn mirror status` report.
public final class MirrorWorker: @unchecked Sendable {
    /// The mirror as a reader of `/readyz` sees it.
    public struct Status: Sendable {
        /// Changes waiting in the outbox.
        public var changes: Int
        /// Seconds since the oldest waiting change was committed (0 when none waits).
        public var secondsBehind: Double
        /// The last failure, until a drain succeeds (the full message, for logs and the CLI).
        public var lastError: String?
        /// The last failure's ``MirrorError/summary`` (for unauthenticated status pages).
        public var lastErrorSummary: String?
        /// When a drain last succeeded.
        public var lastSuccess: Date?
        /// Changes applied since the worker started.
        public var appliedChanges: Int
        /// Chunks (with vectors) upserted since the worker started.
        public var appliedChunks: Int
        /// Rows set aside because PostgreSQL refused them (`mirror_rejected`; `cairn mirror status` lists them).
        public var rejectedRows: Int
    }

    public let applier: MirrorApplier
    let logger: Logger
    let pollInterval: TimeInterval
    private let condition = NSCondition()
    private var stopping = false
    private var thread: Thread?
    private var finished = true
    private var lastError: MirrorError?
    private var lastSuccess: Date?
    private var applied = 0
    private var chunks = 0
    private var observers: [@Sendable (Status) -> Void] = []

    public init(applier: MirrorApplier, logger: Logger, pollInterval: TimeInterval = 0.2) {
        self.applier = applier
        self.logger = logger
        self.pollInterval = pollInterval
    }

    /// Calls `observer` with the status after every drain attempt (metrics).
    public func observe(_ observer: @escaping @Sendable (Status) -> Void) {
        condition.lock()
        observers.append(observer)
        condition.unlock()
    }

    /// Starts the thread (once).
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard thread == nil else { return }
        finished = false
        let thread = Thread { [self] in loop() }
        thread.name = "cairn-mirror"
        self.thread = thread
        thread.start()
    }

    /// Wakes the thread now (after a commit, say).
    public func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the thread after a last drain of at most `seconds`; returns the status then.
    @discardableResult
    public func stop(drainingFor seconds: TimeInterval) -> Status {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
        _ = drain(until: Date().addingTimeInterval(seconds))
        return status()
    }

    /// Drains until the outbox is empty or `deadline` passes, retrying after failures; returns whether it
    /// emptied. (What a CLI writing command does before it exits.)
    public func drain(until deadline: Date) -> Bool {
        var pause = 0.5
        while true {
            if attempt(), (try? applier.outbox.backlog().changes) == 0 { return true }
            guard Date().addingTimeInterval(pause) < deadline else { return false }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 5)
        }
    }

    public func status() -> Status {
        let backlog = try? applier.outbox.backlog()
        let rejected = (try? applier.outbox.rejectedCount()) ?? 0
        condition.lock()
        defer { condition.unlock() }
        return Status(changes: backlog?.changes ?? 0, secondsBehind: backlog?.secondsBehind() ?? 0,
                      lastError: lastError?.message, lastErrorSummary: lastError?.summary, lastSuccess: lastSuccess,
                      appliedChanges: applied, appliedChunks: chunks, rejectedRows: rejected)
    }

    private func loop() {
        var pause = 0.0
        while true {
            condition.lock()
            if !stopping { _ = condition.wait(until: Date().addingTimeInterval(max(pollInterval, pause))) }
            let stop = stopping
            condition.unlock()
            if stop { break }
            let ok = attempt()
            pause = ok ? 0 : min(max(pause * 2, 0.5), 10)
        }
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// One drain; records its outcome. Returns whether it succeeded.
    private func attempt() -> Bool {
        let outcome: Result<MirrorApplier.Report, MirrorError>
        do {
            outcome = .success(try applier.drain())
        } catch {
            outcome = .failure(error)
        }
        condition.lock()
        switch outcome {
        case .success(let report):
            if lastError != nil { logger.notice("mirror: PostgreSQL reachable again") }
            lastError = nil
            lastSuccess = Date()
            applied += report.changes
            chunks += report.chunks
            if report.rejected > 0 {
                logger.error("mirror: PostgreSQL refused rows; they are set aside in mirror_rejected (cairn mirror status)",
                             metadata: ["rows": "\(report.rejected)"])
            }
            if report.changes > 0 {
                logger.debug("mirror: applied", metadata: ["changes": "\(report.changes)", "upserted": "\(report.upserted)",
                                                           "deleted": "\(report.deleted)"])
            }
        case .failure(let error):
            if lastError?.message != error.message {
                logger.warning("mirror: cannot apply changes to PostgreSQL; they wait in the outbox",
                               metadata: ["error": "\(error.message)"])
            }
            lastError = error
        }
        let observers = self.observers
        condition.unlock()
        if !observers.isEmpty {
            let now = status()
            for observer in observers { observer(now) }
        }
        if case .success = outcome { return true }
        return false
    }
}
