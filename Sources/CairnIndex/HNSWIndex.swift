internal import CCairnKernels
import CairnVectorMath
import Foundation
import Synchronization

/// An in-memory HNSW graph (Malkov & Yashunin) over float32 vectors, keyed by external `UInt64` labels.
///
/// Thread-safe: inserts run concurrently on all cores, and searches run concurrently with inserts without a
/// global lock (neighbour lists are read under per-list sequence locks). Labels are Cairn's chunk ids;
/// inserting an existing label replaces its vector (upsert); removed labels are never returned.
///
/// ```swift
/// let index = try HNSWIndex(configuration: IndexConfiguration(dimension: 384, metric: .cosine).validated())
/// try index.insert(label: 42, vector: embedding)
/// let result = try index.search(query, options: SearchOptions(k: 10))
/// for hit in result.hits { print(hit.label, hit.similarity) }
/// ```
///
/// Layout follows hnswlib: dense internal `UInt32` slots apart from labels, a fixed-stride layer-0 arena
/// (see ``NodeStore``), sparse upper layers (``UpperLinkArena``), deletes as a mark bit.
public final class HNSWIndex: @unchecked Sendable {
    /// The validated settings.
    public let configuration: IndexConfiguration
    let store: NodeStore
    let upper: UpperLinkArena
    let kernel: DistanceKernel
    let dimension: Int
    let m: Int
    /// Links a new node picks on layer 0 (``IndexConfiguration/newLinks0``).
    let newLinks0: Int
    let maxLinks0: Int
    /// Words per upper-layer list: sequence, count and `m` ids.
    let upperStride: Int
    let levelMultiplier: Double
    /// Packed entry point: `level << 32 | slot`, or `emptyEntry`.
    let entryWord: UnsafeMutablePointer<UInt64>
    static let emptyEntry = UInt64.max
    /// Serialises insertions that raise the top layer.
    let entryLock = Mutex(())
    let labels = Mutex(LabelTable())
    /// A number no other index of this process has (a memo of resolved labels is tied to it, not to an
    /// address a later index could reuse).
    let instance = HNSWIndex.instances.wrappingAdd(1, ordering: .relaxed).oldValue
    static let instances = Atomic<UInt64>(1)
    let scratchPool: ScratchPool

    /// Slots in use and label → slot mapping, guarded by `labels`.
    struct LabelTable {
        var slotOf: [UInt64: UInt32] = [:]
        var nextSlot: Int = 0
        /// Moves on every change of ``slotOf``, so resolved label sets know when to resolve again.
        var version: UInt64 = 0
    }

    /// Removed nodes not yet compacted away; an atomic so that searches read it without a lock.
    let deletedNodes = Atomic<Int>(0)

    /// Creates an empty index.
    /// - Throws: ``IndexError/invalidConfiguration(_:)`` naming the bad setting.
    public init(configuration: IndexConfiguration) throws(IndexError) {
        let config = try configuration.validated()
        self.configuration = config
        dimension = config.dimension
        m = config.m
        newLinks0 = config.newLinks0
        maxLinks0 = config.maxLinks0
        upperStride = 2 + config.m
        levelMultiplier = 1 / log(Double(config.m))
        kernel = DistanceKernel(metric: config.metric, dimension: config.dimension)
        store = NodeStore(dimension: config.dimension, maxLinks0: config.maxLinks0, quantization: config.quantization)
        upper = UpperLinkArena()
        entryWord = .allocate(capacity: 1)
        entryWord.initialize(to: Self.emptyEntry)
        let (links, dim, store) = (config.maxLinks0, config.dimension, store)
        scratchPool = ScratchPool { SearchScratch(maxLinks: links, capacity: store.capacity, dimension: dim) }
    }

    deinit { entryWord.deallocate() }

    /// Number of live (not removed) vectors.
    public var count: Int { labels.withLock { $0.slotOf.count } }

    /// Slots ever used, including removed ones not yet compacted away.
    public var slotCount: Int { labels.withLock { $0.nextSlot } }

    /// Removed vectors whose slots a compaction would reclaim.
    public var deletedCount: Int { deletedNodes.load(ordering: .relaxed) }

    /// Whether `label` is present.
    public func contains(_ label: UInt64) -> Bool { labels.withLock { $0.slotOf[label] != nil } }

    /// The stored vector of `label` (normalised under cosine), or nil.
    public func vector(for label: UInt64) -> [Float]? {
        guard let slot = labels.withLock({ $0.slotOf[label] }) else { return nil }
        return Array(UnsafeBufferPointer(start: store.vector(slot), count: dimension))
    }

    /// Every live label, in slot order.
    public func allLabels() -> [UInt64] {
        let n = slotCount
        var out: [UInt64] = []
        out.reserveCapacity(count)
        for s in 0..<n where store.meta(UInt32(s)) & NodeFlags.deleted == 0 {
            out.append(store.labelPointer(UInt32(s)).pointee)
        }
        return out
    }

    // MARK: Writes

