/// A keyword index's whole state as flat arrays: what a snapshot file holds, written and read in one pass
/// each (a million chunks' postings are one array, not a million).
///
/// Term `t`'s UTF-8 is `termBytes[termOffsets[t]..<termOffsets[t + 1]]`, its postings are
/// `postingSlots`/`postingFrequencies` over `postingOffsets[t]..<postingOffsets[t + 1]`; slot `s`'s distinct
/// term ids are `slotTermIDs[slotTermOffsets[s]..<slotTermOffsets[s + 1]]`.
public struct KeywordIndexImage: Sendable, Equatable {
    public var termBytes: [UInt8] = []
    public var termOffsets: [UInt64] = [0]
    public var documentFrequency: [Int32] = []
    public var postingOffsets: [UInt64] = [0]
    public var postingSlots: [UInt32] = []
    public var postingFrequencies: [Float] = []
    public var labels: [UInt64] = []
    public var lengths: [Float] = []
    /// 1 for a live slot, 0 for a removed one (kept until a compaction).
    public var alive: [UInt8] = []
    public var slotTermOffsets: [UInt64] = [0]
    public var slotTermIDs: [UInt32] = []
    public var totalLength = 0.0

    public init() {}
}

/// Why an image cannot become an index: its arrays disagree with each other (a damaged or foreign file).
public struct KeywordImageError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

extension KeywordIndex {
    /// The revision of the tokenizer's rules. A saved index is only adopted by a tokenizer of the same revision
    /// and options: raise it whenever a change to ``KeywordTokenizer`` can change any text's terms.
    public static let tokenizerRevision = 2

    /// What a saved image depends on besides the texts: the tokenizer's rules and options (BM25's parameters
    /// only weigh scores, so they are not part of it).
    public var imageFingerprint: String {
        "tokenizer r\(Self.tokenizerRevision) stopwords=\(tokenizer.options.englishStopWords) "
            + "max=\(tokenizer.options.maxTermLength)"
    }

    /// The index's state, flattened (under the read lock: a consistent copy while changes wait).
    public func image() -> KeywordIndexImage {
        lock.reading {
            let s = state
            var image = KeywordIndexImage()
            let terms = s.postings.count
            var names = [String](repeating: "", count: terms)
            for (term, id) in s.termIDs { names[Int(id)] = term }
            image.termOffsets.reserveCapacity(terms + 1)
            for name in names {
                image.termBytes.append(contentsOf: name.utf8)
                image.termOffsets.append(UInt64(image.termBytes.count))
            }
            image.documentFrequency = s.documentFrequency
            let postings = s.postings.reduce(0) { $0 + $1.count }
            image.postingSlots.reserveCapacity(postings)
            image.postingFrequencies.reserveCapacity(postings)
            image.postingOffsets.reserveCapacity(terms + 1)
            for list in s.postings {
                for p in list {
                    image.postingSlots.append(p.slot)
                    image.postingFrequencies.append(p.tf)
                }
                image.postingOffsets.append(UInt64(image.postingSlots.count))
            }
            image.labels = s.labels
            image.lengths = s.lengths
            image.alive = s.alive.map { $0 ? 1 : 0 }
            image.slotTermOffsets.reserveCapacity(s.slotTerms.count + 1)
            image.slotTermIDs.reserveCapacity(postings)
            for ids in s.slotTerms {
                image.slotTermIDs.append(contentsOf: ids)
                image.slotTermOffsets.append(UInt64(image.slotTermIDs.count))
            }
            image.totalLength = s.totalLength
            return image
        }
    }

    /// Replaces the index's state with `image`, after checking that its arrays agree (every offset in
    /// bounds and ascending, every slot and term id in range, each label once).
    /// - Throws: ``KeywordImageError`` naming the first disagreement; the index is then unchanged.
    public func restore(_ image: KeywordIndexImage) throws(KeywordImageError) {
        let state = try Self.state(of: image)
        lock.writing { self.state = state }
    }

    private static func state(of m: KeywordIndexImage) throws(KeywordImageError) -> State {
        func fail(_ what: String) -> KeywordImageError { KeywordImageError(description: what) }
        let terms = m.documentFrequency.count
        let slots = m.labels.count
        guard m.termOffsets.count == terms + 1, m.postingOffsets.count == terms + 1 else {
            throw fail("\(terms) terms but \(m.termOffsets.count) term and \(m.postingOffsets.count) posting offsets")
        }
        guard m.lengths.count == slots, m.alive.count == slots, m.slotTermOffsets.count == slots + 1 else {
            throw fail("\(slots) slots but \(m.lengths.count) lengths, \(m.alive.count) flags, "
                + "\(m.slotTermOffsets.count) term-list offsets")
        }
        guard m.postingSlots.count == m.postingFrequencies.count else {
            throw fail("\(m.postingSlots.count) posting slots but \(m.postingFrequencies.count) frequencies")
        }
        try checkOffsets(m.termOffsets, end: m.termBytes.count, what: "term")
        try checkOffsets(m.postingOffsets, end: m.postingSlots.count, what: "posting")
        try checkOffsets(m.slotTermOffsets, end: m.slotTermIDs.count, what: "slot term")
        if let bad = m.postingSlots.first(where: { Int($0) >= slots }) { throw fail("posting of slot \(bad) of \(slots)") }
        if let bad = m.slotTermIDs.first(where: { Int($0) >= terms }) { throw fail("term id \(bad) of \(terms)") }

        var s = State()
        s.termIDs.reserveCapacity(terms)
        m.termBytes.withUnsafeBufferPointer { bytes in
            for t in 0..<terms {
                let range = Int(m.termOffsets[t])..<Int(m.termOffsets[t + 1])
                s.termIDs[String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)] = UInt32(t)
            }
        }
        guard s.termIDs.count == terms else { throw fail("\(terms) terms but \(s.termIDs.count) distinct") }
        s.documentFrequency = m.documentFrequency
        s.postings.reserveCapacity(terms)
        for t in 0..<terms {
            let range = Int(m.postingOffsets[t])..<Int(m.postingOffsets[t + 1])
            s.postings.append(range.map { Posting(slot: m.postingSlots[$0], tf: m.postingFrequencies[$0]) })
        }
        s.labels = m.labels
        s.lengths = m.lengths
        s.alive = m.alive.map { $0 != 0 }
        s.slotTerms.reserveCapacity(slots)
        for k in 0..<slots {
            s.slotTerms.append(Array(m.slotTermIDs[Int(m.slotTermOffsets[k])..<Int(m.slotTermOffsets[k + 1])]))
        }
        s.slotOf.reserveCapacity(slots)
        for k in 0..<slots where s.alive[k] {
            guard s.slotOf.updateValue(UInt32(k), forKey: m.labels[k]) == nil else {
                throw fail("label \(m.labels[k]) in two live slots")
            }
            s.live += 1
        }
        s.dead = slots - s.live
        s.totalLength = m.totalLength
        return s
    }

    private static func checkOffsets(_ offsets: [UInt64], end: Int, what: String) throws(KeywordImageError) {
        guard offsets.first == 0, offsets.last == UInt64(end) else {
            throw KeywordImageError(description: "\(what) offsets do not span 0..<\(end)")
        }
        var previous: UInt64 = 0
        for offset in offsets {
            guard offset >= previous else { throw KeywordImageError(description: "\(what) offsets descend") }
            previous = offset
        }
    }
}
