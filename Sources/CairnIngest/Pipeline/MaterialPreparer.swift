import CairnEmbedding
import Foundation

/// The parsing stage: one input file → its materials, each extracted, checked against the store and
/// chunked (or a reason it failed).
struct MaterialPreparer: Sendable {
    let store: MaterialStore
    let embedder: any Embedder
    let options: BulkIngestOptions

    /// Files larger than this are refused (a guard against a stray disk image in a bulk directory).
    static let maxFileBytes = 512 << 20

    /// Prepares every material of `input`, handing each result to `emit` in order.
    func prepare(_ input: IngestInput, emit: (PipelineItem) -> Void) {
        let path = input.path
        let name = input.displayName ?? (path as NSString).lastPathComponent
        let metadata = input.metadata.filled(from: options.defaults)
        let bytes: [UInt8]
        do {
            if let roots = options.allowedRoots, !PathRoots.contains(roots, path) {
                throw IngestError(.io, "\(name): outside the allowed roots once links are resolved")
            }
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes[.size] as? Int, size > Self.maxFileBytes {
                throw IngestError(.tooLarge, "\(name): \(size) bytes is over the \(Self.maxFileBytes >> 20) MiB limit")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw IngestError(.io, "\(name): cannot read the file")
            }
            bytes = [UInt8](data)
        } catch let error as IngestError {
            return emit(.failure(path: path, error: error, draft: nil, existing: nil))
        } catch {
            return emit(.failure(path: path, error: IngestError(.io, "\(name): \(error.localizedDescription)"),
                                 draft: nil, existing: nil))
        }
        guard let type = MaterialFileType.detect(filename: name, head: Array(bytes.prefix(512))) else {
            return emit(.failure(path: path, error: IngestError(.unsupportedFormat, "\(name): not a format Cairn reads "
                + "(text, Markdown, HTML, PDF, JSON, JSONL, CSV)"), draft: nil, existing: nil))
        }
        let sourceKey = input.sourceKey ?? (path as NSString).standardizingPath
        switch type {
        case .json, .jsonl, .csv:
            prepareRecords(bytes, type: type, path: path, name: name, sourceKey: sourceKey, metadata: metadata, emit: emit)
        case .text, .markdown, .html, .pdf:
            let sha = SHA256.hexHash(bytes)
            var draft = MaterialDraft(owner: metadata.owner ?? MaterialPreparer.defaultOwner, sourceKey: sourceKey,
                                      title: metadata.title ?? name, filename: name, fileType: type.rawValue,
                                      fileSize: bytes.count, topic: metadata.topic, tags: metadata.tags,
                                      language: metadata.language, contentSHA256: sha, provenance: metadata.provenance)
            do {
                let (extracted, title) = try Self.extract(bytes, type: type, path: path, name: name)
                if metadata.title == nil, let title, !title.isEmpty { draft.title = title }
                emit(try check(draft, extracted: extracted, path: path))
            } catch {
                emit(failure(path: path, error: error, draft: draft))
            }
        }
    }

    /// The owner of materials no flag, manifest or record assigns.
    static let defaultOwner = "default"

    private func prepareRecords(
        _ bytes: [UInt8], type: MaterialFileType, path: String, name: String, sourceKey: String,
        metadata: MaterialMetadata, emit: (PipelineItem) -> Void
    ) {
        let results: [RecordResult]
        do {
            guard let format = RecordFormat(rawValue: type.rawValue) else {
                throw IngestError(.unsupportedFormat, "\(name): not a record format")
            }
            results = try RecordReader.read(bytes, format: format, displayName: name)
        } catch {
            let draft = MaterialDraft(owner: metadata.owner ?? Self.defaultOwner, sourceKey: sourceKey,
                                      title: metadata.title ?? name, filename: name, fileType: type.rawValue,
                                      fileSize: bytes.count, contentSHA256: SHA256.hexHash(bytes),
                                      provenance: metadata.provenance)
            return emit(failure(path: path, error: error, draft: draft))
        }
        for result in results {
            switch result.result {
            case .failure(let error):
                emit(.failure(path: "\(path):\(result.number)", error: error, draft: nil, existing: nil))
            case .success(let record):
                let merged = record.metadata.filled(from: metadata)
                // A CSV table read as one material is the file itself; records are keyed by their id.
                let key = record.externalID.map { sourceKey + "#" + $0 }
                    ?? (results.count == 1 ? sourceKey : sourceKey + "#record-\(result.number)")
                let fingerprint = [record.externalID ?? "", merged.title ?? "", record.extracted.text,
                                   record.extraJSON ?? "", merged.tags.joined(separator: "\u{1F}"),
                                   merged.topic ?? "", merged.language ?? ""].joined(separator: "\u{0}")
                let draft = MaterialDraft(
                    owner: merged.owner ?? Self.defaultOwner, sourceKey: key, externalID: record.externalID,
                    title: merged.title ?? record.externalID ?? "\(name) line \(result.number)", filename: name,
                    fileType: type.rawValue, fileSize: record.extracted.text.utf8.count, topic: merged.topic,
                    tags: merged.tags, language: merged.language,
                    contentSHA256: SHA256.hexHash(Array(fingerprint.utf8)), provenance: merged.provenance,
                    extraJSON: record.extraJSON)
                do {
                    emit(try check(draft, extracted: record.extracted, path: "\(path):\(result.number)"))
                } catch {
                    emit(failure(path: "\(path):\(result.number)", error: error, draft: draft))
                }
            }
        }
    }

    /// Dedup against the store, then chunk.
    private func check(_ draft: MaterialDraft, extracted: ExtractedText, path: String) throws(IngestError) -> PipelineItem {
        if try store.completedMaterial(owner: draft.owner, sha256: draft.contentSHA256) != nil {
            return .unchanged(path: path)
        }
        let existing = try store.material(owner: draft.owner, sourceKey: draft.sourceKey)
        var draft = draft
        if draft.language == nil { draft.language = LanguageDetector.detect(extracted.text) }
        let chunker = Chunker(options: options.chunking, countTokens: { [embedder] in embedder.countTokens($0) })
        let chunks = chunker.chunks(of: extracted)
        guard !chunks.isEmpty else {
            throw IngestError(.emptyContent, "\((path as NSString).lastPathComponent): no text to index")
        }
        let rows = chunks.map { ChunkRow($0, language: draft.language) }
        return .material(PreparedMaterial(draft: draft, existing: existing?.id, isUpdate: existing?.status == .completed,
                                          extracted: extracted, chunks: rows, path: path))
    }

    private func failure(path: String, error: any Error, draft: MaterialDraft) -> PipelineItem {
        let ingestError = error as? IngestError ?? IngestError(.io, "\(error)")
        let existing = try? store.material(owner: draft.owner, sourceKey: draft.sourceKey)
        // A failed re-upload of a completed material leaves the stored version searchable.
        if existing?.status == .completed {
            return .failure(path: path, error: ingestError, draft: nil, existing: nil)
        }
        return .failure(path: path, error: ingestError, draft: draft, existing: existing?.id)
    }

    static func extract(_ bytes: [UInt8], type: MaterialFileType, path: String, name: String)
        throws(IngestError) -> (ExtractedText, String?)
    {
        switch type {
        case .pdf:
            return (try PDFExtractor.extract(path: path, displayName: name), nil)
        case .html:
            let result = try HTMLExtractor.extract(bytes: bytes, name: name)
            return (result.text, result.title)
        case .markdown:
            return (try MarkdownExtractor.extract(bytes: bytes, name: name), nil)
        default:
            return (try PlainTextExtractor.extract(bytes: bytes, name: name), nil)
        }
    }
}
