import CairnEmbedding

/// Cuts a material's extracted text into token-bounded, citable chunks.
///
/// Sizes and overlap are counted with `countTokens`, the active embedder's tokenizer without special tokens
/// (for the built-in model, `WordPieceTokenizer.tokenCount`). The rules:
/// - a chunk holds at most ``ChunkingOptions/maxTokens`` tokens and never cuts a word; it ends at the best
///   boundary in reach — a blank line (when the chunk is at least half full), else a sentence end (`.` `!`
///   `?` `…` and CJK `。` `！` `？`, or a line break before a list item; at least 30 % full), else a clause
///   mark (`,` `;` `:` `，` `、` …; at least half full), else a line break (at least 60 % full), else
///   between words. Every CJK ideograph counts as a word, so Chinese and Japanese text without spaces is
///   cut between characters when no sentence or clause end is in reach, never before the punctuation
///   that follows an ideograph;
/// - a single word longer than `maxTokens` (a long URL, a base64 run) is cut between grapheme clusters;
/// - a heading (``HeadingMark``) starts a new chunk (unless the section before it is under 16 tokens, e.g. a
///   title directly above a subheading, which then joins it), and ``Chunk/headingPath`` holds the sections
///   open at the chunk's start;
/// - consecutive chunks of one section overlap: the next chunk starts with the whole sentences — or, when
///   the last sentence is longer, the whole clauses or words — that end the previous one, at most
///   ``ChunkingOptions/overlapTokens`` tokens of them;
/// - chunks never start or end with whitespace (their offsets skip it; content is never edited), and a text
///   that is empty or only whitespace gives no chunks.
///
/// Each distinct word's tokens are counted once (a cache per call of ``chunks(of:)``): the tokenizer splits
/// at whitespace and around CJK ideographs, so a chunk's tokens are the sum of its words'.
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(modelDirectory: modelDirectory)
/// let chunker = Chunker(options: ChunkingOptions(), countTokens: { tokenizer.tokenCount($0) })
/// for chunk in chunker.chunks(of: extracted) { print(chunk.charStart, chunk.charEnd, chunk.headingPath) }
/// ```
public struct Chunker: Sendable {
    /// The sizes this chunker cuts to.
    public let options: ChunkingOptions
    private let countTokens: @Sendable (String) -> Int

    /// - Parameters:
    ///   - options: Chunk sizes, already validated against the model (``ChunkingOptions/validated(modelMaxTokens:)``).
    ///   - countTokens: Tokens of a text by the embedder's tokenizer, without special tokens.
    public init(options: ChunkingOptions, countTokens: @escaping @Sendable (String) -> Int) {
        self.options = options
        self.countTokens = countTokens
    }

    /// The chunks of `document`, in text order, indexed from 0.
    public func chunks(of document: ExtractedText) -> [Chunk] {
        let scalars = Array(document.text.unicodeScalars)
        let maxTokens = max(options.maxTokens, 1)
        // Keyed by the scalars themselves: a hit costs a hash, no String.
        var cache: [ArraySlice<Unicode.Scalar>: Int] = [:]
        let segmenter = TextSegmenter(scalars: scalars, maxTokens: maxTokens) { range in
            let word = scalars[range]
            if let known = cache[word] { return known }
            let count = countTokens(Self.string(word))
            cache[word] = count
            return count
        }
        let units = segmenter.units(pageStarts: document.pageStarts, headings: document.headings)
        guard !units.isEmpty else { return [] }

        var prefix = [0]  // prefix[u] = tokens of units[0..<u]
        prefix.reserveCapacity(units.count + 1)
        for unit in units { prefix.append(prefix[prefix.count - 1] + unit.tokens) }

        var locator = ChunkLocator(pageStarts: document.pageStarts, headings: document.headings)
        var chunks: [Chunk] = []
        var start = 0
        var previousEnd = 0
        var reach = 0  // the end of the longest run from `start` that fits; only moves forward
        // A section too short to stand alone (a title right above its first subheading) joins the next one
        // rather than becoming a chunk of nothing but a heading.
        let minimumSection = min(16, maxTokens / 4)
        func endsSection(_ k: Int) -> Bool {
            units[k].breakBefore == .section && prefix[k] - prefix[start] >= minimumSection
        }
        while start < units.count {
            reach = max(reach, start + 1)
            while reach < units.count, prefix[reach + 1] - prefix[start] <= maxTokens, !endsSection(reach) {
                reach += 1
            }
            let end = reach == units.count || endsSection(reach)
                ? reach : bestEnd(units, prefix: prefix, from: start, after: previousEnd, reach: reach, maxTokens: maxTokens)
            let range = units[start].start..<units[end - 1].end
            let content = Self.string(scalars[range])
            let location = locator.locate(range)
            chunks.append(Chunk(
                index: chunks.count, charStart: range.lowerBound, charEnd: range.upperBound, content: content,
                pageNumber: location.page, pageEnd: location.pageEnd, headingPath: location.headingPath,
                tokenCount: prefix[end] - prefix[start], contentHash: SHA256.hexHash(utf8: content)))
            guard end < units.count else { break }
            previousEnd = end
            start = overlapStart(units, prefix: prefix, previousStart: start, end: end, maxTokens: maxTokens)
        }
        return chunks
    }

