internal import CCairnKernels
import Dispatch
import CairnVectorMath
import Synchronization

/// The index as raw sections for a checkpoint file, plus the metadata needed to map them back.
///
/// Metadata (little-endian, ``metadataVersion`` 2): `u32 version, u32 dimension, u8 metric, u8×3 zero,
/// u32 m, u32 ef_construction, u32 ef_search, u32 full_scan_threshold, u64 seed, u64 slot_count,
/// u64 entry (level << 32 | slot, or all ones when empty), u32 block_shift, u32 upper_chunk_shift,
/// u64 live_count, u8 quantization (0 none, 1 int8)`. Version 1 (no quantization byte) is still read.
///
/// Sections, one per array per block `b` (rows = slots of the block in use; a full block's section has the
/// size of the in-memory block so that it can be adopted straight from a memory-mapped file):
/// kind 1 vectors (`rows × dimension` f32), 2 layer-0 lists (`rows × (2 + 2m)` u32), 3 labels (`rows` u64),
/// 4 meta words (`rows` u32), 5 upper-list offsets (`rows` u32), and with int8 quantization 7 the code rows
/// (`rows × cairn_i8_row_bytes(dimension)` bytes); kind 6 is the upper-layer arena, one section per chunk `c`
/// (u32 words in use).
public struct IndexSnapshot {
    /// Bumped whenever the metadata or section layout changes.
    public static let metadataVersion: UInt32 = 2

    /// One raw array of the index.
    public struct Section {
        public var kind: UInt32
        public var index: UInt32
        public var bytes: UnsafeRawBufferPointer
    }

    public var metadata: [UInt8]
    public var sections: [Section]
}

/// Section kinds of an ``IndexSnapshot``.
public enum SnapshotSectionKind {
    public static let vectors: UInt32 = 1
    public static let links0: UInt32 = 2
    public static let labels: UInt32 = 3
    public static let meta: UInt32 = 4
    public static let upperOffsets: UInt32 = 5
    public static let upperArena: UInt32 = 6
    public static let codes: UInt32 = 7
}

extension HNSWIndex {
    /// Calls `body` with the index's sections. Writers must be paused for the duration (searches may go on);
    /// the pointers are valid only inside `body`.
    public func withSnapshot<R>(_ body: (IndexSnapshot) throws -> R) rethrows -> R {
        let n = slotCount
        var w = ByteWriter()
        w.put(IndexSnapshot.metadataVersion)
        w.put(UInt32(dimension))
        w.put(configuration.metric.code)
        w.put(UInt8(0)); w.put(UInt8(0)); w.put(UInt8(0))
        w.put(UInt32(m))
        w.put(UInt32(configuration.efConstruction))
        w.put(UInt32(configuration.efSearch))
        w.put(UInt32(configuration.fullScanThreshold))
        w.put(configuration.seed)
        w.put(UInt64(n))
        w.put(loadEntry().map { UInt64($0.level) << 32 | UInt64($0.slot) } ?? Self.emptyEntry)
        w.put(UInt32(NodeStore.blockShift))
        w.put(UInt32(UpperLinkArena.chunkShift))
        w.put(UInt64(count))
        w.put(configuration.quantization.code)

        var sections: [IndexSnapshot.Section] = []
        let rowBytes = rowSizes
        var b = 0
        while b << NodeStore.blockShift < n {
            let block = store.block(b)
            let rows = min(NodeStore.blockSize, n - (b << NodeStore.blockShift))
            let pointers: [UnsafeRawPointer] = [
                UnsafeRawPointer(block.vectors), UnsafeRawPointer(block.links0), UnsafeRawPointer(block.labels),
                UnsafeRawPointer(block.meta), UnsafeRawPointer(block.upper),
            ]
            for (i, p) in pointers.enumerated() {
                sections.append(.init(kind: UInt32(i + 1), index: UInt32(b),
                                      bytes: UnsafeRawBufferPointer(start: p, count: rows * rowBytes[i])))
            }
            if let codes = block.codes {
                sections.append(.init(kind: SnapshotSectionKind.codes, index: UInt32(b),
                                      bytes: UnsafeRawBufferPointer(start: codes, count: rows * store.codeStride)))
            }
            b += 1
        }
        for (c, extent) in upper.usedExtents().enumerated() {
            sections.append(.init(kind: SnapshotSectionKind.upperArena, index: UInt32(c),
                                  bytes: UnsafeRawBufferPointer(start: extent.chunk, count: extent.words * 4)))
        }
        return try body(IndexSnapshot(metadata: w.bytes, sections: sections))
    }

