internal import CCairnKernels
import Synchronization

/// Bump-allocated words holding the neighbour lists of layers ≥ 1 (about one node in `m` has any).
///
/// Words are addressed by a global `UInt32` offset: chunk `offset >> chunkShift`, word `offset & chunkMask`.
/// A node of top layer `L` owns `L` consecutive lists of `2 + m` words (sequence, count, ids).
final class UpperLinkArena: @unchecked Sendable {
    static let chunkShift = 20
    static let chunkWords = 1 << chunkShift
    static let maxChunks = 4096

    private let chunks: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    private let state = Mutex<(chunk: Int, used: Int)>((chunk: -1, used: chunkWords))
    private var ownedChunks: Int = 0

    init() {
        chunks = .allocate(capacity: Self.maxChunks)
        chunks.initialize(repeating: nil, count: Self.maxChunks)
    }

    deinit {
        for c in 0..<Self.maxChunks {
            guard let p = chunks[c] else { break }
            PageMemory.free(UnsafeMutableRawPointer(p), bytes: Self.chunkWords * 4)
        }
        chunks.deallocate()
    }

    /// Reserves `words` zeroed words and returns their offset.
    func allocate(words: Int) -> UInt32 {
        precondition(words > 0 && words <= Self.chunkWords)
        return state.withLock { s in
            if s.used + words > Self.chunkWords {
                s.chunk += 1
                precondition(s.chunk < Self.maxChunks, "upper link arena exhausted")
                if chunks[s.chunk] == nil {
                    chunks[s.chunk] = PageMemory.allocate(bytes: Self.chunkWords * 4)
                        .assumingMemoryBound(to: UInt32.self)
                }
                s.used = 0
            }
            let offset = UInt32(s.chunk << Self.chunkShift | s.used)
            s.used += words
            return offset
        }
    }

    @inline(__always) func pointer(_ offset: UInt32) -> UnsafeMutablePointer<UInt32> {
        let o = Int(offset)
        return chunks[o >> Self.chunkShift].unsafelyUnwrapped + (o & (Self.chunkWords - 1))
    }

    /// Words in use, chunk by chunk (the last one partially), for snapshots.
    func usedExtents() -> [(chunk: UnsafeMutablePointer<UInt32>, words: Int)] {
        let s = state.withLock { $0 }
        guard s.chunk >= 0 else { return [] }
        return (0...s.chunk).map { c in (chunks[c]!, c == s.chunk ? s.used : Self.chunkWords) }
    }

    /// Restores chunks from copies of saved words (`extents` as written by ``usedExtents()``).
    func restore(_ extents: [UnsafeRawBufferPointer]) {
        state.withLock { s in
            for (c, e) in extents.enumerated() {
                let p = PageMemory.allocate(bytes: Self.chunkWords * 4).assumingMemoryBound(to: UInt32.self)
                if let base = e.baseAddress { UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: e.count) }
                chunks[c] = p
                s.chunk = c
                s.used = e.count / 4
            }
        }
    }
}
