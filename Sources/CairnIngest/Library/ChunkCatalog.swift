import CairnSQL
public import CairnIndex
import Synchronization

/// The filterable fields and chunk labels of every completed material, in memory, so that a search turns its
/// filter into the allowed set of chunk labels without a query to the store.
///
/// A tenant's search is restricted *inside* the index: the filter's labels are the set the index scans
/// exactly (up to its full-scan threshold) or admits during the graph walk, never a post-filter of results.
/// Building that set from this catalog takes microseconds per material, where the equivalent SQL over a
/// large tenant took milliseconds on every query.
///
/// **Consistency.** ``MaterialLibrary`` loads the catalog when it opens and refreshes the materials each
/// commit or delete touches, after the store and the index have both changed, so the catalog never admits a
/// chunk before it is searchable. While an update of a material is being embedded, the catalog keeps its
/// previous version (the store marks it `processing`), so a re-upload does not make a material vanish from
/// its tenant's searches until the new version is committed. At rest it agrees with ``ChunkFilter``'s SQL,
/// which the tests check.
public final class ChunkCatalog: Sendable {
    /// One material's filterable fields and its chunks' labels.
    struct Entry: Sendable {
        var owner: String
        var externalID: String?
        var topic: String?
        var tags: Set<String>
        var language: String?
        var contentType: String?
        var licenseType: String?
        var labels: [UInt64]

        func reading(_ attribute: MaterialAttribute, id: MaterialID) -> AttributeReading {
            switch attribute {
            case .materialID: .number(Double(id.rawValue))
            case .externalID: .text(externalID)
            case .owner: .text(owner)
            case .topic: .text(topic)
            case .tags: .set(tags)
            case .language: .text(language)
            case .contentType: .text(contentType)
            case .licenseType: .text(licenseType)
            }
        }
    }

    struct State: Sendable {
        var materials: [MaterialID: Entry] = [:]
        /// Keyed by the UTF-8 bytes: two tenants whose names differ in bytes are two tenants, even when Swift's
        /// `==` (canonical equivalence) would call them equal — as the store does.
        var byOwner: [[UInt8]: Set<MaterialID>] = [:]
        var byExternalID: [[UInt8]: Set<MaterialID>] = [:]
        var chunks = 0
        /// Answers to recent filters, valid until the catalog next changes (a coach's tenant filter repeats
        /// on every request: its set is built once per change instead of once per request).
        var answers: [ChunkFilter: AllowedLabels] = [:]
    }

    /// Filters whose answers are kept at most.
    static let answersKept = 256

    let state = Mutex(State())

    init() {}

    /// Completed materials in the catalog.
    public var materialCount: Int { state.withLock { $0.materials.count } }
    /// Chunks of completed materials in the catalog.
    public var chunkCount: Int { state.withLock { $0.chunks } }

    /// Every owner (tenant) with a completed material, and how many chunks its completed materials have.
    public func owners() -> [(owner: String, chunks: Int)] {
        state.withLock { s in
            s.byOwner.values.compactMap { ids -> (String, Int)? in
                guard let first = ids.first, let owner = s.materials[first]?.owner else { return nil }
                return (owner, ids.reduce(0) { $0 + (s.materials[$1]?.labels.count ?? 0) })
            }
        }
    }

    /// Whether `owner` has a completed material.
    public func hasOwner(_ owner: String) -> Bool {
        state.withLock { $0.byOwner[Array(owner.utf8)] != nil }
    }

    /// Reads every completed material from `store`, replacing the catalog's content.
    /// - Returns: the id of every chunk in the store (any status), ascending, read in the same pass, for
    ///   reconciliation.
    @discardableResult
    func load(from store: MaterialStore) throws(IngestError) -> [ChunkID] {
        var all: [ChunkID] = []
        let entries = try Self.read(store: store, ids: nil, allChunks: &all)
        replace(with: entries)
        all.sort()
        return all
    }

    /// Replaces the catalog's content with `entries`.
    func replace(with entries: [MaterialID: Entry]) {
        state.withLock { s in
            s = State()
            for (id, entry) in entries { Self.put(id, entry, into: &s) }
        }
    }

    /// Re-reads `ids` from the store: completed ones are (re)placed, others removed.
    func refresh(_ ids: [MaterialID], from store: MaterialStore) throws(IngestError) {
        guard !ids.isEmpty else { return }
        var all: [ChunkID] = []
        let entries = try Self.read(store: store, ids: ids, allChunks: &all)
        state.withLock { s in
            for id in ids {
                Self.remove(id, from: &s)
                if let entry = entries[id] { Self.put(id, entry, into: &s) }
            }
        }
    }

    /// Drops a material.
    func remove(_ id: MaterialID) {
        state.withLock { Self.remove(id, from: &$0) }
    }

    /// The labels of the chunks `filter` allows (only completed materials' chunks pass a filter).
    public func labels(matching filter: ChunkFilter) -> Set<UInt64> {
        allowed(matching: filter).labels
    }

