import Foundation
import Glibc

/// Locates the installed all-MiniLM-L6-v2 model for tests.
///
/// Tests that need the model fail (they do not skip) when it is absent, with ``missingMessage``:
///
/// ```swift
/// let dir = try ModelFiles.requireMiniLMDirectory()
/// let tokenizer = try WordPieceTokenizer(modelDirectory: dir)
/// ```
public enum ModelFiles {
    /// The model's directory name under `index-data/models/`.
    public static let miniLMName = "all-MiniLM-L6-v2"

    /// `$CAIRN_MODEL_DIR` when set, else the nearest `index-data/models/all-MiniLM-L6-v2` above the sources or
    /// the working directory that holds `vocab.txt` and `model.safetensors`; nil when neither exists.
    public static var miniLMDirectory: String? {
        if let env = getenv("CAIRN_MODEL_DIR").map({ String(cString: $0) }), !env.isEmpty {
            return isInstalled(env) ? env : nil
        }
        return FixtureLocator.first("index-data/models/\(miniLMName)", where: isInstalled)
    }

    /// Why a test cannot find the model, and the command that installs it.
    public static let missingMessage = "all-MiniLM-L6-v2 is not installed (looked in $CAIRN_MODEL_DIR and "
        + "index-data/models/all-MiniLM-L6-v2 above the repository): run `bash scripts/bootstrap.sh` to install it"

    /// ``miniLMDirectory``, or a ``FixtureError`` carrying ``missingMessage``.
    public static func requireMiniLMDirectory() throws(FixtureError) -> String {
        guard let dir = miniLMDirectory else { throw FixtureError(missingMessage) }
        return dir
    }

    private static func isInstalled(_ dir: String) -> Bool {
        FixtureLocator.isFile(dir + "/vocab.txt") && FixtureLocator.isFile(dir + "/model.safetensors")
    }
}
