public import CairnHTTP
public import Foundation
import Glibc

/// A `cairn serve` child process for the service benchmarks: started on a free port, polled until ready,
/// signalled, waited for.
public final class ServerChild: @unchecked Sendable {
    /// The base URL the server printed.
    public private(set) var url = ""
    public let process: Process
    private let output = Pipe()
    /// Seconds from spawn to the first `200` of `/readyz`.
    public private(set) var readySeconds = 0.0

    /// Starts `executable serve --data-dir DIR --port 0 ARGS…` with its log going to `logPath`.
    public init(executable: String, dataDirectory: String, arguments: [String] = [], logPath: String,
                environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--data-dir", dataDirectory, "--port", "0"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardInput = FileHandle.nullDevice
    }

    /// Spawns the server and waits until `/readyz` answers 200 (polling every 5 ms); records the time taken.
    public func start(timeout: Double = 300) async throws {
        let started = ContinuousClock.now
        try process.run()
        // The banner (stdout) is printed once ready; the URL's port is read from it, but readiness is timed by
        // polling, so the time includes everything a client would wait for.
        let reader = output.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(timeout)
        while !text.contains(" at http://") || !text.contains("\n"), Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: " at http://") else {
            throw BenchError("cairn serve did not start: \(text)")
        }
        url = String(text[text.index(range.lowerBound, offsetBy: 4)...].prefix { $0 != " " && $0 != "\n" })
        reader.readabilityHandler = { handle in if handle.availableData.isEmpty { handle.readabilityHandler = nil } }
        while Date() < deadline {
            if let r = try? await send(.get, "/readyz"), r.status == 200 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        let elapsed = started.duration(to: .now)
        readySeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Sends a request (with a key and a JSON or raw body).
    public func send(_ method: HTTPMethod, _ path: String, key: String? = nil, json: Any? = nil, body: [UInt8]? = nil,
                     contentType: String? = nil) async throws -> HTTPResponse {
        try await HTTPClient.shared.send(try HTTPRequest.api(method, url + path, key: key, json: json, body: body,
                                                             contentType: contentType))
    }

    /// Sends a signal and waits (up to `timeout`) for the process to end; returns its exit status.
    @discardableResult
    public func stop(_ signal: Int32 = SIGTERM, timeout: Double = 120) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// A `multipart/form-data` body of files and fields, with its content type.
    public static func multipart(files: [(name: String, bytes: [UInt8])], fields: [(String, String)]) -> ([UInt8], String) {
        let form = MultipartFormData(fields: fields, files: files.map { ($0.name, $0.bytes) })
        return (form.encoded(), form.contentType)
    }
}

/// A benchmark step that could not be done.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Percentiles of a sample (nearest rank, as ``BenchClock/quantile(_:_:)``); NaN when empty.
enum Percentile {
    static func of(_ values: [Double], _ p: Double) -> Double {
        values.isEmpty ? .nan : BenchClock.quantile(of: values.sorted(), p / 100)
    }
}
