internal import CCairnKernels
import Synchronization

/// The index's memory: fixed-size blocks of node slots reached through a table that never moves,
/// so readers can follow any slot id without a lock while writers append blocks.
///
/// Slots are dense `UInt32`s handed out in order; the label of a slot is stored beside its vector.
final class NodeStore: @unchecked Sendable {
    static let blockShift = 15
    static let blockSize = 1 << blockShift
    static let blockMask = blockSize - 1
    static let maxBlocks = 1 << 16

    let dimension: Int
    let maxLinks0: Int
    /// Words per slot in `links0`.
    let links0Stride: Int
    /// Bytes per int8 code row, 0 when the index keeps no codes.
    let codeStride: Int
    /// Table of block pointers; entries are written once, before any slot of the block is published.
    private let table: UnsafeMutablePointer<NodeBlock>
    /// Number of blocks in the table (written under `growLock`, read with acquire).
    private let blockCountWord: UnsafeMutablePointer<UInt32>
    private let growLock = Mutex(())
    /// Objects that keep borrowed (memory-mapped) blocks alive.
    private var keepAlive: [AnyObject] = []

    init(dimension: Int, maxLinks0: Int, quantization: VectorQuantization = .none) {
        self.dimension = dimension
        self.maxLinks0 = maxLinks0
        self.links0Stride = 2 + maxLinks0
        self.codeStride = quantization == .int8 ? cairn_i8_row_bytes(dimension) : 0
        table = PageMemory.allocate(bytes: Self.maxBlocks * MemoryLayout<NodeBlock>.stride)
            .bindMemory(to: NodeBlock.self, capacity: Self.maxBlocks)
        blockCountWord = .allocate(capacity: 1)
        blockCountWord.initialize(to: 0)
    }

    deinit {
        let n = blockCount
        for b in 0..<n { Self.freeBlock(table[b], sizes: sizes) }
        PageMemory.free(UnsafeMutableRawPointer(table), bytes: Self.maxBlocks * MemoryLayout<NodeBlock>.stride)
        blockCountWord.deallocate()
    }

    var blockCount: Int { Int(cairn_atomic_load_u32(blockCountWord)) }
    /// Slots reachable without growing.
    var capacity: Int { blockCount << Self.blockShift }

    /// Byte sizes of one block's arrays, in the order vectors, links0, labels, meta, upper, codes (0 without).
    var sizes: [Int] {
        let n = Self.blockSize
        return [n * dimension * 4, n * links0Stride * 4, n * 8, n * 4, n * 4, n * codeStride]
    }

    /// Makes sure `slot` has a block (allocating zeroed ones as needed).
    func ensureCapacity(for slot: Int) {
        if slot < capacity { return }
        growLock.withLock { _ in
            while slot >= capacity {
                let b = blockCount
                precondition(b < Self.maxBlocks, "node store exhausted")
                table[b] = Self.allocateBlock(sizes: sizes)
                cairn_atomic_store_u32(blockCountWord, UInt32(b + 1))
            }
        }
    }

    /// Installs a block whose arrays live elsewhere (a mapped checkpoint kept alive by `owner`).
    func adoptBlock(_ block: NodeBlock, owner: AnyObject?) {
        growLock.withLock { _ in
            let b = blockCount
            table[b] = block
            if let owner { keepAlive.append(owner) }
            cairn_atomic_store_u32(blockCountWord, UInt32(b + 1))
        }
    }

    func block(_ b: Int) -> NodeBlock { table[b] }

    @inline(__always) func vector(_ slot: UInt32) -> UnsafeMutablePointer<Float> {
        let s = Int(slot)
        return table[s >> Self.blockShift].vectors + (s & Self.blockMask) * dimension
    }

    @inline(__always) func links0(_ slot: UInt32) -> UnsafeMutablePointer<UInt32> {
        let s = Int(slot)
        return table[s >> Self.blockShift].links0 + (s & Self.blockMask) * links0Stride
    }

    @inline(__always) func labelPointer(_ slot: UInt32) -> UnsafeMutablePointer<UInt64> {
        let s = Int(slot)
        return table[s >> Self.blockShift].labels + (s & Self.blockMask)
    }

    @inline(__always) func metaPointer(_ slot: UInt32) -> UnsafeMutablePointer<UInt32> {
        let s = Int(slot)
        return table[s >> Self.blockShift].meta + (s & Self.blockMask)
    }

    @inline(__always) func upperPointer(_ slot: UInt32) -> UnsafeMutablePointer<UInt32> {
        let s = Int(slot)
        return table[s >> Self.blockShift].upper + (s & Self.blockMask)
    }

    @inline(__always) func meta(_ slot: UInt32) -> UInt32 { cairn_atomic_load_u32(metaPointer(slot)) }

    /// The int8 code row of `slot` (only when ``codeStride`` > 0).
    @inline(__always) func codes(_ slot: UInt32) -> UnsafeMutableRawPointer {
        let s = Int(slot)
        return table[s >> Self.blockShift].codes.unsafelyUnwrapped + (s & Self.blockMask) * codeStride
    }

    private static func allocateBlock(sizes: [Int]) -> NodeBlock {
        NodeBlock(
            vectors: PageMemory.allocate(bytes: sizes[0]).assumingMemoryBound(to: Float.self),
            links0: PageMemory.allocate(bytes: sizes[1]).assumingMemoryBound(to: UInt32.self),
            labels: PageMemory.allocate(bytes: sizes[2]).assumingMemoryBound(to: UInt64.self),
            meta: PageMemory.allocate(bytes: sizes[3]).assumingMemoryBound(to: UInt32.self),
            upper: PageMemory.allocate(bytes: sizes[4]).assumingMemoryBound(to: UInt32.self),
            codes: sizes[5] > 0 ? PageMemory.allocate(bytes: sizes[5]) : nil,
            owned: true, codesOwned: sizes[5] > 0)
    }

    /// Frees what the store allocated of `b`: everything of an owned block, only encoded codes of a mapped one.
    private static func freeBlock(_ b: NodeBlock, sizes: [Int]) {
        if b.codesOwned, let codes = b.codes { PageMemory.free(codes, bytes: sizes[5]) }
        guard b.owned else { return }
        PageMemory.free(UnsafeMutableRawPointer(b.vectors), bytes: sizes[0])
        PageMemory.free(UnsafeMutableRawPointer(b.links0), bytes: sizes[1])
        PageMemory.free(UnsafeMutableRawPointer(b.labels), bytes: sizes[2])
        PageMemory.free(UnsafeMutableRawPointer(b.meta), bytes: sizes[3])
        PageMemory.free(UnsafeMutableRawPointer(b.upper), bytes: sizes[4])
    }

    /// A zeroed block allocated by the store, for restores that copy a partial block.
    func allocateOwnedBlock() -> NodeBlock { Self.allocateBlock(sizes: sizes) }

    /// Zeroed memory for one block's code rows (owned by the store once put in a block with `codesOwned`).
    func allocateCodes() -> UnsafeMutableRawPointer { PageMemory.allocate(bytes: sizes[5]) }
}
