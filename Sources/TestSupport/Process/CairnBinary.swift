public import Foundation

/// Runs the real `cairn` executable built next to the test bundle, for tests that crash or script it.
public enum CairnBinary {
    /// `.build/<config>/cairn`, beside the test runner.
    public static var url: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        // The runner may sit inside an .xctest bundle directory.
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("cairn").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("cairn")
    }

    /// The outcome of a finished run.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `cairn arguments…` to completion (in `directory` when given).
    public static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
                           removing removed: [String] = []) throws -> Outcome {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        for name in removed { env[name] = nil }
        p.environment = env
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                       stderr: String(decoding: e, as: UTF8.self))
    }

    /// Starts `cairn arguments…`, hands each stdout line to `onLine` until it returns false, then kills the
    /// process with SIGKILL. Returns the lines read (the process may have printed more that nobody read).
    public static func runAndKill(_ arguments: [String], onLine: (String) -> Bool) throws -> (lines: [String], killed: Bool) {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let (lines, killed) = LineReader.read(out.fileHandleForReading, onLine: onLine)
        if killed { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        return (lines, killed)
    }

    /// Starts `cairn arguments…` and kills it with SIGKILL after `seconds` unless it ended before; returns
    /// whether it was killed and, if it ended by itself, its exit status.
    public static func runAndKill(_ arguments: [String], after seconds: Double, environment: [String: String] = [:])
        throws -> (killed: Bool, status: Int32)
    {
        let run = try runAndSignal(arguments, signal: SIGKILL, after: seconds, environment: environment)
        return (run.signalled, run.outcome.status)
    }

    /// Runs `cairn arguments…`, sends `signal` after `seconds` if it is still running, and waits for it to end.
    public static func runAndSignal(_ arguments: [String], signal: Int32, after seconds: Double,
                                    environment: [String: String] = [:]) throws -> (signalled: Bool, outcome: Outcome) {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let dir = FileManager.default.temporaryDirectory
        let outURL = dir.appendingPathComponent("cairn-out-\(UUID().uuidString)")
        let errURL = dir.appendingPathComponent("cairn-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(5_000) }
        let signalled = p.isRunning
        if signalled { kill(p.processIdentifier, signal) }
        p.waitUntilExit()
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (signalled, Outcome(status: p.terminationStatus, stdout: out, stderr: err))
    }
}
