import Foundation

/// The reference all-MiniLM-L6-v2 outputs in `../shared/fixtures/golden_minilm.json` (computed with
/// sentence-transformers on PyTorch): exact token ids and embeddings for 24 texts.
public struct GoldenMiniLM: Sendable, Decodable {
    /// One reference text and what the model makes of it.
    public struct Item: Sendable, Decodable {
        public var text: String
        /// Input ids with `[CLS]`/`[SEP]`, truncated at ``GoldenMiniLM/maxSeqLength``.
        public var tokenIDs: [Int32]
        /// The 384-float embedding (mean pooled, L2-normalised, rounded to 7 decimals).
        public var embedding: [Float]

        enum CodingKeys: String, CodingKey {
            case text
            case tokenIDs = "token_ids"
            case embedding
        }
    }

    public var model: String
    public var maxSeqLength: Int
    /// How the reference was produced (library versions, weights checksum).
    public var source: String
    public var items: [Item]

    enum CodingKeys: String, CodingKey {
        case model
        case maxSeqLength = "max_seq_length"
        case source
        case items
    }
}

/// Shared test fixtures that live outside the repository.
public enum Fixtures {
    /// Where the golden file sits: `<repo>/../shared/fixtures/golden_minilm.json`, found by walking up from
    /// the sources and from the working directory; nil when absent.
    public static var goldenMiniLMPath: String? {
        FixtureLocator.first("../shared/fixtures/golden_minilm.json", where: FixtureLocator.isFile)
    }

    /// The decoded golden file (read once per process).
    ///
    /// - Throws: ``FixtureError`` when the file is missing or not the expected JSON.
    public static var goldenMiniLM: GoldenMiniLM {
        get throws(FixtureError) { try goldenCache.get() }
    }

    private static let goldenCache: Result<GoldenMiniLM, FixtureError> = {
        guard let path = goldenMiniLMPath else {
            return .failure(FixtureError("golden_minilm.json not found: expected ../shared/fixtures/golden_minilm.json "
                + "beside the repository root"))
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return .success(try JSONDecoder().decode(GoldenMiniLM.self, from: data))
        } catch {
            return .failure(FixtureError("cannot decode \(path): \(error)"))
        }
    }()
}
