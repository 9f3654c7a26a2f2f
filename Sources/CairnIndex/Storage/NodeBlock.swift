/// Raw pointers to one block of node slots; all arrays are indexed by the slot's offset in the block.
///
/// A block holds `NodeStore.blockSize` slots. Its arrays are either anonymous memory owned by the store
/// or page-aligned regions of a memory-mapped checkpoint (copy-on-write), which is what lets a saved
/// index open without per-vector parsing.
struct NodeBlock {
    /// `blockSize × dimension` floats, row-major: a BLAS-ready matrix.
    var vectors: UnsafeMutablePointer<Float>
    /// `blockSize × (2 + maxLinks0)` words: per slot a sequence word, a count and the layer-0 neighbours.
    var links0: UnsafeMutablePointer<UInt32>
    /// External labels (Cairn's chunk ids).
    var labels: UnsafeMutablePointer<UInt64>
    /// Per slot: bits 0–7 the node's top layer, ``NodeFlags`` above.
    var meta: UnsafeMutablePointer<UInt32>
    /// Per slot: word offset of the node's upper-layer lists in the ``UpperLinkArena`` (when layer > 0).
    var upper: UnsafeMutablePointer<UInt32>
    /// `blockSize` int8 code rows (`cairn_i8_row_bytes(dimension)` bytes each) when the index is quantized.
    var codes: UnsafeMutableRawPointer?
    /// Whether the store allocated these arrays (and must unmap them).
    var owned: Bool
    /// Whether the store allocated `codes` (also for a mapped block whose codes were encoded after loading).
    var codesOwned: Bool = false
}

/// Bits of a node's meta word.
enum NodeFlags {
    static let levelMask: UInt32 = 0xFF
    /// The node has been removed: it still routes searches but is never returned.
    static let deleted: UInt32 = 1 << 8
    /// The node's vector and lists are initialised (set before it is linked into the graph).
    static let present: UInt32 = 1 << 9
}