    /// Bytes per slot of each block array, in section-kind order 1...5, then the code rows (kind 7, 0 without).
    var rowSizes: [Int] { [dimension * 4, (2 + maxLinks0) * 4, 8, 4, 4, store.codeStride] }

    /// Rebuilds an index from a snapshot's metadata and sections.
    ///
    /// Full blocks whose sections are page-aligned are adopted in place (no copy, no per-vector parsing) and
    /// `owner` — typically the memory-mapped checkpoint — is kept alive as long as the index; partial blocks and
    /// the upper arena are copied.
    ///
    /// `quantization` restores with another walk than the saved one: int8 codes are then encoded from the
    /// vectors (about a second per million 384-d vectors per core), or saved codes are left unused.
    /// - Throws: ``IndexError/corrupt(_:)`` when metadata or a section is missing or has the wrong size.
    public static func restore(
        metadata: [UInt8], owner: AnyObject?, quantization: VectorQuantization? = nil,
        section: (_ kind: UInt32, _ index: UInt32) -> UnsafeMutableRawBufferPointer?
    ) throws(IndexError) -> HNSWIndex {
        var r = ByteReader(metadata)
        let version: UInt32 = try r.get()
        guard version == 1 || version == IndexSnapshot.metadataVersion else {
            throw .corrupt("index metadata version \(version) is not supported (expected \(IndexSnapshot.metadataVersion))")
        }
        let dimension = Int(try r.get(UInt32.self))
        let metricCode: UInt8 = try r.get()
        _ = try r.get(UInt8.self); _ = try r.get(UInt8.self); _ = try r.get(UInt8.self)
        guard let metric = Metric(code: metricCode) else { throw .corrupt("unknown metric code \(metricCode)") }
        var config = IndexConfiguration(dimension: dimension, metric: metric)
        config.m = Int(try r.get(UInt32.self))
        config.efConstruction = Int(try r.get(UInt32.self))
        config.efSearch = Int(try r.get(UInt32.self))
        config.fullScanThreshold = Int(try r.get(UInt32.self))
        config.seed = try r.get()
        let n = Int(try r.get(UInt64.self))
        let entry: UInt64 = try r.get()
        let blockShift: UInt32 = try r.get()
        let chunkShift: UInt32 = try r.get()
        let live = Int(try r.get(UInt64.self))
        if version >= 2 {
            let code: UInt8 = try r.get()
            guard let quantization = VectorQuantization(code: code) else {
                throw .corrupt("unknown quantization code \(code)")
            }
            config.quantization = quantization
        }
        guard blockShift == NodeStore.blockShift, chunkShift == UpperLinkArena.chunkShift else {
            throw .corrupt("block shift \(blockShift)/\(chunkShift) differs from this build's")
        }
        let savedCodes = config.quantization == .int8
        if let quantization { config.quantization = quantization }
        let index: HNSWIndex
        do { index = try HNSWIndex(configuration: config) } catch { throw .corrupt("saved configuration: \(error)") }
        try index.adoptBlocks(slotCount: n, owner: owner, savedCodes: savedCodes, section: section)
        try index.adoptUpperArena(section: section)
        try index.rebuildLabels(slotCount: n, expectedLive: live)
        if entry != emptyEntry {
            let slot = UInt32(truncatingIfNeeded: entry)
            guard Int(slot) < n else { throw .corrupt("entry point \(slot) beyond \(n) slots") }
            index.storeEntry(Entry(slot: slot, level: Int(entry >> 32)))
        }
        return index
    }

