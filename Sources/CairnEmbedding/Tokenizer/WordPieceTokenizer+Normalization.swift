/// BERT's normaliser and pre-tokeniser, streamed into a ``WordPieceEmitter``.
///
/// The steps and their order are those of the reference `BertNormalizer` + `BertPreTokenizer`:
/// 1. special tokens typed in the raw text (`[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]`, exact case) are
///    kept whole, as the reference tokenizer extracts them before normalising;
/// 2. clean: drop NUL, U+FFFD and control/format/private-use scalars, turn whitespace into spaces;
/// 3. put spaces around CJK ideographs;
/// 4. strip accents: canonical decomposition (NFD) of the whole text, then drop `Mn` scalars;
/// 5. lower-case each scalar (full Unicode mapping, no context);
/// 6. split on whitespace, and make every punctuation scalar a word of its own.
///
/// One pass over the UTF-8 bytes does all of it: ASCII bytes by a switch, CJK ideographs and Hangul
/// syllables directly, other scalars by their entry in ``BertNormalizationTable``. The few texts the table cannot handle scalar by
/// scalar start over on ``feedWholeText(_:into:)``, the step-by-step reference path. Both work on scalars,
/// never on `Character`s, whose grapheme clusters would glue together scalars the reference treats apart.
extension WordPieceTokenizer {
    /// Appends the WordPiece ids of `text` (no `[CLS]`/`[SEP]`) to `ids`, stopping once `ids.count`
    /// reaches `limit`; the caller trims anything past it. `wholeText` forces the reference path.
    func appendPieces(of text: String, to ids: inout [Int32], limit: Int, wholeText: Bool = false) {
        guard ids.count < limit, !text.isEmpty else { return }
        var text = text
        text.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: WordPieceEmitter.bufferCapacity) { buffer in
                var emitter = WordPieceEmitter(vocabulary: vocabulary, unkID: unkID, buffer: buffer.baseAddress!,
                                               ids: [], limit: limit)
                swap(&emitter.ids, &ids)
                if wholeText {
                    feedWholeText(bytes, into: &emitter)
                } else {
                    feed(bytes, into: &emitter)
                }
                emitter.endWord()
                swap(&emitter.ids, &ids)
            }
        }
    }

    private func feed(_ bytes: UnsafeBufferPointer<UInt8>, into emitter: inout WordPieceEmitter) {
        let mark = emitter.ids.count
        // The two table blocks used last: outside ASCII, text rarely alternates between more than two.
        var recent: (NormalizationBlock?, NormalizationBlock?) = (nil, nil)
        var i = 0
        while i < bytes.count && !emitter.isFull {
            let b = bytes[i]
            if b < 0x80 {
                if b == 0x5B, let special = specialToken(in: bytes, at: i) {
                    emitter.appendSpecial(special.id)
                    i += special.bytes.count
                } else {
                    Self.feed(ascii: b, into: &emitter)
                    i += 1
                }
                continue
            }
            let scalar = Self.decodeScalar(bytes, at: &i)
            let v = scalar.value
            if BertScalarClass.isCJKIdeograph(v) && !BertScalarClass.isCompatibilityIdeograph(v) {
                emitter.appendIsolated(scalar)
                continue
            }
            if (0xAC00...0xD7A3).contains(v) {
                Self.appendHangulSyllable(v, into: &emitter)
                continue
            }
            let block: NormalizationBlock
            if let first = recent.0, first.index == Int(v >> 8) {
                block = first
            } else if let second = recent.1, second.index == Int(v >> 8) {
                block = second
                recent = (second, recent.0)
            } else {
                block = BertNormalizationTable.shared.block(containing: v)
                recent = (block, recent.0)
            }
            let span = block.spans[Int(v & 0xFF)]
            if span == NormalizationBlock.complex {
                emitter.reset(to: mark)
                return feedWholeText(bytes, into: &emitter)
            }
            let start = Int(span >> 8)
            for output in block.outputs[start..<(start + Int(span & 0xFF))] {
                let scalar = Unicode.Scalar(output & 0x1F_FFFF)!
                switch output & NormalizationBlock.kindMask {
                case NormalizationBlock.boundary: emitter.endWord()
                case NormalizationBlock.punctuation: emitter.appendIsolated(scalar)
                default: emitter.append(scalar)
                }
            }
        }
    }

    /// A precomposed Hangul syllable: its NFD is the algorithmic leading consonant, vowel and optional
    /// trailing consonant (letters without case or marks), so it needs no table.
    @inline(__always)
    private static func appendHangulSyllable(_ value: UInt32, into emitter: inout WordPieceEmitter) {
        let index = value - 0xAC00
        emitter.append(Unicode.Scalar(0x1100 + index / 588)!)
        emitter.append(Unicode.Scalar(0x1161 + (index % 588) / 28)!)
        if index % 28 != 0 { emitter.append(Unicode.Scalar(0x11A7 + index % 28)!) }
    }

    /// One ASCII byte of the raw or normalised text.
    @inline(__always)
    static func feed(ascii b: UInt8, into emitter: inout WordPieceEmitter) {
        switch b {
        case 0x61...0x7A, 0x30...0x39:
            emitter.append(byte: b)
        case 0x41...0x5A:
            emitter.append(byte: b | 0x20)
        case 0x20, 0x09, 0x0A, 0x0D:
            emitter.endWord()
        case 0x00..<0x20, 0x7F:
            break  // removed by cleaning: joins its neighbours
        default:  // every other printable ASCII byte is punctuation
            emitter.appendIsolated(Unicode.Scalar(b))
        }
    }

    /// The special token spelled at `bytes[offset...]` (which holds `[`), if any.
    @inline(__always)
    func specialToken(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> WordPieceSpecialToken? {
        for special in specialTokens where offset + special.bytes.count <= bytes.count {
            var k = 1
            while k < special.bytes.count && bytes[offset + k] == special.bytes[k] { k += 1 }
            if k == special.bytes.count { return special }
        }
        return nil
    }

    /// Decodes the scalar at `i` of valid UTF-8 (as every Swift string's is) and advances `i` past it.
    @inline(__always)
    static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: inout Int) -> Unicode.Scalar {
        let b0 = UInt32(bytes[i])
        var value: UInt32
        if b0 < 0x80 {
            value = b0
            i += 1
        } else if b0 < 0xE0 {
            value = (b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
            i += 2
        } else if b0 < 0xF0 {
            value = (b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
            i += 3
        } else {
            value = (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12 | UInt32(bytes[i + 2] & 0x3F) << 6
                | UInt32(bytes[i + 3] & 0x3F)
            i += 4
        }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }
}
