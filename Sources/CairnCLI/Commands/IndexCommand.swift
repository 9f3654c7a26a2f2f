import ArgumentParser
import CairnIngest
import Dispatch
import Foundation

/// `cairn index`: bulk-index files, directories or a manifest.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index study materials: files, directories (recursively) or a manifest.",
        discussion: """
            Reads text, Markdown, HTML, PDF, JSON/JSONL (item banks and generic records) and CSV; chunks, embeds and
            indexes them with provenance. Content the owner already has (same SHA-256) is skipped; a changed file is
            re-chunked and only its new chunk texts are embedded. A file that fails is reported and skipped; Ctrl-C
            stops after the current batch and a re-run continues where it stopped. --manifest reads a JSONL or CSV
            file listing files ("path") with per-file metadata (owner, title, topic, tags, lang and provenance
            fields). Exit status 0 when every file was indexed, 1 when some failed (see the summary), 2 on errors
            that stopped the job.
            """)

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var embedding: EmbedderOptions
    @OptionGroup var mirror: MirrorOptions

    @Argument(help: "Files or directories to index.")
    var paths: [String] = []

    @Option(help: "A JSONL or CSV manifest listing files with per-file metadata (repeatable).")
    var manifest: [String] = []

    @Option(help: "Only files matching this glob, relative to the directory walked (repeatable; e.g. '**/*.pdf').")
    var include: [String] = []

    @Option(help: "Skip files matching this glob (repeatable; wins over --include).")
    var exclude: [String] = []

    @Option(help: "Owner (user or tenant) of materials that do not name one (default: \"default\").")
    var owner: String?

    @Option(help: "Topic of the materials.")
    var topic: String?

    @Option(help: "Comma-separated tags.")
    var tags: String?

    @Option(help: "Language (en, ko, zh-Hans, zh-Hant, …); detected from the text when not given.")
    var lang: String?

    @Option(help: "Licence (e.g. CC-BY-4.0, CC0-1.0, MIT, proprietary, public-domain, unknown).")
    var license: String?

    @Option(help: "Where the materials came from (URL or description).")
    var sourceURI: String?

    @Option(help: "material, creation_log, generated, note_article or ai_response.")
    var contentType: String?

    @Option(help: "api_fetch, manual_upload, ai_generated, user_created or system_import (default system_import).")
    var acquisitionMethod: String?

    @Option(help: "Years the materials may be kept (0...100).")
    var retentionYears: Int?

    @Flag(help: "The owner consented to external sharing.")
    var externalShareConsent = false

    @Flag(help: "Permission to use the materials was granted.")
    var permission = false

    @Option(help: "Who acquired the materials.")
    var acquiredBy: String?

    @Option(help: "When the materials were acquired (ISO 8601).")
    var acquiredAt: String?

    @Option(help: "Chunk size in tokens of the embedder's tokenizer.")
    var maxTokens = 200

    @Option(help: "Tokens repeated from the end of one chunk at the start of the next.")
    var overlap = 40

    @Option(help: "Chunks per embedder call.")
    var batch = 64

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() async throws {
        guard !paths.isEmpty || !manifest.isEmpty else { throw ValidationError("give files, directories or --manifest") }
        let defaults = try defaultMetadata()
        var (inputs, problems) = try discover()
        try data.claim("index") { url in
            "upload files with `curl -F file=@notes.pdf \(url)/v1/materials` or index server-side files with "
                + "POST \(url)/v1/bulk (an admin key in Authorization: Bearer …)"
        }
        let embedder = try embedding.make(dataDirectory: data.path, cached: true)
        let library: MaterialLibrary
        let ingestor: BulkIngestor
        do {
            library = try MaterialLibrary.open(dataDirectory: data.path, embedder: embedder)
            ingestor = try BulkIngestor(library: library, options: BulkIngestOptions(
                defaults: defaults, chunking: ChunkingOptions(maxTokens: maxTokens, overlapTokens: overlap),
                batchSize: batch))
        } catch {
            throw CLIError(error.message)
        }
        let mirrorWorker = try mirror.open(library)
        if library.reconcileReport.vectorsAdded + library.reconcileReport.vectorsRemoved > 0 {
            FileHandle.standardError.write(Data(("recovered: \(library.reconcileReport.vectorsAdded) chunk vectors "
                + "re-added, \(library.reconcileReport.vectorsRemoved) stale ones removed\n").utf8))
        }
        inputs.sort { $0.path < $1.path }
        let stop = StopFlag()
        let signals = InterruptHandler(stop: stop)
        let display = ProgressDisplay(enabled: !json)
        let arguments = (CommandLine.arguments.dropFirst().map { $0 }).joined(separator: " ")
        let summary: BulkSummary
        do {
            summary = try await ingestor.run(inputs, arguments: arguments, stop: stop) { display.update($0) }
        } catch {
            display.finish()
            signals.cancel()
            mirror.finish(mirrorWorker)
            throw CLIError(error.message)
        }
        display.finish()
        signals.cancel()
        for problem in problems { try? library.store.recordBulkError(job: summary.job, path: problem.path, reason: problem.reason) }
        var counts = summary.counts
        counts.failed += problems.count
        problems += summary.errors
        try report(summary, counts: counts, problems: problems)
        mirror.finish(mirrorWorker)
        if !summary.completed { throw ExitCode(130) }
        if counts.failed > 0 { throw ExitCode(1) }
    }

    private func report(_ summary: BulkSummary, counts: BulkCounts, problems: [BulkJobError]) throws {
        if json {
            try printJSON([
                "job": summary.job, "completed": summary.completed, "files": counts.filesTotal, "added": counts.added,
                "updated": counts.updated, "unchanged": counts.unchanged, "failed": counts.failed,
                "chunks": counts.chunks, "seconds": summary.elapsedSeconds, "embed_seconds": summary.embedSeconds,
                "errors": problems.map { ["path": $0.path, "reason": $0.reason] },
            ])
            return
        }
        let rate = summary.elapsedSeconds > 0 ? Double(counts.chunks) / summary.elapsedSeconds : 0
        print(String(format: "%@: %d added, %d updated, %d unchanged, %d failed; %d chunks in %.1f s (%.1f chunks/s)",
                     summary.completed ? "done" : "stopped (run the same command again to continue)", counts.added,
                     counts.updated, counts.unchanged, counts.failed, counts.chunks, summary.elapsedSeconds, rate))
        for problem in problems {
            // Reasons name their file already ("notes.pdf: page 3: …"); show the full path once.
            let name = (problem.path as NSString).lastPathComponent + ": "
            let reason = problem.reason.hasPrefix(name) ? String(problem.reason.dropFirst(name.count)) : problem.reason
            print(problem.path.isEmpty ? "  failed: \(reason)" : "  failed: \(problem.path): \(reason)")
        }
    }
}
