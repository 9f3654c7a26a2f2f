import Foundation

/// Finds files beside or above the repository by walking up from this source file and from the working
/// directory, so tests work from `swift test` in the repository, from a scratch package whose targets are
/// symbolic links into it, and from a fresh clone that has `../shared` next to it.
enum FixtureLocator {
    /// The directories to start from: this file's (symbolic links resolved) and the current one.
    static func startDirectories(filePath: String = #filePath) -> [URL] {
        let source = URL(fileURLWithPath: filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).resolvingSymlinksInPath()
        return [source, cwd]
    }

    /// The first `ancestor/relativePath` (for every ancestor of every start directory, nearest first) for
    /// which `accept` holds.
    static func first(_ relativePath: String, where accept: (String) -> Bool) -> String? {
        for start in startDirectories() {
            var dir = start.standardizedFileURL
            while true {
                let candidate = dir.appendingPathComponent(relativePath).standardizedFileURL.path
                if accept(candidate) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }

    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

/// A fixture or model file a test needs is not where it should be.
public struct FixtureError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Files of the repository itself (config, prompts) for tests.
public enum RepositoryFile {
    /// The path of `relativePath` in the repository (`config/prices.json`).
    public static func path(_ relativePath: String) throws -> String {
        guard let path = FixtureLocator.first(relativePath, where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw FixtureError("\(relativePath) not found above \(FixtureLocator.startDirectories())")
        }
        return path
    }
}
