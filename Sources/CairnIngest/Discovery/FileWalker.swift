import Foundation
import Glibc

/// A file found by ``FileWalker``.
public struct DiscoveredFile: Sendable, Hashable {
    /// The path to open: the walked root joined with ``relativePath`` (or the file path as given).
    public var path: String
    /// The path relative to the walked root (`/`-separated), which globs match; a file given directly is
    /// its own name.
    public var relativePath: String
    /// Size in bytes.
    public var size: Int64

    public init(path: String, relativePath: String, size: Int64) {
        self.path = path
        self.relativePath = relativePath
        self.size = size
    }
}

/// Walks files and directories for bulk indexing: recursively, depth-first with each directory's entries
/// sorted by name, so the same tree always gives the same order.
///
/// - A file given as a path is always taken (globs and hidden-file rules apply only inside directories).
/// - Hidden entries (name starting with `.`) are skipped unless ``Options/includeHidden`` is set, or an
///   include glob names a hidden segment (`.notes/**`) and matches the path.
/// - ``Options/exclude`` wins over ``Options/include``; an excluded directory is not entered. With no
///   include globs, files with an extension Cairn reads (``defaultExtensions``) are taken.
/// - Symbolic links are followed, each real directory is entered at most once (so link loops end), and a
///   file reached twice is listed once.
/// - A path that does not exist or cannot be read is reported in ``Walk/errors`` and the walk goes on.
public enum FileWalker {
    /// File extensions taken when no include glob is given (lower case, without the dot).
    public static let defaultExtensions = Set(MaterialFileType.byExtension.keys)

    /// What to take from the walked directories.
    public struct Options: Sendable, Hashable {
        /// Take only files matching one of these; empty means "every file with a default extension".
        public var include: [Glob]
        /// Skip files and directories matching one of these.
        public var exclude: [Glob]
        /// Walk hidden files and directories too.
        public var includeHidden: Bool

        public init(include: [Glob] = [], exclude: [Glob] = [], includeHidden: Bool = false) {
            self.include = include
            self.exclude = exclude
            self.includeHidden = includeHidden
        }
    }

    /// The outcome of a walk.
    public struct Walk: Sendable, Hashable {
        /// The files found, in walk order.
        public var files: [DiscoveredFile]
        /// Paths that are missing or unreadable (``IngestError/Kind/io``), one error each.
        public var errors: [IngestError]
    }

    /// Walks `paths` (files or directories) and lists the files to index.
    public static func walk(_ paths: [String], options: Options = Options()) -> Walk {
        var walker = Walker(options: options)
        for path in paths { walker.walkRoot(path) }
        return Walk(files: walker.files, errors: walker.errors)
    }

    /// Whether a file name has one of the ``defaultExtensions``.
    public static func hasDefaultExtension(_ name: String) -> Bool {
        defaultExtensions.contains((name as NSString).pathExtension.lowercased())
    }
}

private struct Walker {
    let options: FileWalker.Options
    let hiddenGlobs: [Glob]
    var files: [DiscoveredFile] = []
    var errors: [IngestError] = []
    var seenDirectories = Set<FileID>()
    var seenFiles = Set<FileID>()

    struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    init(options: FileWalker.Options) {
        self.options = options
        hiddenGlobs = options.include.filter(\.mentionsHidden)
    }

    mutating func walkRoot(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let reason = errno == ENOENT ? "no such file or directory" : String(cString: strerror(errno))
            errors.append(IngestError(.io, "\(path): \(reason)"))
            return
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            walkDirectory(path, relative: "", st: st)
        } else if (st.st_mode & S_IFMT) == S_IFREG {
            let name = (path as NSString).lastPathComponent
            addFile(path, relative: name, st: st)
        } else {
            errors.append(IngestError(.io, "\(path): not a regular file or directory"))
        }
    }

    private mutating func walkDirectory(_ path: String, relative: String, st: stat) {
        guard seenDirectories.insert(FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))).inserted else { return }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            errors.append(IngestError(.io, "\(path): cannot list the directory (no permission, or it went away)"))
            return
        }
        for name in names {
            let childPath = path.hasSuffix("/") ? path + name : path + "/" + name
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            var child = stat()
            // stat follows symbolic links; a dangling link is skipped silently, like a deleted file.
            guard stat(childPath, &child) == 0 else { continue }
            let hidden = name.hasPrefix(".")
            switch child.st_mode & S_IFMT {
            case S_IFDIR:
                if hidden && !options.includeHidden && hiddenGlobs.isEmpty { continue }
                if options.exclude.contains(where: { $0.matches(childRelative) || $0.matches(childRelative + "/") }) { continue }
                walkDirectory(childPath, relative: childRelative, st: child)
            case S_IFREG:
                let underHidden = childRelative.hasPrefix(".") || childRelative.contains("/.")
                guard wanted(childRelative, hidden: underHidden) else { continue }
                addFile(childPath, relative: childRelative, st: child)
            default:
                continue
            }
        }
    }

    private func wanted(_ relative: String, hidden: Bool) -> Bool {
        if options.exclude.contains(where: { $0.matches(relative) }) { return false }
        if hidden && !options.includeHidden {
            return hiddenGlobs.contains { $0.matches(relative) }
        }
        if options.include.isEmpty { return FileWalker.hasDefaultExtension(relative) }
        return options.include.contains { $0.matches(relative) }
    }

    private mutating func addFile(_ path: String, relative: String, st: stat) {
        guard seenFiles.insert(FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))).inserted else { return }
        files.append(DiscoveredFile(path: path, relativePath: relative, size: Int64(st.st_size)))
    }
}
