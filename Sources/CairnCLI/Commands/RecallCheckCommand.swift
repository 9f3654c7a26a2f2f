public import ArgumentParser
import CairnIngest
import Foundation

/// `cairn recall-check`: whether the live chunk index still finds what exact search finds, per tenant.
struct RecallCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recall-check",
        abstract: "Compare the live index's answers with exact search, per tenant and overall.",
        discussion: """
            Asks the chunk index stored chunk vectors of each tenant (and the tenant's last questions from the
            retrieval log, embedded again) twice: through the live search, with the tenant's filter and the ef a
            retrieval uses, and as an exact scan of the same chunks. Prints recall@k per tenant (largest first)
            and overall, and how many of a tenant's searches were exact scans anyway (tenants within the index's
            full-scan threshold: recall 1 by construction). Exits 1 when the whole index or a tenant is below
            --floor. --json prints the report. A running server does the same every night (and on
            POST /v1/recall-check); this command needs the data directory to itself.
            """)

    @OptionGroup var data: DataDirectoryOptions
    @OptionGroup var embedding: EmbedderOptions

    @Option(help: "Stored chunk vectors asked per tenant.")
    var queriesPerTenant = RecallCheckOptions.standard.queriesPerTenant

    @Option(help: "Stored chunk vectors asked of the whole index, without a filter.")
    var overallQueries = RecallCheckOptions.standard.overallQueries

    @Option(help: "Past questions per tenant from the retrieval log.")
    var loggedQueries = RecallCheckOptions.standard.loggedQueriesPerTenant

    @Option(help: "Recall@k is measured for this k.")
    var k = RecallCheckOptions.standard.k

    @Option(help: "HNSW ef of the live searches (default: what a retrieval of the top k uses).")
    var ef: Int?

    @Option(help: "Recall below this is reported, and the exit code is 1.")
    var floor = RecallCheckOptions.standard.floor

    @Option(help: "Time budget in seconds (tenants not reached are counted).")
    var seconds = RecallCheckOptions.standard.seconds

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        try data.claim("recall-check") { url in "ask the server with POST \(url)/v1/recall-check (an admin key)" }
        let options = RecallCheckOptions(queriesPerTenant: queriesPerTenant, overallQueries: overallQueries,
                                         loggedQueriesPerTenant: loggedQueries, k: k, efSearch: ef, floor: floor,
                                         seconds: seconds)
        if let problem = options.problem { throw CLIError(problem) }
        let report: RecallCheckReport
        do {
            let library = try MaterialLibrary.open(dataDirectory: data.path,
                                                   embedder: try embedding.make(dataDirectory: data.path, cached: false))
            report = try await library.checkRecall(options: options)
        } catch let error as IngestError {
            throw CLIError(error.message)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.text(report))
        }
        if report.failed { throw ExitCode(1) }
    }

    static func text(_ r: RecallCheckReport) -> String {
        var lines = [String(format: "recall@%d at ef %d, floor %.2f, %.1f s", r.k, r.efSearch, r.floor, r.seconds)]
        func line(_ name: String, _ s: RecallSample) -> String {
            let how = s.exactScans == s.queries ? "exact scans" : s.exactScans == 0 ? "graph"
                : "\(s.exactScans) exact scans"
            return String(format: "%@  %@  %.3f (worst %.2f)  %d chunks, %d queries (%d logged), %@", s.belowFloor ? "BELOW" : "ok   ",
                          name, s.recall, s.worst, s.chunks, s.queries, s.loggedQueries, how)
        }
        if let overall = r.overall { lines.append(line("(whole index)", overall)) }
        for (name, sample) in r.tenants.sorted(by: { $0.value.chunks != $1.value.chunks
            ? $0.value.chunks > $1.value.chunks : $0.key < $1.key }) {
            lines.append(line(name, sample))
        }
        if r.tenantsNotChecked > 0 { lines.append("\(r.tenantsNotChecked) tenants not reached within the time budget") }
        lines.append(r.failed ? "below the floor: " + ([r.overall?.belowFloor == true ? "(whole index)" : nil]
                        .compactMap { $0 } + r.belowFloor).joined(separator: ", ") : "all at or above the floor")
        return lines.joined(separator: "\n")
    }
}
