import Foundation
import Logging

extension WriteAheadLog {
    /// Appends one record and returns its LSN once it is durable.
    ///
    /// Concurrent callers share one write and one sync per group. A single thread appending records one
    /// at a time still pays a sync per record; bulk loads should use ``append(_:)`` with batches.
    ///
    /// - Throws: ``StorageError``: a user error for a payload over ``maxPayloadLength``; a service error
    ///   when the write or sync fails or the log is poisoned. A record whose append threw may or may not
    ///   be replayed after a restart, but a record whose append returned always is.
    @discardableResult
    public func append(type: UInt8, payload: [UInt8]) throws -> UInt64 {
        try append([(type: type, payload: payload)]).lowerBound
    }

    /// Appends records with consecutive LSNs and returns their LSNs once all of them are durable.
    ///
    /// The batch is written in one group (possibly with other appenders' records), so either all of its
    /// records are acknowledged or the call throws. An empty batch returns an empty range at ``nextLSN``.
    @discardableResult
    public func append(_ records: [(type: UInt8, payload: [UInt8])]) throws -> Range<UInt64> {
        for record in records where record.payload.count > WALFormat.maxPayloadLength {
            throw StorageError.userError(
                "write-ahead log \(path): payload of \(record.payload.count) bytes exceeds the "
                    + "\(WALFormat.maxPayloadLength)-byte record limit")
        }
        condition.lock()
        defer { condition.unlock() }
        if let poisoned = state.poisoned { throw refusal(poisoned) }
        let first = state.nextLSN
        guard !records.isEmpty else { return first..<first }
        for record in records {
            WALFormat.encode(lsn: state.nextLSN, type: record.type, payload: record.payload, into: &state.pending)
            state.nextLSN += 1
        }
        let ticket = Ticket(records: records.count)
        state.pendingTickets.append(ticket)
        while ticket.result == nil {
            if state.leaderActive {
                condition.wait()
            } else {
                commitPendingGroup()
            }
        }
        try ticket.result!.get()
        return first..<(first + UInt64(records.count))
    }

    /// The error appends get once the log is poisoned.
    func refusal(_ cause: StorageError) -> StorageError {
        .serviceError(
            "write-ahead log \(path) refuses appends after an earlier failure; reopen it to recover",
            errno: cause.errno, underlying: cause)
    }

    /// Writes and syncs every queued record as one group, then settles the waiting appenders.
    ///
    /// Called and returns with the lock held; drops it around the I/O so appenders can keep queueing.
    private func commitPendingGroup() {
        state.leaderActive = true
        var batch = state.pending
        let tickets = state.pendingTickets
        state.pending = state.spare
        state.pendingTickets = []
        state.spare = []
        let lastLSN = state.nextLSN - 1
        let offset = state.durableSize
        let file = state.file

        condition.unlock()
        var failure: StorageError?
        var wrote = false
        do throws(StorageError) {
            try file.write(batch, at: offset)
            wrote = true
            try file.dataSync()
        } catch {
            failure = error
        }
        condition.lock()

        if let failure {
            settleFailedGroup(failure, wrote: wrote, tickets: tickets, offset: offset, file: file)
        } else {
            state.durableSize = offset + Int64(batch.count)
            state.durableLSN = lastLSN
            let records = tickets.reduce(0) { $0 + $1.records }
            state.statistics.appendCalls += tickets.count
            state.statistics.recordsAppended += records
            state.statistics.writes += 1
            state.statistics.syncs += 1
            state.statistics.bytesWritten += Int64(batch.count)
            state.statistics.largestGroup = max(state.statistics.largestGroup, records)
            for ticket in tickets { ticket.result = .success(()) }
        }
        // Reuse the buffer for a later group unless one huge batch made it too big to keep around.
        if batch.capacity <= 4 << 20 {
            batch.removeAll(keepingCapacity: true)
            state.spare = batch
        }
        state.leaderActive = false
        condition.broadcast()
    }

    /// Fails a group and everything queued behind it, and leaves the file so that nothing unacknowledged
    /// is later mistaken for acknowledged.
    ///
    /// Records queued behind the group already carry LSNs after it, so they fail too and the LSNs are
    /// handed out again. A failed write is cut back and the log carries on if that cut can be synced; a
    /// failed sync poisons the log, because the kernel may have dropped the dirty pages and a retried sync
    /// could falsely succeed.
    private func settleFailedGroup(
        _ failure: StorageError, wrote: Bool, tickets: [Ticket], offset: Int64, file: OpenFile
    ) {
        for ticket in tickets + state.pendingTickets { ticket.result = .failure(failure) }
        state.pendingTickets = []
        state.pending.removeAll(keepingCapacity: true)
        state.nextLSN = state.durableLSN + 1
        do throws(StorageError) {
            try file.truncate(to: offset)
            if wrote {
                state.poisoned = failure
            } else {
                try file.dataSync()
            }
        } catch {
            state.poisoned = error
        }
        if let poisoned = state.poisoned {
            logger.error(
                "write-ahead log \(path) is refusing appends: \(poisoned)",
                metadata: ["file": "\(path)", "errno": "\(poisoned.errno.map(String.init) ?? "-")"])
        } else {
            logger.warning(
                "write-ahead log \(path): append failed and was rolled back to offset \(offset): \(failure)",
                metadata: ["file": "\(path)", "offset": "\(offset)"])
        }
    }
}
