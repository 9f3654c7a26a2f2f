public import CairnHTTP
import Foundation
import Glibc
import Synchronization

/// A `cairn serve` subprocess on a free port, for tests that talk to it over HTTP and kill it.
///
/// ```swift
/// let server = try ServerProcess.start(dataDirectory: dir.file("data"))
/// let ready = try await server.get("/readyz")
/// server.signal(SIGKILL)
/// ```
public final class ServerProcess: Sendable {
    /// The base URL from the start-up banner (`http://127.0.0.1:PORT`).
    public let url: String
    /// The admin key the banner showed, when this start created one.
    public let adminKey: String?
    public let pid: Int32
    private let process: Process
    private let stderrPath: String
    private let stdoutLines: Mutex<[String]>

    private init(url: String, adminKey: String?, process: Process, stderrPath: String, lines: [String]) {
        self.url = url
        self.adminKey = adminKey
        self.process = process
        self.pid = process.processIdentifier
        self.stderrPath = stderrPath
        self.stdoutLines = Mutex(lines)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    /// Starts `cairn serve --data-dir DIR --port 0 ARGS…` and waits (up to `timeout`) for its banner.
    public static func start(dataDirectory: String, arguments: [String] = [], environment: [String: String] = [:],
                             timeout: Double = 120) throws -> ServerProcess {
        let p = Process()
        p.executableURL = CairnBinary.url
        p.arguments = ["serve", "--data-dir", dataDirectory, "--port", "0"] + arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("cairn-serve-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try p.run()
        let reader = out.fileHandleForReading
        var url: String?
        var key: String?
        let deadline = Date().addingTimeInterval(timeout)
        // The banner: "Cairn is serving DIR at URL (…)", then the admin key on the first start, then "Try it:"
        // and calls ending with "Stop: Ctrl-C".
        let (lines, _) = LineReader.read(reader) { line in
            if url == nil, let range = line.range(of: " at http://") {
                url = String(line[line.index(range.lowerBound, offsetBy: 4)...].prefix { $0 != " " })
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if key == nil, trimmed.hasPrefix("cairn_") { key = trimmed }
            return !line.contains("Stop: Ctrl-C") && Date() < deadline
        }
        guard let url else {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw FixtureError("cairn serve did not start (status \(p.terminationStatus)): \(lines) \(err.suffix(2000))")
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        let server = ServerProcess(url: url, adminKey: key, process: p, stderrPath: errPath, lines: lines)
        reader.readabilityHandler = { [weak server] handle in
            let data = handle.availableData
            guard let server, !data.isEmpty else { handle.readabilityHandler = nil; return }
            server.stdoutLines.withLock { $0.append(String(decoding: data, as: UTF8.self)) }
        }
        return server
    }

    /// What the server wrote to standard error so far (its JSON log lines).
    public var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// What the server printed on standard output.
    public var output: String { stdoutLines.withLock { $0.joined(separator: "\n") } }

    /// Sends a signal.
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end (up to `timeout`) and returns its exit status, or nil if it still runs.
    public func wait(timeout: Double = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Sends a request to the server.
    public func send(_ method: HTTPMethod, _ path: String, key: String? = nil, json: Any? = nil, body: [UInt8]? = nil,
                     contentType: String? = nil) async throws -> HTTPResponse {
        try await HTTPClient.shared.send(try HTTPRequest.api(method, url + path, key: key, json: json, body: body,
                                                             contentType: contentType, timeout: .seconds(60)))
    }

    /// A `multipart/form-data` upload of files with form fields.
    public func upload(key: String, files: [(name: String, bytes: [UInt8])], fields: [(String, String)] = [])
        async throws -> HTTPResponse
    {
        let form = MultipartFormData(fields: fields, files: files.map { ($0.name, $0.bytes) })
        return try await send(.post, "/v1/materials", key: key, body: form.encoded(), contentType: form.contentType)
    }

    /// The response body as a JSON object.
    public static func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }
}