    private func adoptBlocks(
        slotCount n: Int, owner: AnyObject?, savedCodes: Bool,
        section: (UInt32, UInt32) -> UnsafeMutableRawBufferPointer?
    ) throws(IndexError) {
        let sizes = rowSizes
        let wantsCodes = store.codeStride > 0
        var b = 0
        while b << NodeStore.blockShift < n {
            let rows = min(NodeStore.blockSize, n - (b << NodeStore.blockShift))
            var parts: [UnsafeMutableRawPointer] = []
            var alignedFull = rows == NodeStore.blockSize
            let kinds = wantsCodes && savedCodes ? Array(1...5) + [SnapshotSectionKind.codes] : Array(1...5)
            for (i, kind) in kinds.enumerated() {
                guard let s = section(UInt32(kind), UInt32(b)), let base = s.baseAddress else {
                    throw .corrupt("section kind \(kind) of block \(b) is missing")
                }
                guard s.count == rows * sizes[i] else {
                    throw .corrupt("section kind \(kind) of block \(b) has \(s.count) bytes, expected \(rows * sizes[i])")
                }
                if Int(bitPattern: base) % 4096 != 0 { alignedFull = false }
                parts.append(base)
            }
            if alignedFull {
                let encode = wantsCodes && !savedCodes
                let codes = encode ? store.allocateCodes() : parts.count > 5 ? parts[5] : nil
                if encode { encodeCodes(vectors: parts[0].assumingMemoryBound(to: Float.self), rows: rows, into: codes!) }
                store.adoptBlock(NodeBlock(
                    vectors: parts[0].assumingMemoryBound(to: Float.self),
                    links0: parts[1].assumingMemoryBound(to: UInt32.self),
                    labels: parts[2].assumingMemoryBound(to: UInt64.self),
                    meta: parts[3].assumingMemoryBound(to: UInt32.self),
                    upper: parts[4].assumingMemoryBound(to: UInt32.self),
                    codes: codes, owned: false, codesOwned: encode), owner: owner)
            } else {
                let block = store.allocateOwnedBlock()
                var targets: [UnsafeMutableRawPointer] = [
                    UnsafeMutableRawPointer(block.vectors), UnsafeMutableRawPointer(block.links0),
                    UnsafeMutableRawPointer(block.labels), UnsafeMutableRawPointer(block.meta),
                    UnsafeMutableRawPointer(block.upper),
                ]
                if let codes = block.codes { targets.append(codes) }
                for i in 0..<parts.count { targets[i].copyMemory(from: parts[i], byteCount: rows * sizes[i]) }
                if wantsCodes && !savedCodes, let codes = block.codes {
                    encodeCodes(vectors: block.vectors, rows: rows, into: codes)
                }
                store.adoptBlock(block, owner: nil)
            }
            b += 1
        }
    }

    /// Writes the code rows of `rows` vectors.
    private func encodeCodes(vectors: UnsafeMutablePointer<Float>, rows: Int, into codes: UnsafeMutableRawPointer) {
        let (dim, stride) = (dimension, store.codeStride)
        let source = Unchecked(UnsafePointer(vectors)), target = Unchecked(codes)
        let chunk = 4_096
        DispatchQueue.concurrentPerform(iterations: (rows + chunk - 1) / chunk) { c in
            for r in (c * chunk)..<min(rows, (c + 1) * chunk) {
                cairn_i8_encode(source.value + r * dim, dim, target.value + r * stride)
            }
        }
    }

    private func adoptUpperArena(section: (UInt32, UInt32) -> UnsafeMutableRawBufferPointer?) throws(IndexError) {
        var extents: [UnsafeRawBufferPointer] = []
        var c: UInt32 = 0
        while let s = section(SnapshotSectionKind.upperArena, c) {
            guard s.count % 4 == 0, s.count <= UpperLinkArena.chunkWords * 4 else {
                throw .corrupt("upper arena chunk \(c) has \(s.count) bytes")
            }
            extents.append(UnsafeRawBufferPointer(s))
            c += 1
        }
        upper.restore(extents)
    }

    private func rebuildLabels(slotCount n: Int, expectedLive: Int) throws(IndexError) {
        let result: Result<Int, IndexError> = labels.withLock { t in
            t.slotOf.reserveCapacity(expectedLive)
            t.nextSlot = n
            var deleted = 0
            for s in 0..<n {
                let slot = UInt32(s)
                let meta = store.meta(slot)
                if meta & NodeFlags.deleted != 0 { deleted += 1; continue }
                let label = store.labelPointer(slot).pointee
                if let other = t.slotOf.updateValue(slot, forKey: label) {
                    return .failure(.corrupt("label \(label) is live in slots \(other) and \(s)"))
                }
            }
            return .success(deleted)
        }
        let deleted = try result.get()
        guard n - deleted == expectedLive else {
            throw .corrupt("metadata says \(expectedLive) live vectors, sections hold \(n - deleted)")
        }
        deletedNodes.store(deleted, ordering: .relaxed)
    }
}
