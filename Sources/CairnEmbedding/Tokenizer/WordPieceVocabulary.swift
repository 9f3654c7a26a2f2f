import Foundation

/// A WordPiece vocabulary (`vocab.txt`: one token per line, the line number is the id) in a byte-keyed
/// open-addressing hash table.
///
/// Keys are the UTF-8 bytes of a token; a `##` continuation token is stored without its prefix in a
/// separate key space, so the tokenizer looks up a slice of the word it is splitting without building a
/// string. All key bytes live in one arena; a slot packs the key's 32-bit hash with `id + 1` (0 = empty),
/// so most probes are settled without touching the arena. Loading 30,522 tokens takes 2–3 ms.
struct WordPieceVocabulary: Sendable {
    /// Key bytes of every token, in id order (continuation tokens without `##`).
    private let arena: [UInt8]
    /// Start of token `id`'s key in ``arena``; `offsets[id + 1]` is its end.
    private let offsets: [UInt32]
    /// Whether token `id` is a `##` continuation.
    private let continuation: [Bool]
    /// `hash << 32 | (id + 1)`, 0 for an empty slot; the count is a power of two.
    private let slots: [UInt64]
    /// Longest key in bytes, for word-initial and for continuation tokens: no longer slice can match.
    let longestInitial: Int
    let longestContinuation: Int

    /// Number of tokens (lines).
    var count: Int { continuation.count }

    /// Parses the contents of `vocab.txt`. Returns nil when it holds no tokens.
    init?(contents: UnsafeRawBufferPointer) {
        let bytes = contents.bindMemory(to: UInt8.self)
        var arena: [UInt8] = []
        arena.reserveCapacity(bytes.count)
        var offsets: [UInt32] = [0]
        offsets.reserveCapacity(bytes.count / 4)
        var continuation: [Bool] = []
        continuation.reserveCapacity(bytes.count / 4)
        var longest = (initial: 0, continuation: 0)
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var stop = end
            while stop > start && (bytes[stop - 1] == 0x0D || bytes[stop - 1] == 0x20) { stop -= 1 }
            var keyStart = start
            let isContinuation = stop - start > 2 && bytes[start] == 0x23 && bytes[start + 1] == 0x23
            if isContinuation { keyStart += 2 }
            arena.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[keyStart..<stop]))
            offsets.append(UInt32(arena.count))
            continuation.append(isContinuation)
            if isContinuation {
                longest.continuation = max(longest.continuation, stop - keyStart)
            } else {
                longest.initial = max(longest.initial, stop - keyStart)
            }
            start = end + 1
        }
        guard !continuation.isEmpty else { return nil }

        var capacity = 1024
        while capacity < continuation.count * 2 { capacity <<= 1 }
        var slots = [UInt64](repeating: 0, count: capacity)
        arena.withUnsafeBufferPointer { keys in
            for id in 0..<continuation.count {
                let lo = Int(offsets[id]), hi = Int(offsets[id + 1])
                if hi == lo && !continuation[id] { continue }  // blank line: keeps its id, matches nothing
                var h = Self.seed(continuation: continuation[id])
                for k in lo..<hi { h = Self.hash(h, keys[k]) }
                var i = Self.slotIndex(h, capacity - 1)
                while true {
                    let s = slots[i]
                    if s == 0 { slots[i] = UInt64(h) << 32 | UInt64(id + 1); break }
                    // A repeated line takes the later id, as the reference loader does.
                    let other = Int(s & 0xFFFF_FFFF) - 1
                    if UInt32(s >> 32) == h && continuation[other] == continuation[id]
                        && hi - lo == Int(offsets[other + 1] - offsets[other])
                        && memcmp(keys.baseAddress! + Int(offsets[other]), keys.baseAddress! + lo, hi - lo) == 0 {
                        slots[i] = UInt64(h) << 32 | UInt64(id + 1)
                        break
                    }
                    i = (i + 1) & (capacity - 1)
                }
            }
        }
        self.arena = arena
        self.offsets = offsets
        self.continuation = continuation
        self.slots = slots
        self.longestInitial = longest.initial
        self.longestContinuation = longest.continuation
    }

    /// The id of the token whose key is `bytes[0..<count]` (a `##` token when `continuation`), or -1.
    @inline(__always)
    func id(_ bytes: UnsafePointer<UInt8>, _ count: Int, continuation isContinuation: Bool) -> Int32 {
        var h = Self.seed(continuation: isContinuation)
        for i in 0..<count { h = Self.hash(h, bytes[i]) }
        return id(hash: h, bytes, count, continuation: isContinuation)
    }

    /// As ``id(_:_:continuation:)`` with the key's hash already known (``seed(continuation:)`` then
    /// ``hash(_:_:)`` over each byte), so a caller can hash every prefix of a word in one pass.
    @inline(__always)
    func id(hash h: UInt32, _ bytes: UnsafePointer<UInt8>, _ count: Int, continuation isContinuation: Bool) -> Int32 {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var i = Self.slotIndex(h, mask)
            while true {
                let s = slots[i]
                if s == 0 { return -1 }
                if UInt32(truncatingIfNeeded: s >> 32) == h {
                    let id = Int(s & 0xFFFF_FFFF) - 1
                    if continuation[id] == isContinuation && equal(id, bytes, count) { return Int32(id) }
                }
                i = (i + 1) & mask
            }
        }
    }

    /// The id of `token` as written in `vocab.txt` (with `##` for a continuation), or nil.
    func id(of token: String) -> Int32? {
        var utf8 = Array(token.utf8)
        let isContinuation = utf8.count > 2 && utf8[0] == 0x23 && utf8[1] == 0x23
        if isContinuation { utf8.removeFirst(2) }
        guard !utf8.isEmpty else { return nil }
        let id = utf8.withUnsafeBufferPointer { self.id($0.baseAddress!, $0.count, continuation: isContinuation) }
        return id >= 0 ? id : nil
    }

    /// The token with `id` as written in `vocab.txt`, or nil when out of range.
    func token(_ id: Int32) -> String? {
        guard id >= 0 && Int(id) < count else { return nil }
        let key = String(decoding: arena[Int(offsets[Int(id)])..<Int(offsets[Int(id) + 1])], as: UTF8.self)
        return continuation[Int(id)] ? "##" + key : key
    }

    @inline(__always)
    private func equal(_ id: Int, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let lo = Int(offsets[id])
        guard Int(offsets[id + 1]) - lo == count else { return false }
        return arena.withUnsafeBufferPointer { count == 0 || memcmp($0.baseAddress! + lo, bytes, count) == 0 }
    }

    /// FNV-1a: the starting value, different for continuation keys…
    @inline(__always)
    static func seed(continuation: Bool) -> UInt32 {
        continuation ? 0x9E37_79B9 : 0x811C_9DC5
    }

    /// … and one step per byte.
    @inline(__always)
    static func hash(_ h: UInt32, _ byte: UInt8) -> UInt32 {
        (h ^ UInt32(byte)) &* 0x0100_0193
    }

    /// Spreads FNV's weak low bits over the slot index (Fibonacci hashing: the high half of a product).
    @inline(__always)
    private static func slotIndex(_ h: UInt32, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(h) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }
}
