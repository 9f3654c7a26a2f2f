import Foundation

/// Whether paths lie under allowed root directories once symbolic links and `..` are resolved — the one
/// check behind the server's bulk roots (when a job is queued, and again when its files are opened).
public enum PathRoots {
    /// `path` with links and `..` resolved as far as it exists; the part that does not exist yet (a file a
    /// manifest lists but nobody has written) is appended as written.
    public static func resolve(_ path: String) -> String {
        var probe = (path as NSString).standardizingPath
        var suffix = ""
        while probe != "/" && !probe.isEmpty {
            if let real = realpath(probe, nil) {
                defer { free(real) }
                return String(cString: real) + suffix
            }
            suffix = "/" + (probe as NSString).lastPathComponent + suffix
            probe = (probe as NSString).deletingLastPathComponent
        }
        return (path as NSString).standardizingPath
    }

    /// Whether `path`, resolved, is one of `roots` or lies below one (the roots themselves already resolved).
    public static func contains(_ roots: [String], _ path: String) -> Bool {
        let resolved = resolve(path)
        return roots.contains { root in resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") }
    }
}
