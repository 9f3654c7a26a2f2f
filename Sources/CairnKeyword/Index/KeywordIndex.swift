import Foundation

/// An in-memory BM25 index of texts under 64-bit labels (Cairn's chunk ids).
///
/// **Layout.** Each text gets a slot; a term's postings list holds (slot, term frequency) in slot order.
/// Each slot keeps its label, its length in terms and its distinct term ids (to take its document
/// frequencies back when it is removed). A removal marks the slot dead; dead slots are skipped while scoring
/// and dropped by a compaction once they are a quarter of all slots.
///
/// **Scoring** (the Lucene form of BM25): for each distinct query term t,
/// `idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5))` and a chunk's score adds
/// `idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · len / avglen))`.
///
/// **Concurrency.** Searches share a read lock; changes take the write lock (tokenising happens before it).
///
/// ```swift
/// let index = KeywordIndex()
/// index.add([(1, "list directory contents"), (2, "copy files and directories")])
/// index.search("directory listing", k: 10).hits.first?.label  // 1
/// ```
public final class KeywordIndex: @unchecked Sendable {
    struct Posting {
        var slot: UInt32
        var tf: Float
    }

    struct State {
        var termIDs: [String: UInt32] = [:]
        var postings: [[Posting]] = []
        var documentFrequency: [Int32] = []
        var labels: [UInt64] = []
        var lengths: [Float] = []
        var alive: [Bool] = []
        var slotTerms: [[UInt32]] = []
        var slotOf: [UInt64: UInt32] = [:]
        var live = 0
        var dead = 0
        var totalLength = 0.0
    }

    public let parameters: BM25Parameters
    public let tokenizer: KeywordTokenizer
    let lock = ReadWriteLock()
    var state = State()

    public init(parameters: BM25Parameters = .standard, tokenizer: KeywordTokenizer = KeywordTokenizer()) {
        self.parameters = parameters
        self.tokenizer = tokenizer
    }

    /// Texts indexed.
    public var count: Int { lock.reading { state.live } }
    /// Distinct terms ever seen (terms of removed texts are kept until a compaction).
    public var termCount: Int { lock.reading { state.termIDs.count } }
    /// Whether a text is indexed under `label`.
    public func contains(_ label: UInt64) -> Bool { lock.reading { state.slotOf[label] != nil } }

    /// Indexes texts (replacing what a label had). Tokenising runs on up to `threads` threads before the
    /// index is locked.
    public func add(_ documents: [(label: UInt64, text: String)], threads: Int = 1) {
        guard !documents.isEmpty else { return }
        let tokenized = tokenize(documents.map(\.text), threads: threads)
        lock.writing {
            for (k, document) in documents.enumerated() {
                Self.remove(document.label, from: &state)
                Self.insert(document.label, terms: tokenized[k], into: &state)
            }
            compactIfNeeded()
        }
    }

    /// Removes the texts of these labels (unknown labels are ignored).
    public func remove(_ labels: [UInt64]) {
        guard !labels.isEmpty else { return }
        lock.writing {
            for label in labels { Self.remove(label, from: &state) }
            compactIfNeeded()
        }
    }

    /// Removes every text.
    public func removeAll() {
        lock.writing { state = State() }
    }

    /// Every label indexed, in no particular order.
    public func allLabels() -> [UInt64] {
        lock.reading { Array(state.slotOf.keys) }
    }

    private func tokenize(_ texts: [String], threads: Int) -> [[String]] {
        let workers = max(1, min(threads, texts.count / 64))
        if workers == 1 { return texts.map(tokenizer.terms) }
        let out = UnsafeMutableBufferPointer<[String]>.allocate(capacity: texts.count)
        out.initialize(repeating: [])
        defer { out.deallocate() }
        let tokenizer = tokenizer
        let base = out.baseAddress!
        nonisolated(unsafe) let target = base
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var k = w
            while k < texts.count {
                target[k] = tokenizer.terms(texts[k])
                k += workers
            }
        }
        return Array(out)
    }

    private static func insert(_ label: UInt64, terms: [String], into s: inout State) {
        let slot = UInt32(s.labels.count)
        var ids: [UInt32] = []
        ids.reserveCapacity(terms.count)
        for term in terms {
            if let known = s.termIDs[term] {
                ids.append(known)
            } else {
                let id = UInt32(s.postings.count)
                s.termIDs[term] = id
                s.postings.append([])
                s.documentFrequency.append(0)
                ids.append(id)
            }
        }
        // Sorted, each run of one id is its term frequency.
        ids.sort()
        var distinct: [UInt32] = []
        var k = 0
        while k < ids.count {
            let id = ids[k]
            var end = k + 1
            while end < ids.count, ids[end] == id { end += 1 }
            s.postings[Int(id)].append(Posting(slot: slot, tf: Float(end - k)))
            s.documentFrequency[Int(id)] += 1
            distinct.append(id)
            k = end
        }
        s.labels.append(label)
        s.lengths.append(Float(terms.count))
        s.alive.append(true)
        s.slotTerms.append(distinct)
        s.slotOf[label] = slot
        s.live += 1
        s.totalLength += Double(terms.count)
    }

    private static func remove(_ label: UInt64, from s: inout State) {
        guard let slot = s.slotOf.removeValue(forKey: label) else { return }
        let k = Int(slot)
        for id in s.slotTerms[k] { s.documentFrequency[Int(id)] -= 1 }
        s.slotTerms[k] = []
        s.alive[k] = false
        s.totalLength -= Double(s.lengths[k])
        s.live -= 1
        s.dead += 1
    }

    /// Rewrites the postings without dead slots once they are a quarter of all slots (and at least 1,024).
    private func compactIfNeeded() {
        guard state.dead >= 1_024, state.dead * 4 >= state.labels.count else { return }
        let old = state
        var remap = [UInt32](repeating: .max, count: old.labels.count)
        var fresh = State()
        fresh.termIDs = old.termIDs
        fresh.documentFrequency = old.documentFrequency
        for k in 0..<old.labels.count where old.alive[k] {
            let slot = UInt32(fresh.labels.count)
            remap[k] = slot
            fresh.labels.append(old.labels[k])
            fresh.lengths.append(old.lengths[k])
            fresh.alive.append(true)
            fresh.slotTerms.append(old.slotTerms[k])
            fresh.slotOf[old.labels[k]] = slot
        }
        fresh.postings = old.postings.map { list in
            list.compactMap { p in remap[Int(p.slot)] == .max ? nil : Posting(slot: remap[Int(p.slot)], tf: p.tf) }
        }
        fresh.live = old.live
        fresh.totalLength = old.totalLength
        state = fresh
    }
}
