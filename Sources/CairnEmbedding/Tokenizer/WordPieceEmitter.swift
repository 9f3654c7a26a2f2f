/// Collects the normalised bytes of one pre-token (word) and, when the word ends, appends its WordPiece
/// ids: greedy longest-match-first, `##` continuations, `[UNK]` for a word longer than 100 scalars or
/// with a part no vocabulary entry covers.
///
/// The word lives in a caller-owned buffer of ``bufferCapacity`` bytes: a word is only split while it has
/// at most ``maxScalarsPerWord`` scalars (≤ 4 bytes each), so longer words are merely counted.
struct WordPieceEmitter {
    /// Words with more scalars than this become a single `[UNK]` (`max_input_chars_per_word`).
    static let maxScalarsPerWord = 100
    /// Bytes the word buffer must hold.
    static let bufferCapacity = maxScalarsPerWord * 4

    let vocabulary: WordPieceVocabulary
    let unkID: Int32
    /// Appending stops being useful once `ids.count` reaches this (truncation).
    let limit: Int
    private let word: UnsafeMutablePointer<UInt8>
    private var length = 0
    private var scalars = 0
    /// Ids produced so far (the caller's prefix, e.g. `[CLS]`, included).
    var ids: [Int32]

    init(vocabulary: WordPieceVocabulary, unkID: Int32, buffer: UnsafeMutablePointer<UInt8>, ids: [Int32],
         limit: Int) {
        self.vocabulary = vocabulary
        self.unkID = unkID
        self.word = buffer
        self.ids = ids
        self.limit = limit
    }

    /// Whether enough ids exist that the rest of the text would be truncated away.
    @inline(__always)
    var isFull: Bool { ids.count >= limit }

    /// Adds one ASCII byte (already lower-cased) to the current word.
    @inline(__always)
    mutating func append(byte: UInt8) {
        if scalars < Self.maxScalarsPerWord {
            word[length] = byte
            length += 1
        }
        scalars += 1
    }

    /// Adds one scalar to the current word.
    @inline(__always)
    mutating func append(_ scalar: Unicode.Scalar) {
        if scalar.value < 0x80 { return append(byte: UInt8(scalar.value)) }
        if scalars < Self.maxScalarsPerWord {
            UTF8.encode(scalar) { byte in
                word[length] = byte
                length += 1
            }
        }
        scalars += 1
    }

    /// Emits a punctuation scalar as a word of its own.
    @inline(__always)
    mutating func appendIsolated(_ scalar: Unicode.Scalar) {
        endWord()
        append(scalar)
        endWord()
    }

    /// Ends the current word and emits a special token's id (a `[SEP]` typed in the text, say).
    mutating func appendSpecial(_ id: Int32) {
        endWord()
        ids.append(id)
    }

    /// Drops every id after the first `count` and the word in progress (to start a text over).
    mutating func reset(to count: Int) {
        ids.removeSubrange(count...)
        length = 0
        scalars = 0
    }

    /// Splits the current word into WordPiece ids, if there is one.
    @inline(__always)
    mutating func endWord() {
        guard scalars > 0 else { return }
        if scalars > Self.maxScalarsPerWord {
            ids.append(unkID)
        } else {
            splitWord()
        }
        length = 0
        scalars = 0
    }

    /// Greedy longest-match-first. For each piece, one pass hashes every prefix of the rest of the word
    /// (up to the longest key), then the prefixes are probed from the longest down, at scalar boundaries.
    private mutating func splitWord() {
        let mark = ids.count
        let capacity = max(vocabulary.longestInitial, vocabulary.longestContinuation) + 1
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: capacity) { hashes in
            var start = 0
            while start < length {
                let isContinuation = start > 0
                let longest = isContinuation ? vocabulary.longestContinuation : vocabulary.longestInitial
                let maxEnd = min(length, start + longest)
                var h = WordPieceVocabulary.seed(continuation: isContinuation)
                for k in start..<maxEnd {
                    h = WordPieceVocabulary.hash(h, word[k])
                    hashes[k - start + 1] = h
                }
                var end = maxEnd
                var found: Int32 = -1
                while end > start {
                    if end == length || !Self.isContinuationByte(word[end]) {
                        found = vocabulary.id(hash: hashes[end - start], word + start, end - start,
                                              continuation: isContinuation)
                        if found >= 0 { break }
                    }
                    end -= 1
                }
                if found < 0 {
                    ids.removeSubrange(mark...)
                    ids.append(unkID)
                    return
                }
                ids.append(found)
                start = end
            }
        }
    }

    /// A UTF-8 continuation byte (`10xxxxxx`): not a scalar boundary.
    @inline(__always)
    private static func isContinuationByte(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