    /// Where to end a chunk that starts at unit `start` and could reach up to (not including) unit `reach`:
    /// the last unit boundary of the best level that leaves the chunk full enough. It must lie past
    /// `previousEnd`, so that a chunk starting inside the previous one's overlap still moves on.
    private func bestEnd(
        _ units: [TextSegmenter.Unit], prefix: [Int], from start: Int, after previousEnd: Int, reach: Int, maxTokens: Int
    ) -> Int {
        // Minimum fill, in tokens, for ending at each level.
        let paragraphFill = maxTokens / 2, sentenceFill = maxTokens * 3 / 10, clauseFill = maxTokens / 2
        let lineFill = maxTokens * 6 / 10
        var paragraph: Int?, sentence: Int?, clause: Int?, line: Int?, word: Int?
        var k = reach
        while k > max(start, previousEnd) {
            let fill = prefix[k] - prefix[start]
            let level = units[k].breakBefore
            if level >= .paragraph, fill >= paragraphFill { paragraph = k; break }
            if level >= .sentence, fill >= sentenceFill, sentence == nil { sentence = k }
            if level >= .clause, fill >= clauseFill, clause == nil { clause = k }
            if level >= .line, fill >= lineFill, line == nil { line = k }
            if level >= .word, word == nil { word = k }
            if fill < sentenceFill && word != nil { break }  // nothing better can come further back
            k -= 1
        }
        return paragraph ?? sentence ?? clause ?? line ?? word ?? reach
    }

    /// Where the chunk after `units[previousStart..<end]` starts: the earliest unit that begins whole
    /// sentences (else whole words) ending at `end`, at most `overlapTokens` of them, leaving room for unit
    /// `end`; `end` itself when there is no overlap to give.
    private func overlapStart(_ units: [TextSegmenter.Unit], prefix: [Int], previousStart: Int, end: Int, maxTokens: Int) -> Int {
        let budget = min(options.overlapTokens, maxTokens - units[end].tokens)
        guard budget > 0, units[end].breakBefore > .glued, units[end].breakBefore < .section else { return end }
        var sentenceStart: Int?, clauseStart: Int?, wordStart: Int?
        var k = end - 1
        while k > previousStart, prefix[end] - prefix[k] <= budget {
            let level = units[k].breakBefore
            if level >= .sentence { sentenceStart = k }
            if level >= .clause { clauseStart = k }
            if level >= .word { wordStart = k }
            k -= 1
        }
        return sentenceStart ?? clauseStart ?? wordStart ?? end
    }

    /// The string of `scalars`, encoded straight into the string's UTF-8 storage.
    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        String(unsafeUninitializedCapacity: scalars.count * 4) { buffer in
            var n = 0
            for scalar in scalars {
                let v = scalar.value
                if v < 0x80 {
                    buffer[n] = UInt8(v)
                    n += 1
                } else if v < 0x800 {
                    buffer[n] = UInt8(0xC0 | v >> 6)
                    buffer[n + 1] = UInt8(0x80 | v & 0x3F)
                    n += 2
                } else if v < 0x10000 {
                    buffer[n] = UInt8(0xE0 | v >> 12)
                    buffer[n + 1] = UInt8(0x80 | v >> 6 & 0x3F)
                    buffer[n + 2] = UInt8(0x80 | v & 0x3F)
                    n += 3
                } else {
                    buffer[n] = UInt8(0xF0 | v >> 18)
                    buffer[n + 1] = UInt8(0x80 | v >> 12 & 0x3F)
                    buffer[n + 2] = UInt8(0x80 | v >> 6 & 0x3F)
                    buffer[n + 3] = UInt8(0x80 | v & 0x3F)
                    n += 4
                }
            }
            return n
        }
    }
}

/// Finds the page and the open sections of successive chunks (whose starts only move forward).
struct ChunkLocator {
    let pageStarts: [Int]
    let headings: [HeadingMark]
    private var nextHeading = 0
    private var open: [HeadingMark] = []

    init(pageStarts: [Int], headings: [HeadingMark]) {
        self.pageStarts = pageStarts
        self.headings = headings.sorted { $0.offset < $1.offset }
    }

    mutating func locate(_ range: Range<Int>) -> (page: Int?, pageEnd: Int?, headingPath: [String]) {
        while nextHeading < headings.count, headings[nextHeading].offset <= range.lowerBound {
            let mark = headings[nextHeading]
            open.removeAll { $0.level >= mark.level }
            open.append(mark)
            nextHeading += 1
        }
        guard !pageStarts.isEmpty else { return (nil, nil, open.map(\.title)) }
        let first = page(of: range.lowerBound)
        let last = page(of: range.upperBound - 1)
        return (first, last != first ? last : nil, open.map(\.title))
    }

    /// The 1-based page holding scalar `offset`.
    private func page(of offset: Int) -> Int {
        var low = 0, high = pageStarts.count  // count of page starts <= offset, by bisection
        while low < high {
            let mid = (low + high) / 2
            if pageStarts[mid] <= offset { low = mid + 1 } else { high = mid }
        }
        return max(low, 1)
    }
}
