import Logging
public import CairnIngest
import CairnEmbedding
import Foundation

/// One file of an upload, spooled and synced, with the metadata the upload gave it.
public struct UploadedFile: Sendable, Hashable {
    /// The spooled bytes.
    public var path: String
    /// The file's name as uploaded.
    public var filename: String
    public var size: Int
    public var sha256: String
    public var metadata: MaterialMetadata
    /// What makes a later upload the same material (default `upload/<filename>`).
    public var sourceKey: String?

    public init(path: String, filename: String, size: Int, sha256: String, metadata: MaterialMetadata,
                sourceKey: String? = nil) {
        self.path = path
        self.filename = filename
        self.size = size
        self.sha256 = sha256
        self.metadata = metadata
        self.sourceKey = sourceKey
    }
}

/// What an upload or bulk request queued.
public struct IngestReceipt: Sendable, Hashable {
    /// How one file was taken.
    public enum FileStatus: String, Sendable, Hashable {
        /// It will be processed by the job.
        case queued
        /// The owner already has this content; the job will skip it.
        case unchanged
        /// Not a format Cairn reads; not queued.
        case rejected
    }

    public struct File: Sendable, Hashable {
        public var filename: String
        public var status: FileStatus
        /// The material the file becomes (documents); nil for record files (one material per record, listed
        /// by the job as they are created) and rejected files.
        public var materialID: MaterialID?
        public var size: Int?
        public var sha256: String?
        public var reason: String?
    }

    public var job: IngestJob
    public var files: [File]
}

extension CairnService {
    /// A new spool directory for an upload's files.
    public func newUploadDirectory() throws(ServiceError) -> String {
        try parts().spool.newDirectory()
    }

    /// Forgets an upload that will not be submitted (its body was refused half-way).
    public func discardUpload(_ directory: String) {
        (try? parts())?.spool.remove(directory)
    }

    /// Queues an upload whose files are spooled and synced in `directory` (admins only). Before returning, the
    /// job, its files and the pending materials the files become are committed, so the work survives a crash.
    /// - Throws: `.unprocessable` when no file is in a format Cairn reads; `.overloaded` when the queue is full.
    public func submitUpload(_ files: [UploadedFile], directory: String, as identity: Identity) throws(ServiceError)
        -> IngestReceipt
    {
        let parts = try parts()
        try require(.admin, identity)
        guard !files.isEmpty else { throw ServiceError(.invalid, "the upload holds no file", field: "file") }
        var names = Set<String>()
        for file in files where !names.insert(file.filename).inserted {
            throw ServiceError(.invalid, "two files of the upload are named \(file.filename); each name (its source "
                + "key, upload/<name>) is one material", field: "file")
        }
        try parts.queue.checkCapacity()
        try Spool.syncDirectory(directory)
        var receipt: [IngestReceipt.File] = []
        var queued: [IngestJobFile] = []
        var types: [Int: MaterialFileType] = [:]
        for file in files {
            let head = Self.head(of: file.path)
            guard let type = MaterialFileType.detect(filename: file.filename, head: head) else {
                receipt.append(.init(filename: file.filename, status: .rejected, materialID: nil, size: file.size,
                                     sha256: file.sha256, reason: "\(file.filename): not a format Cairn reads (text, "
                                         + "Markdown, HTML, PDF, JSON, JSONL, CSV)"))
                continue
            }
            types[queued.count] = type
            queued.append(IngestJobFile(position: queued.count, path: file.path, displayName: file.filename,
                                        sourceKey: file.sourceKey ?? "upload/\(file.filename)", metadata: file.metadata,
                                        fileSize: file.size, contentSHA256: file.sha256))
            receipt.append(.init(filename: file.filename, status: .queued, materialID: nil, size: file.size,
                                 sha256: file.sha256, reason: nil))
        }
        guard !queued.isEmpty else {
            throw ServiceError(.unprocessable, receipt.first?.reason ?? "no file could be read", field: "file")
        }
        // A record may name its own owner: a job with record files belongs to no single tenant.
        let owners = Set(queued.map { $0.metadata.owner ?? Self.defaultOwner })
        let owner = owners.count == 1 && !types.values.contains(where: \.holdsRecords) ? TenantID(owners.first!) : nil
        let store = parts.library.store
        var unchanged = Set<Int>()
        let (job, stored) = try parts.jobs.insert(
            kind: .upload, owner: owner, keyID: identity.keyID, spoolDirectory: directory, files: queued
        ) { files in
            try files.map { file -> IngestJobFile in
                var file = file
                guard let type = types[file.position], !type.holdsRecords else { return file }
                let owner = file.metadata.owner ?? Self.defaultOwner
                if let done = try store.completedMaterial(owner: owner, sha256: file.contentSHA256 ?? "") {
                    file.materialID = done.id
                    unchanged.insert(file.position)
                } else if let existing = try store.material(owner: owner, sourceKey: file.sourceKey ?? "") {
                    file.materialID = existing.id
                } else if let sha = file.contentSHA256,
                          let queued = try store.unfinishedMaterial(owner: owner, sha256: sha) {
                    // The same content is already queued under another name: the file becomes that material.
                    // (A pending row of its own would be removed as a duplicate once the first is committed,
                    // and the id this receipt gives out would then be gone.)
                    file.materialID = queued.id
                } else {
                    file.materialID = try store.createPendingMaterial(Self.draft(for: file, type: type, owner: owner))
                }
                return file
            }
        }
        var index = 0
        for r in receipt.indices where receipt[r].status == .queued {
            receipt[r].materialID = stored[index].materialID
            if unchanged.contains(index) { receipt[r].status = .unchanged }
            index += 1
        }
        // Committed: from here nothing may fail, or the caller would discard the spooled files of a queued job.
        parts.queue.notify()
        logger.info("upload queued", metadata: ["job_id": "\(job.id)", "files": "\(stored.count)", "key_id": "\(identity.keyID)"])
        return IngestReceipt(job: job, files: receipt)
    }

