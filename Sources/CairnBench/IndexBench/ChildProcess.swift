import Foundation

/// Runs a peer script as a child process, its output going to this process's standard error.
///
/// Peers print progress while they work (a build of 100k vectors takes a while), so their output is
/// passed through live rather than captured; standard output stays free for the benchmark's tables.
enum ChildProcess {
    /// Runs `executable` with `arguments` and waits for it.
    ///
    /// - Parameters:
    ///   - removing: environment variables the child must not inherit.
    ///   - output: where its standard output goes (standard error by default; `FileHandle.nullDevice` for a child
    ///     that leaves a daemon behind, which must not hold this process's descriptors open).
    /// - Throws: ``IndexBenchError/peer(_:)`` when it cannot start, exits non-zero or dies of a signal.
    static func run(
        _ executable: String, _ arguments: [String], removing: Set<String> = [], output: FileHandle = .standardError,
        what: String
    ) throws(IndexBenchError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !removing.contains($0.key) }
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .peer("\(what): cannot start \(executable): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        let status = process.terminationStatus
        switch process.terminationReason {
        case .exit where status == 0:
            return
        case .exit:
            throw .peer("\(what) exited with status \(status) (its output is above): "
                + ([executable] + arguments).joined(separator: " "))
        case .uncaughtSignal:
            throw .peer("\(what) was killed by signal \(status)")
        @unknown default:
            throw .peer("\(what) ended abnormally (status \(status))")
        }
    }
}
