import CairnKeyword
import Foundation
import Testing
import TestSupport

@Suite struct KeywordIndexTests {
    /// BM25 computed from the definition over the live texts: the oracle for the index's scores.
    static func oracle(_ docs: [UInt64: String], query: String, tokenizer: KeywordTokenizer, k1: Double = 1.2,
                       b: Double = 0.75) -> [UInt64: Double] {
        let terms = docs.mapValues(tokenizer.terms)
        let n = Double(terms.count)
        let avg = terms.values.reduce(0.0) { $0 + Double($1.count) } / max(n, 1)
        var out: [UInt64: Double] = [:]
        for q in Set(tokenizer.terms(query)) {
            let df = Double(terms.values.filter { $0.contains(q) }.count)
            guard df > 0 else { continue }
            let idf = log(1 + (n - df + 0.5) / (df + 0.5))
            for (label, t) in terms {
                let tf = Double(t.filter { $0 == q }.count)
                guard tf > 0 else { continue }
                let norm: Double = k1 * (1 - b + b * Double(t.count) / avg)
                let part: Double = idf * tf * (k1 + 1) / (tf + norm)
                out[label, default: 0] += part
            }
        }
        return out
    }

    static let words = ["list", "directory", "contents", "copy", "files", "remove", "link", "socket", "thread",
                        "create", "memory", "map", "signal", "process", "wait", "read", "write", "c++", "x86_64", "東京"]

    static func randomText(_ g: inout some RandomNumberGenerator) -> String {
        (0..<Int.random(in: 1...30, using: &g)).map { _ in words.randomElement(using: &g)! }.joined(separator: " ")
    }

    @Test func scoresMatchTheDefinitionThroughAddsUpdatesAndRemovals() {
        var g = SystemRandomNumberGenerator()
        let index = KeywordIndex()
        var docs: [UInt64: String] = [:]
        for round in 0..<40 {
            var batch: [(label: UInt64, text: String)] = []
            for _ in 0..<Int.random(in: 1...80, using: &g) {
                let label = UInt64.random(in: 1...600, using: &g)
                let text = Self.randomText(&g)
                batch.removeAll { $0.label == label }
                batch.append((label, text))
            }
            index.add(batch, threads: round % 2 + 1)
            for d in batch { docs[d.label] = d.text }
            let gone = docs.keys.shuffled(using: &g).prefix(Int.random(in: 0...60, using: &g))
            index.remove(Array(gone))
            for label in gone { docs[label] = nil }
            #expect(index.count == docs.count)
            let query = (0..<3).map { _ in Self.words.randomElement(using: &g)! }.joined(separator: " ")
            let expected = Self.oracle(docs, query: query, tokenizer: index.tokenizer)
            let result = index.search(query, k: 1_000)
            #expect(result.matched == expected.count)
            #expect(result.hits.count == expected.count)
            for hit in result.hits {
                let want = expected[hit.label] ?? -1
                #expect(abs(Double(hit.bm25) - want) <= 1e-4 * max(1, want), "label \(hit.label): \(hit.bm25) vs \(want)")
                #expect(hit.score >= 0 && hit.score < 1)
            }
            // Best first, ties by label.
            for (a, b) in zip(result.hits, result.hits.dropFirst()) {
                #expect(a.bm25 > b.bm25 || (a.bm25 == b.bm25 && a.label < b.label))
            }
            // The top k is a prefix of the full ranking.
            #expect(index.search(query, k: 5).hits == Array(result.hits.prefix(5)))
        }
    }

    @Test func filterRestrictsWhileScoring() {
        let index = KeywordIndex()
        index.add((1...300).map { (UInt64($0), $0 % 3 == 0 ? "socket socket socket" : "socket and other words") })
        let allowed = Set((1...300).filter { $0 % 3 != 0 }.map(UInt64.init))
        let small: Set<UInt64> = [4, 5]
        for filter in [allowed, small] {
            let result = index.search("socket", k: 10, allowed: filter)
            #expect(!result.hits.isEmpty)
            #expect(result.hits.allSatisfy { filter.contains($0.label) })
            #expect(result.matched == filter.count)
        }
        #expect(index.search("socket", k: 10, allowed: []).hits.isEmpty)
    }

    @Test func ceilingCountsUnknownTerms() {
        let index = KeywordIndex()
        index.add([(1, "list directory contents"), (2, "copy files and directories"), (3, "remove files")])
        let known = index.search("list directory contents", k: 3)
        let partly = index.search("list directory zebra quantum", k: 3)
        #expect(known.hits.first?.label == 1 && partly.hits.first?.label == 1)
        #expect(partly.unknownTerms == 2)
        #expect(partly.hits[0].score < known.hits[0].score / 1.5)
        #expect(index.search("the of and", k: 3).hits.isEmpty)
    }

    @Test func compactionKeepsScores() {
        let index = KeywordIndex()
        index.add((1...5_000).map { (UInt64($0), "term\($0 % 50) common word\($0 % 7)") })
        let before = index.search("term7 word3", k: 20, allowed: Set((1...5_000).filter { $0 > 2_000 }.map(UInt64.init)))
        index.remove((1...2_000).map(UInt64.init))
        #expect(index.count == 3_000)
        let after = index.search("term7 word3", k: 20)
        #expect(after.hits.map(\.label) == before.hits.map(\.label))
        index.add([(7, "term7 word3 term7")])
        #expect(index.search("term7", k: 1).hits.first?.label == 7)
    }

    /// An index restored from its image scores as the original does, through later changes too; an image
    /// whose arrays disagree is refused and leaves the index as it was.
    @Test func imageRestoresTheSameIndexAndRefusesDisagreement() throws {
        var g = SplitMix(seed: 31)
        let index = KeywordIndex()
        var docs: [UInt64: String] = [:]
        for label in UInt64(1)...400 {
            docs[label] = Self.randomText(&g)
        }
        index.add(docs.map { ($0.key, $0.value) })
        let gone = Array(UInt64(1)...60)
        index.remove(gone)
        for label in gone { docs[label] = nil }
        let image = index.image()
        #expect(image.alive.contains(0), "removed slots are part of the image")
        let restored = KeywordIndex()
        try restored.restore(image)
        #expect(restored.image() == image)
        #expect(restored.count == index.count && restored.termCount == index.termCount)
        for query in ["list directory", "c++ socket", "東京 map wait", "x86_64"] {
            let a = restored.search(query, k: 50), b = index.search(query, k: 50)
            #expect(a.hits.map(\.label) == b.hits.map(\.label) && a.hits.map(\.bm25) == b.hits.map(\.bm25), "\(query)")
        }
        restored.add([(1, "socket thread socket"), (70, "list")])
        index.add([(1, "socket thread socket"), (70, "list")])
        #expect(restored.search("socket list", k: 50).hits.map(\.label) == index.search("socket list", k: 50).hits.map(\.label))

        var broken = image
        broken.postingSlots[3] = UInt32(image.labels.count)
        #expect(throws: KeywordImageError.self) { try restored.restore(broken) }
        broken = image
        broken.termOffsets[2] = broken.termOffsets[1] &- 1
        #expect(throws: KeywordImageError.self) { try restored.restore(broken) }
        broken = image
        broken.lengths.removeLast()
        #expect(throws: KeywordImageError.self) { try restored.restore(broken) }
        #expect(restored.count == index.count)
    }
}