    /// Queues a bulk job over server-side files (admins only). Every path must lie under a configured bulk
    /// root once symbolic links and `..` are resolved.
    /// - Parameters:
    ///   - paths: files and directories (walked recursively with `include`/`exclude`).
    ///   - manifest: a JSONL, CSV or JSON manifest on the server listing files with per-file metadata.
    ///   - entries: manifest entries given inline.
    ///   - defaults: metadata for files that set none of their own.
    /// - Throws: `.forbidden` naming a path outside the roots; `.unprocessable` when no file was found.
    public func submitBulk(paths: [String], manifest: String?, entries: [ManifestEntry], include: [Glob],
                           exclude: [Glob], defaults: MaterialMetadata, as identity: Identity)
        throws(ServiceError) -> (IngestReceipt, [BulkJobError])
    {
        let parts = try parts()
        try require(.admin, identity)
        guard !configuration.bulkRoots.isEmpty else {
            throw ServiceError(.forbidden, "bulk jobs are off: no bulk_roots are configured (start the server with "
                + "--bulk-root DIR, CAIRN_BULK_ROOTS or bulk_roots in the configuration file)")
        }
        for (i, path) in paths.enumerated() { try checkRoot(path, field: "paths[\(i)]") }
        if let manifest { try checkRoot(manifest, field: "manifest_path") }
        var inputs: [IngestInput] = []
        var problems: [BulkJobError] = []
        let walk = FileWalker.walk(paths, options: FileWalker.Options(include: include, exclude: exclude))
        // A walked directory may hold links that lead out of the roots: those files are left out here, and the
        // job checks every file again when it opens it.
        for file in walk.files {
            if PathRoots.contains(configuration.bulkRoots, file.path) {
                inputs.append(IngestInput(path: file.path))
            } else {
                problems.append(BulkJobError(path: file.path, reason: "outside the bulk roots once links are resolved"))
            }
        }
        problems += walk.errors.map { BulkJobError(path: "", reason: $0.message) }
        var listed = entries
        if let manifest {
            do {
                let read = try Manifest.read(path: manifest)
                listed += read.entries
                problems += read.errors.map { BulkJobError(path: manifest, reason: $0.message) }
            } catch {
                throw ServiceError(.unprocessable, error.message, field: "manifest_path")
            }
        }
        for (i, entry) in listed.enumerated() {
            try checkRoot(entry.path, field: manifest == nil ? "entries[\(i)].path" : "manifest_path")
            inputs.append(IngestInput(path: entry.path, metadata: entry.metadata))
        }
        guard !inputs.isEmpty else {
            if walk.files.isEmpty {
                throw ServiceError(.unprocessable, "no files found" + (problems.first.map { ": \($0.reason)" } ?? ""),
                                   field: paths.isEmpty ? "entries" : "paths")
            }
            throw ServiceError(.forbidden, "every file found is outside the bulk roots once links are resolved",
                               field: "paths")
        }
        try parts.queue.checkCapacity()
        let files = inputs.sorted { $0.path < $1.path }.enumerated().map { i, input in
            IngestJobFile(position: i, path: input.path, displayName: (input.path as NSString).lastPathComponent,
                          sourceKey: nil, metadata: input.metadata.filled(from: defaults))
        }
        let owners = Set(files.map { $0.metadata.owner ?? Self.defaultOwner })
        let records = files.contains { MaterialFileType.detect(filename: $0.displayName, head: [])?.holdsRecords ?? true }
        let (job, _) = try parts.jobs.insert(kind: .bulk, owner: owners.count == 1 && !records ? TenantID(owners.first!) : nil,
                                             keyID: identity.keyID, spoolDirectory: nil, files: files) { $0 }
        parts.queue.notify()
        logger.info("bulk job queued", metadata: ["job_id": "\(job.id)", "files": "\(files.count)"])
        let receipt = IngestReceipt(job: job, files: files.map {
            .init(filename: $0.path, status: .queued, materialID: nil, size: nil, sha256: nil, reason: nil)
        })
        return (receipt, problems)
    }

