import Foundation

extension WriteAheadLog {
    /// Replaces the log by an empty one whose first record will carry `startingLSN`.
    ///
    /// Call it after a checkpoint that covers every record in the log. The new log is written to a
    /// temporary file, synced, renamed over `wal.log` and the directory synced, so a crash leaves either
    /// the old log or the new one. Waits for groups in flight; appends queued later go to the new log.
    ///
    /// - Parameter startingLSN: At least ``nextLSN``: a reset must never drop a record.
    /// - Throws: ``StorageError``: a user error for a `startingLSN` that would drop records, a service
    ///   error if the new log cannot be made durable. A failure after the rename poisons the log.
    public func reset(startingLSN: UInt64) throws {
        condition.lock()
        defer { condition.unlock() }
        while state.leaderActive || !state.pendingTickets.isEmpty { condition.wait() }
        if let poisoned = state.poisoned { throw refusal(poisoned) }
        guard startingLSN >= state.nextLSN, startingLSN > 0 else {
            throw StorageError.userError(
                "write-ahead log \(path): reset(startingLSN: \(startingLSN)) would drop records; "
                    + "the next LSN is \(state.nextLSN)")
        }
        var renamed = false
        do throws(StorageError) {
            let file = try Self.createLog(directory: directory, firstLSN: startingLSN, io: io, renamed: &renamed)
            state.file = file
            state.firstLSN = startingLSN
            state.nextLSN = startingLSN
            state.durableLSN = startingLSN - 1
            state.durableSize = Int64(WALFormat.headerSize)
        } catch {
            // Once renamed, wal.log on disk may be either file after a crash: appending to either could
            // lose acknowledged records, so stop here.
            if renamed { state.poisoned = error }
            throw error
        }
    }
}
