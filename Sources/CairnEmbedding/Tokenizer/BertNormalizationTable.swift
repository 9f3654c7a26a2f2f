import Foundation

/// What BERT normalisation makes of each non-ASCII scalar, computed once per block of 256 scalars and
/// shared by every tokenizer in the process.
///
/// Normalisation (clean, CJK spacing, NFD, drop `Mn`, lower-case) and pre-tokenisation act on one scalar at
/// a time, with one exception: NFD reorders runs of combining marks by combining class. Marks of category
/// `Mn` are dropped whatever their order, so reordering can only show when a surviving mark (a spacing
/// mark with a non-zero combining class, 38 scalars in all) takes part; such a scalar is flagged
/// ``NormalizationBlock/complex`` and its text takes the whole-text path instead. Everything else is the
/// concatenation of per-scalar results, which this table holds: per scalar, a list of outputs, each a word
/// boundary, a punctuation scalar (a word of its own) or a scalar that extends the current word.
///
/// The block list sits behind an `NSLock` rather than `Synchronization.Mutex`: on Linux the thread
/// sanitizer cannot see `Mutex`'s futex-based ordering and reports races that are not there, while it
/// understands the pthread mutex under `NSLock`. Tokenizers take the lock only when a text moves to a
/// block they have not just used.
final class BertNormalizationTable: @unchecked Sendable {
    /// The process-wide table.
    static let shared = BertNormalizationTable()

    private let lock = NSLock()
    /// Guarded by ``lock``.
    private var blocks = [NormalizationBlock?](repeating: nil, count: 0x110000 >> 8)

    /// The block holding `value`'s entry, built on first use.
    func block(containing value: UInt32) -> NormalizationBlock {
        let index = Int(value >> 8)
        lock.lock()
        defer { lock.unlock() }
        if let block = blocks[index] { return block }
        let block = NormalizationBlock(index: index)
        blocks[index] = block
        return block
    }
}

/// The normalised outputs of 256 consecutive scalars.
final class NormalizationBlock: Sendable {
    /// Output kinds, in bits 24… of an output word; bits 0..<21 hold the scalar.
    static let boundary: UInt32 = 0
    static let punctuation: UInt32 = 1 << 24
    static let wordScalar: UInt32 = 2 << 24
    static let kindMask: UInt32 = 0xFF << 24
    /// A span with this value marks a scalar that needs whole-text normalisation.
    static let complex: UInt32 = .max

    /// The block number: scalar value >> 8.
    let index: Int
    /// Per scalar of the block: `start << 8 | count` into ``outputs``, or ``complex``.
    let spans: [UInt32]
    let outputs: [UInt32]

    init(index: Int) {
        self.index = index
        let base = UInt32(index << 8)
        let scalars: [Unicode.Scalar?] = (0..<256).map { Unicode.Scalar(base + UInt32($0)) }
        let decomposed = Self.decompose(scalars)
        var spans = [UInt32](repeating: 0, count: 256)
        var outputs: [UInt32] = []
        for k in 0..<256 {
            guard let scalar = scalars[k], scalar.value >= 0x80 else { continue }
            let start = UInt32(outputs.count)
            if Self.normalize(scalar, decomposed: decomposed[k], into: &outputs) {
                spans[k] = start << 8 | (UInt32(outputs.count) - start)
            } else {
                outputs.removeSubrange(Int(start)...)
                spans[k] = Self.complex
            }
        }
        self.spans = spans
        self.outputs = outputs
    }

    /// Appends the outputs of `scalar` alone (whose NFD is `decomposed`); false when reordering could matter.
    private static func normalize(_ scalar: Unicode.Scalar, decomposed: [Unicode.Scalar],
                                  into outputs: inout [UInt32]) -> Bool {
        if BertScalarClass.isRemoved(scalar) { return true }
        if BertScalarClass.isWhitespace(scalar) {
            outputs.append(boundary)
            return true
        }
        let isolated = BertScalarClass.isCJKIdeograph(scalar.value)
        if isolated { outputs.append(boundary) }
        for d in decomposed {
            let properties = d.properties
            if properties.generalCategory == .nonspacingMark { continue }
            if properties.canonicalCombiningClass != .notReordered { return false }
            let lowered = properties.changesWhenLowercased ? Array(properties.lowercaseMapping.unicodeScalars) : [d]
            for l in lowered {
                if BertScalarClass.isWhitespace(l) {
                    outputs.append(boundary)
                } else if BertScalarClass.isPunctuation(l) {
                    outputs.append(punctuation | l.value)
                } else {
                    outputs.append(wordScalar | l.value)
                }
            }
        }
        if isolated { outputs.append(boundary) }
        return true
    }

    /// Canonical decompositions of every scalar, in one Foundation call: the scalars joined by line feeds,
    /// which have combining class 0 and so keep each decomposition apart.
    private static func decompose(_ scalars: [Unicode.Scalar?]) -> [[Unicode.Scalar]] {
        var joined = String.UnicodeScalarView()
        for scalar in scalars {
            // ASCII, surrogates and removed scalars never use their decomposition.
            if let scalar, scalar.value >= 0x80, !BertScalarClass.isRemoved(scalar) {
                joined.append(scalar)
            } else {
                joined.append("a")
            }
            joined.append("\n")
        }
        var result: [[Unicode.Scalar]] = []
        result.reserveCapacity(scalars.count)
        var current: [Unicode.Scalar] = []
        for scalar in String(joined).decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar == "\n" {
                result.append(current)
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(scalar)
            }
        }
        return result
    }
}