    /// A job with its progress, tallies, errors and materials, if `identity` may see it.
    public func job(_ id: IngestJobID, as identity: Identity) throws(ServiceError) -> IngestJobReport {
        let parts = try parts()
        guard let job = try parts.jobs.job(id),
              identity.role == .admin || (job.owner != nil && job.owner == identity.tenant)
        else { throw ServiceError(.notFound, "no job \(id)", field: "id") }
        let runs = try parts.jobs.runs(of: id)
        var counts = BulkCounts()
        counts.filesTotal = job.filesTotal
        var earlierWork = 0
        var report = IngestJobReport(job: job, filesDone: 0, chunksDone: 0, chunksKnown: 0, counts: counts, errors: [],
                                     materialIDs: [])
        for (i, run) in runs.enumerated() {
            var c = run.counts
            if i == runs.count - 1, let live = parts.queue.liveProgress(id), live.job == run.bulkJob {
                c = live.counts
                report.filesDone = live.filesDone
                report.chunksDone = live.chunksDone
                report.chunksKnown = live.chunksKnown
            }
            report.counts.added += c.added
            report.counts.updated += c.updated
            report.counts.chunks += c.chunks
            if i == runs.count - 1 {
                // A resumed run sees what the earlier runs committed as unchanged: that work was this job's.
                report.counts.unchanged = max(0, c.unchanged - earlierWork)
                report.counts.failed = c.failed
            }
            earlierWork += c.added + c.updated
        }
        if job.status.isFinished {
            report.filesDone = job.filesTotal
            report.chunksDone = report.counts.chunks
            report.chunksKnown = report.counts.chunks
        }
        do {
            let files = try parts.jobs.fileNames(of: id)
            if let last = runs.last {
                // An upload's errors name the file as uploaded, not its spool path; a bulk job's keep the path.
                let names = job.kind == .upload
                    ? Dictionary(files.map { ($0.path, $0.displayName) }, uniquingKeysWith: { a, _ in a }) : [:]
                report.errors = try parts.library.store.bulkErrors(job: last.bulkJob).map { error in
                    var error = error
                    for (path, name) in names where error.path == path || error.path.hasPrefix(path + ":") {
                        error.path = name + error.path.dropFirst(path.count)
                    }
                    return error
                }
            }
            let processed = try parts.library.store.materials(processedBy: runs.map(\.bulkJob))
            var ids = Array(Set(files.compactMap(\.materialID) + processed)).sorted()
            if identity.role != .admin {
                let visible = try parts.library.store.materials(ids: ids)
                ids = ids.filter { visible[$0].map { identity.canSee(owner: $0.owner) } ?? false }
            }
            report.materialIDs = ids
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(error as? IngestError ?? IngestError(.storage, "\(error)"))
        }
        return report
    }

    /// Cancels a job (admins only): a queued one at once, a running one after its current batch.
    public func cancelJob(_ id: IngestJobID, as identity: Identity) throws(ServiceError) -> IngestJobReport {
        try require(.admin, identity)
        try parts().queue.cancel(id)
        return try job(id, as: identity)
    }

    /// The owner of materials no upload field names.
    public static let defaultOwner = "default"

    private func checkRoot(_ path: String, field: String) throws(ServiceError) {
        guard path.hasPrefix("/") else {
            throw ServiceError(.invalid, "\"\(path)\" must be an absolute server-side path", field: field)
        }
        guard PathRoots.contains(configuration.bulkRoots, path) else {
            throw ServiceError(.forbidden, "\"\(path)\" is outside the bulk roots (\(configuration.bulkRoots.joined(separator: ", ")))",
                               field: field)
        }
    }

    private static func head(of path: String) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: 512)) ?? Data())
    }

    private static func draft(for file: IngestJobFile, type: MaterialFileType, owner: String) -> MaterialDraft {
        MaterialDraft(owner: owner, sourceKey: file.sourceKey ?? file.path, title: file.metadata.title ?? file.displayName,
                      filename: file.displayName, fileType: type.rawValue, fileSize: file.fileSize ?? 0,
                      topic: file.metadata.topic, tags: file.metadata.tags, language: file.metadata.language,
                      contentSHA256: file.contentSHA256 ?? "", provenance: file.metadata.provenance)
    }
}
