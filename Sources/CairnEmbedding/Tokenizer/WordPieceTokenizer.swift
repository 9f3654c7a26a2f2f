import Foundation

/// The BERT WordPiece tokenizer of all-MiniLM-L6-v2 (uncased), token for token as the reference
/// `BertTokenizer` of the model.
///
/// Text is cleaned (control and format characters dropped, whitespace unified), CJK ideographs are split
/// apart, accents are stripped (NFD, non-spacing marks dropped), everything is lower-cased, split on
/// whitespace and punctuation, and each word is cut greedily into the longest vocabulary pieces (`##` marks
/// a piece that continues a word; a word with an uncovered part or more than 100 scalars is `[UNK]`).
/// Special tokens typed in the text (`[SEP]`, `[MASK]`, … in exactly that case) stay special tokens, as in
/// the reference.
/// ``encode(_:maxLength:)`` wraps the ids in `[CLS]` … `[SEP]` and truncates to the model's 256 tokens
/// (`max_seq_length` of its sentence-transformers configuration — not the 128 in `tokenizer.json`).
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(modelDirectory: "index-data/models/all-MiniLM-L6-v2")
/// tokenizer.encode("Hello, world!")  // [101, 7592, 1010, 2088, 999, 102]
/// tokenizer.tokens("Zürich")         // ["zurich"]
/// let batch = tokenizer.encodeBatch(["a", "longer text"])  // padded to the longest, with a mask
/// ```
///
/// Immutable after loading, so one instance serves every thread.
public final class WordPieceTokenizer: Sendable {
    /// The model's sequence limit, special tokens included.
    public static let defaultMaxLength = 256

    /// Id of `[PAD]`.
    public let padID: Int32
    /// Id of `[CLS]`, the first token of every sequence.
    public let clsID: Int32
    /// Id of `[SEP]`, the last token of every sequence.
    public let sepID: Int32
    /// Id of `[UNK]`, for words the vocabulary cannot cover.
    public let unkID: Int32

    let vocabulary: WordPieceVocabulary
    /// Special tokens recognised when typed in the text, in `[`-prefixed byte form.
    let specialTokens: [WordPieceSpecialToken]

    /// Loads `vocab.txt` (one token per line; the line number is the id).
    ///
    /// - Throws: ``EmbeddingError`` `.modelMissing` when the file does not exist (the message names the
    ///   command that installs the model), `.modelInvalid` when it cannot be read or lacks a special token.
    public init(vocabularyFile path: String) throws(EmbeddingError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EmbeddingError(.modelMissing, "all-MiniLM-L6-v2 vocabulary not found at \(path): "
                + "run `bash scripts/bootstrap.sh` to install it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EmbeddingError(.modelInvalid, "cannot read the vocabulary \(path)")
        }
        guard let vocabulary = data.withUnsafeBytes({ WordPieceVocabulary(contents: $0) }) else {
            throw EmbeddingError(.modelInvalid, "the vocabulary \(path) is empty")
        }
        func special(_ token: String) throws(EmbeddingError) -> Int32 {
            guard let id = vocabulary.id(of: token) else {
                throw EmbeddingError(.modelInvalid, "the vocabulary \(path) has no \(token) token")
            }
            return id
        }
        self.vocabulary = vocabulary
        padID = try special("[PAD]")
        clsID = try special("[CLS]")
        sepID = try special("[SEP]")
        unkID = try special("[UNK]")
        let maskID = try special("[MASK]")
        specialTokens = [("[PAD]", padID), ("[UNK]", unkID), ("[CLS]", clsID), ("[SEP]", sepID), ("[MASK]", maskID)]
            .enumerated().map { WordPieceSpecialToken(index: $0.offset, bytes: Array($0.element.0.utf8), id: $0.element.1) }
    }

    /// Loads `<modelDirectory>/vocab.txt`.
    ///
    /// - Throws: as ``init(vocabularyFile:)``.
    public convenience init(modelDirectory: String) throws(EmbeddingError) {
        try self.init(vocabularyFile: modelDirectory.hasSuffix("/") ? modelDirectory + "vocab.txt" : modelDirectory + "/vocab.txt")
    }

    /// Number of tokens in the vocabulary (30,522 for all-MiniLM-L6-v2).
    public var vocabularySize: Int { vocabulary.count }

    /// The model input for `text`: `[CLS]`, its WordPiece ids, `[SEP]`, at most `maxLength` ids in all
    /// (the text's pieces are cut to `maxLength - 2`).
    public func encode(_ text: String, maxLength: Int = WordPieceTokenizer.defaultMaxLength) -> [Int32] {
        let limit = max(maxLength, 2) - 1  // ids before [SEP]
        var ids: [Int32] = []
        ids.reserveCapacity(min(limit + 1, text.utf8.count / 3 + 8))
        ids.append(clsID)
        appendPieces(of: text, to: &ids, limit: limit)
        if ids.count > limit { ids.removeSubrange(limit...) }
        ids.append(sepID)
        return ids
    }

    /// Number of WordPiece tokens in `text`, without `[CLS]`/`[SEP]` and without truncation (add 2 for the
    /// model's sequence length).
    public func tokenCount(_ text: String) -> Int {
        var ids: [Int32] = []
        appendPieces(of: text, to: &ids, limit: .max)
        return ids.count
    }

    /// The WordPiece tokens of `text` as vocabulary strings (`##` marks a continuation), without
    /// `[CLS]`/`[SEP]` and without truncation.
    public func tokens(_ text: String) -> [String] {
        var ids: [Int32] = []
        appendPieces(of: text, to: &ids, limit: .max)
        return ids.map { vocabulary.token($0) ?? "[UNK]" }
    }

    /// The vocabulary entry of `id` (`##`-prefixed for a continuation), or nil when out of range.
    public func token(for id: Int32) -> String? {
        vocabulary.token(id)
    }

    /// The id of vocabulary entry `token` (as written in `vocab.txt`), or nil.
    public func id(for token: String) -> Int32? {
        vocabulary.id(of: token)
    }

    /// Encodes every text (``encode(_:maxLength:)``) and pads them to the longest, with an attention mask.
    public func encodeBatch(_ texts: [String], maxLength: Int = WordPieceTokenizer.defaultMaxLength) -> TokenBatch {
        TokenBatch(rows: texts.map { encode($0, maxLength: maxLength) }, padID: padID)
    }
}

/// A special token as typed in text, e.g. `[SEP]`.
struct WordPieceSpecialToken: Sendable {
    /// Its position in ``WordPieceTokenizer/specialTokens``.
    var index: Int
    var bytes: [UInt8]
    var id: Int32
}