    /// The chunks `filter` allows as a set the index can reuse (the same object until the catalog changes).
    public func allowed(matching filter: ChunkFilter) -> AllowedLabels {
        state.withLock { s in
            if let known = s.answers[filter] { return known }
            let allowed = AllowedLabels(Self.compute(filter, in: s))
            if s.answers.count >= Self.answersKept { s.answers.removeAll(keepingCapacity: true) }
            s.answers[filter] = allowed
            return allowed
        }
    }

    private static func compute(_ filter: ChunkFilter, in s: State) -> Set<UInt64> {
        var candidates: [MaterialID]
        if let ids = filter.materialIDs {
            candidates = ids
        } else if let owner = filter.owner {
            candidates = Array(s.byOwner[Array(owner.utf8)] ?? [])
        } else if let external = filter.externalIDs {
            candidates = external.flatMap { s.byExternalID[Array($0.utf8)] ?? [] }
        } else {
            candidates = Array(s.materials.keys)
        }
        // Compared by their UTF-8 bytes, as the store's SQL compares them.
        func same(_ a: String?, _ b: String) -> Bool { a?.utf8.elementsEqual(b.utf8) ?? false }
        let externalIDs = filter.externalIDs.map { Set($0.map { Array($0.utf8) }) }
        let tagsAll = Set(filter.tags.map { Array($0.utf8) })
        let tagsAny = filter.tagsAny.map { Set($0.map { Array($0.utf8) }) }
        var labels = Set<UInt64>()
        var seen = Set<MaterialID>()
        for id in candidates where seen.insert(id).inserted {
            guard let e = s.materials[id] else { continue }
            if let owner = filter.owner, !same(e.owner, owner) { continue }
            if let externalIDs, !(e.externalID.map { externalIDs.contains(Array($0.utf8)) } ?? false) { continue }
            if let topic = filter.topic, !same(e.topic, topic) { continue }
            if !tagsAll.isEmpty || tagsAny != nil {
                let tags = Set(e.tags.map { Array($0.utf8) })
                if !tagsAll.isSubset(of: tags) { continue }
                if let tagsAny, tagsAny.isDisjoint(with: tags) { continue }
            }
            if let language = filter.language, !same(e.language, language) { continue }
            if let contentType = filter.contentType, !same(e.contentType, contentType) { continue }
            if let licenseType = filter.licenseType, !same(e.licenseType, licenseType) { continue }
            if let predicate = filter.attributes, !predicate.matches({ e.reading($0, id: id) }) { continue }
            labels.formUnion(e.labels)
        }
        return labels
    }

    private static func put(_ id: MaterialID, _ entry: Entry, into s: inout State) {
        s.answers.removeAll()
        s.materials[id] = entry
        s.byOwner[Array(entry.owner.utf8), default: []].insert(id)
        if let external = entry.externalID { s.byExternalID[Array(external.utf8), default: []].insert(id) }
        s.chunks += entry.labels.count
    }

    private static func remove(_ id: MaterialID, from s: inout State) {
        guard let old = s.materials.removeValue(forKey: id) else { return }
        s.answers.removeAll()
        let owner = Array(old.owner.utf8)
        s.byOwner[owner]?.remove(id)
        if s.byOwner[owner]?.isEmpty == true { s.byOwner[owner] = nil }
        if let external = old.externalID.map({ Array($0.utf8) }) {
            s.byExternalID[external]?.remove(id)
            if s.byExternalID[external]?.isEmpty == true { s.byExternalID[external] = nil }
        }
        s.chunks -= old.labels.count
    }

    /// Completed materials (all, or those of `ids`) with their chunk labels, read through the store's reader.
    static func read(store: MaterialStore, ids: [MaterialID]?, allChunks: inout [ChunkID])
        throws(IngestError) -> [MaterialID: Entry]
    {
        do {
            let db = store.reader
            var entries: [MaterialID: Entry] = [:]
            let scope = ids.map { "AND m.id IN (\($0.map { _ in "?" }.joined(separator: ",")))" } ?? ""
            let bindings = ids?.map { SQLValue.integer($0.rawValue) } ?? []
            for row in try db.query(
                """
                SELECT m.id, m.owner, m.external_id, m.topic, m.tags, m.language, p.content_type, p.license_type
                FROM materials m LEFT JOIN provenance p ON p.material_id = m.id
                WHERE m.status = 'completed' \(scope)
                """, bindings)
            {
                entries[MaterialID(rawValue: try row.get(0))] = Entry(
                    owner: try row.get(1), externalID: try row.get(2), topic: try row.get(3),
                    tags: Set(MaterialStore.stringArray(try row.get(4))), language: try row.get(5),
                    contentType: try row.get(6), licenseType: try row.get(7), labels: [])
            }
            let chunkScope = ids.map { "WHERE material_id IN (\($0.map { _ in "?" }.joined(separator: ",")))" } ?? ""
            for row in try db.query("SELECT material_id, id FROM material_chunks \(chunkScope)", bindings) {
                let id = MaterialID(rawValue: try row.get(0))
                let chunk: Int64 = try row.get(1)
                allChunks.append(ChunkID(rawValue: chunk))
                if entries[id] != nil { entries[id]!.labels.append(UInt64(chunk)) }
            }
            return entries
        } catch {
            throw IngestError(.storage, "reading the material catalog: \(error)")
        }
    }
}
