import CairnStorage
import Foundation
import Glibc

/// A fresh, uniquely named directory under `/tmp`, removed with everything in it when released.
///
/// ```swift
/// let dir = try TemporaryDirectory()
/// let wal = try WriteAheadLog(directory: dir.path)
/// ```
public final class TemporaryDirectory: Sendable {
    /// The absolute path of the directory.
    public let path: String

    /// Creates the directory (`mkdtemp`), named `/tmp/<prefix>-XXXXXX`.
    public init(prefix: String = "cairn-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let created else {
            throw StorageError.systemCall("mkdtemp", path: "/tmp/\(prefix)-XXXXXX", errno: errno)
        }
        path = String(cString: created)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String {
        path + "/" + name
    }

    /// The names of the directory's entries, sorted.
    public func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}
