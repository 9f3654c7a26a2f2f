import Foundation
import Glibc

/// The nightly history as a JSON-lines file (`<data-dir>/benchmarks/history.jsonl`): one ``NightlyRun`` per
/// line, appended with `O_APPEND` and fsync'd, so a crash leaves every earlier line whole (a torn last line
/// is reported and skipped when read, never fatal).
public struct NightlyHistoryFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The history file inside a data directory.
    public init(dataDirectory: String) {
        self.init(path: (dataDirectory as NSString).appendingPathComponent("benchmarks/history.jsonl"))
    }

    /// What reading the file found.
    public struct Contents: Sendable {
        /// The runs, in file order.
        public var runs: [NightlyRun]
        /// Lines that could not be read, as `history.jsonl line 12: …`.
        public var problems: [String]
    }

    /// Reads every run; a missing file is an empty history.
    /// - Throws: ``NightlyError`` `.storage` when the file exists but cannot be read.
    public func read() throws(NightlyError) -> Contents {
        guard FileManager.default.fileExists(atPath: path) else { return Contents(runs: [], problems: []) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw NightlyError(.storage, "cannot read \(path): \(error.localizedDescription)")
        }
        var contents = Contents(runs: [], problems: [])
        let decoder = JSONDecoder()
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            do {
                contents.runs.append(try decoder.decode(NightlyRun.self, from: Data(line)))
            } catch {
                contents.problems.append("\((path as NSString).lastPathComponent) line \(number + 1): not a run (\(error))")
            }
        }
        return contents
    }

    /// Appends `run` as one line, giving it the next id when it has none (the largest id in the file + 1).
    /// - Returns: the run as written (with its id).
    @discardableResult
    public func append(_ run: NightlyRun) throws(NightlyError) -> NightlyRun {
        var run = run
        if run.id == 0 { run.id = (try read().runs.map(\.id).max() ?? 0) + 1 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line: Data
        do {
            line = try encoder.encode(run)
        } catch {
            throw NightlyError(.invalid, "run \(run.id) cannot be written as JSON: \(error)")
        }
        line.append(UInt8(ascii: "\n"))
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw NightlyError(.storage, "cannot create \(directory): \(error.localizedDescription)")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw NightlyError(.storage, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // A line torn by a crash has no newline: end it first, so this run is a line of its own.
        var size = stat()
        if fstat(fd, &size) == 0, size.st_size > 0 {
            var last: UInt8 = 0
            let reader = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            if reader >= 0 {
                if pread(reader, &last, 1, size.st_size - 1) == 1, last != UInt8(ascii: "\n") {
                    line.insert(UInt8(ascii: "\n"), at: 0)
                }
                close(reader)
            }
        }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw NightlyError(.storage, "appending to \(path): \(written < 0 ? String(cString: strerror(errno)) : "short write")")
        }
        guard fsync(fd) == 0 else { throw NightlyError(.storage, "fsync \(path): \(String(cString: strerror(errno)))") }
        return run
    }
}
