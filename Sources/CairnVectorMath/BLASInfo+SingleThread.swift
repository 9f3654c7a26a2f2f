import Synchronization

extension BLASInfo {
    /// Callers currently holding OpenBLAS at one thread, and the count to restore after the last.
    private static let singleThreadGate = Mutex<(holders: Int, saved: Int?)>((0, nil))

    /// Runs `body` with OpenBLAS held at one thread, for callers that spread work over their own threads
    /// (tiled exact search, the MiniLM encoder): OpenBLAS threads under them would oversubscribe the cores.
    ///
    /// OpenBLAS's thread count is process-wide, so every such caller goes through this one gate: overlapping
    /// calls are counted, the first in saves the setting and the last out restores it.
    public static func withSingleThread<R>(_ body: () throws -> R) rethrows -> R {
        singleThreadGate.withLock { gate in
            if gate.holders == 0, let current = threads, current != 1 {
                gate.saved = current
                setThreads(1)
            }
            gate.holders += 1
        }
        defer {
            singleThreadGate.withLock { gate in
                gate.holders -= 1
                if gate.holders == 0, let saved = gate.saved {
                    setThreads(saved)
                    gate.saved = nil
                }
            }
        }
        return try body()
    }
}