    /// Inserts `vector` under `label`, replacing any vector the label had (upsert).
    /// - Throws: ``IndexError/dimensionMismatch(expected:got:)`` or ``IndexError/invalidVector(_:)``.
    public func insert(label: UInt64, vector: UnsafeBufferPointer<Float>) throws(IndexError) {
        guard vector.count == dimension else { throw .dimensionMismatch(expected: dimension, got: vector.count) }
        for x in vector where !x.isFinite { throw .invalidVector("label \(label) has a non-finite value") }
        let slot = try reserveSlot(for: label)
        let v = store.vector(slot)
        v.update(from: vector.baseAddress!, count: dimension)
        if configuration.metric.normalizes, normalize(v, count: dimension) == 0 {
            // A zero vector has no direction; keep it searchable (distance 1 to everything) rather than fail late.
        }
        if store.codeStride > 0 { cairn_i8_encode(v, dimension, store.codes(slot)) }
        store.labelPointer(slot).pointee = label
        let level = level(for: slot)
        if level > 0 {
            let words = level * upperStride
            store.upperPointer(slot).pointee = upper.allocate(words: words)
        }
        cairn_atomic_store_u32(store.metaPointer(slot), UInt32(level) | NodeFlags.present)
        link(slot: slot, level: level)
    }

    /// Inserts `vector` under `label` (see ``insert(label:vector:)-(_,UnsafeBufferPointer<Float>)``).
    public func insert(label: UInt64, vector: [Float]) throws(IndexError) {
        try vector.withUnsafeBufferPointer { (buf) throws(IndexError) in try insert(label: label, vector: buf) }
    }

    /// Inserts many vectors using `threads` threads (all cores by default).
    /// - Parameter vectors: row-major, `labels.count × dimension` floats.
    public func insert(labels batch: [UInt64], vectors: [Float], threads: Int = 0) throws(IndexError) {
        guard vectors.count == batch.count * dimension else {
            throw .dimensionMismatch(expected: dimension, got: batch.isEmpty ? 0 : vectors.count / batch.count)
        }
        let workers = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        let next = Atomic<Int>(0)
        let failure = Mutex<IndexError?>(nil)
        let dim = dimension
        vectors.withUnsafeBufferPointer { buffer in
            let all = Unchecked(buffer)
            DispatchQueue.concurrentPerform(iterations: max(1, min(workers, batch.count))) { _ in
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if i >= batch.count { return }
                    let row = UnsafeBufferPointer(rebasing: all.value[i * dim..<(i + 1) * dim])
                    do throws(IndexError) { try insert(label: batch[i], vector: row) } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                    }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Removes `label`; returns whether it was present. Its node keeps routing searches until compaction.
    @discardableResult
    public func remove(label: UInt64) -> Bool {
        guard let slot = labels.withLock({ t -> UInt32? in
            t.version &+= 1
            return t.slotOf.removeValue(forKey: label)
        }) else { return false }
        deletedNodes.add(1, ordering: .relaxed)
        cairn_atomic_or_u32(store.metaPointer(slot), NodeFlags.deleted)
        return true
    }

    private func reserveSlot(for label: UInt64) throws(IndexError) -> UInt32 {
        let result: Result<(UInt32, UInt32?), IndexError> = labels.withLock { t in
            guard t.nextSlot < Int(Int32.max) else { return .failure(.capacityExceeded(t.nextSlot)) }
            let slot = UInt32(t.nextSlot)
            t.nextSlot += 1
            t.version &+= 1
            return .success((slot, t.slotOf.updateValue(slot, forKey: label)))
        }
        let (slot, old) = try result.get()
        store.ensureCapacity(for: Int(slot))
        if let old {
            cairn_atomic_or_u32(store.metaPointer(old), NodeFlags.deleted)
            deletedNodes.add(1, ordering: .relaxed)
        }
        return slot
    }

    /// The top layer of a new node: `floor(-ln(u) / ln(m))`, with `u` derived from the slot and the seed so that
    /// builds are reproducible.
    func level(for slot: UInt32) -> Int {
        var z = configuration.seed &+ UInt64(slot) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let u = (Double(z >> 11) + 1) * 0x1p-53
        return min(Int(-log(u) * levelMultiplier), 30)
    }

    // MARK: Entry point

    struct Entry {
        var slot: UInt32
        var level: Int
    }

    @inline(__always) func loadEntry() -> Entry? {
        let w = cairn_atomic_load_u64(entryWord)
        if w == Self.emptyEntry { return nil }
        return Entry(slot: UInt32(truncatingIfNeeded: w), level: Int(w >> 32))
    }

    func storeEntry(_ e: Entry) {
        cairn_atomic_store_u64(entryWord, UInt64(e.level) << 32 | UInt64(e.slot))
    }

    /// The neighbour list of `slot` on `layer` (sequence word, count, ids).
    @inline(__always) func list(_ slot: UInt32, _ layer: Int) -> UnsafeMutablePointer<UInt32> {
        if layer == 0 { return store.links0(slot) }
        return upper.pointer(store.upperPointer(slot).pointee + UInt32((layer - 1) * upperStride))
    }

    @inline(__always) func nodeLevel(_ slot: UInt32) -> Int { Int(store.meta(slot) & NodeFlags.levelMask) }
}
