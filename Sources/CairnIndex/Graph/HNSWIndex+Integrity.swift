internal import CCairnKernels
import Synchronization

/// What ``HNSWIndex/checkIntegrity()`` found.
public struct IntegrityReport: Sendable, Equatable {
    /// Slots in use.
    public var nodes: Int
    /// Live labels.
    public var live: Int
    /// Removed nodes awaiting compaction.
    public var deleted: Int
    /// Links on all layers.
    public var edges: Int
    /// Nodes not reachable from the entry point on layer 0.
    public var unreachable: Int
}

extension HNSWIndex {
    /// Walks the whole graph and throws ``IndexError/corrupt(_:)`` on a self-link, a dangling or duplicate
    /// neighbour, an over-full list, a link to a node absent from that layer, or a label table that disagrees
    /// with the stored labels. Call it with no concurrent writers.
    @discardableResult
    public func checkIntegrity() throws(IndexError) -> IntegrityReport {
        let (table, n) = labels.withLock { ($0.slotOf, $0.nextSlot) }
        var edges = 0
        var deleted = 0
        var ids = [UInt32](repeating: 0, count: max(maxLinks0, m))
        for s in 0..<n {
            let slot = UInt32(s)
            let meta = store.meta(slot)
            guard meta & NodeFlags.present != 0 else { throw .corrupt("slot \(s) was never written") }
            let label = store.labelPointer(slot).pointee
            if meta & NodeFlags.deleted != 0 {
                deleted += 1
                if table[label] == slot { throw .corrupt("removed slot \(s) still maps label \(label)") }
            } else if table[label] != slot {
                throw .corrupt("live slot \(s) has label \(label), which maps to \(String(describing: table[label]))")
            }
            let level = Int(meta & NodeFlags.levelMask)
            for layer in 0...level {
                let cap = layer == 0 ? maxLinks0 : m
                let l = list(slot, layer)
                guard l[1] <= UInt32(cap) else { throw .corrupt("slot \(s) layer \(layer): \(l[1]) links > \(cap)") }
                let c = ids.withUnsafeMutableBufferPointer { Int(cairn_links_read(l, $0.baseAddress, UInt32(cap))) }
                var seen = Set<UInt32>()
                for i in 0..<c {
                    let t = ids[i]
                    if t == slot { throw .corrupt("slot \(s) layer \(layer) links to itself") }
                    if Int(t) >= n { throw .corrupt("slot \(s) layer \(layer) links to missing slot \(t)") }
                    if !seen.insert(t).inserted { throw .corrupt("slot \(s) layer \(layer) lists \(t) twice") }
                    if nodeLevel(t) < layer {
                        throw .corrupt("slot \(s) layer \(layer) links to slot \(t), which tops out at \(nodeLevel(t))")
                    }
                }
                edges += c
            }
        }
        guard deleted + table.count == n else {
            throw .corrupt("\(n) slots but \(table.count) live labels and \(deleted) removed")
        }
        return IntegrityReport(nodes: n, live: table.count, deleted: deleted, edges: edges,
                               unreachable: n - reachableCount(n))
    }

    /// Nodes reachable from the entry point over layer-0 links (breadth-first).
    private func reachableCount(_ n: Int) -> Int {
        guard let entry = loadEntry(), n > 0 else { return 0 }
        var seen = [Bool](repeating: false, count: n)
        var queue = [entry.slot]
        seen[Int(entry.slot)] = true
        var ids = [UInt32](repeating: 0, count: maxLinks0)
        var head = 0
        while head < queue.count {
            let s = queue[head]
            head += 1
            let c = ids.withUnsafeMutableBufferPointer {
                Int(cairn_links_read(list(s, 0), $0.baseAddress, UInt32(maxLinks0)))
            }
            for i in 0..<c where !seen[Int(ids[i])] {
                seen[Int(ids[i])] = true
                queue.append(ids[i])
            }
        }
        return queue.count
    }
}
