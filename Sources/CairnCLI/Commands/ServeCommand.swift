import ArgumentParser
import CairnAPI
import CairnEmbedding
import CairnPostgres
import CairnService
import Foundation
import Logging
import Prometheus

/// `cairn serve`: the retrieval service over HTTP.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the retrieval service: the HTTP API for AI-coach backends and admins.",
        discussion: """
            Opens the data directory once (model, index, store), then serves until SIGTERM or Ctrl-C, when it stops \
            accepting, finishes in-flight requests, lets the running ingest batch commit, checkpoints and exits 0. \
            Settings come from flags, then environment variables, then the --config file (JSON), then defaults; \
            an out-of-range setting is refused at start-up naming it. On the first start it creates an admin key \
            and prints it once. Logs are JSON lines on standard error, each with its request id.

            Settings (config-file key, environment variable):
            \(ServeCommand.settingsHelp)
              embedder: an object as `cairn embed` takes it ({"provider": "openai", "model": …})
            """)

    @Option(help: "Address to listen on (default 127.0.0.1; $CAIRN_HOST).")
    var host: String?

    @Option(help: "TCP port (default 8080, 0 for any free port; $CAIRN_PORT).")
    var port: Int?

    @Option(name: .long, help: "Data directory (default index-data; $CAIRN_DATA_DIR).")
    var dataDir: String?

    @Option(help: "A JSON configuration file ($CAIRN_CONFIG).")
    var config: String?

    @Option(help: "A directory POST /v1/bulk may read (repeatable; $CAIRN_BULK_ROOTS, ':'-separated).")
    var bulkRoot: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical ($CAIRN_LOG_LEVEL).")
    var logLevel: String?

    @Option(help: "PostgreSQL to mirror every change into, postgresql://user@host:5432/db ($CAIRN_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Embedding provider: builtin, openai, ollama or tei (default builtin).")
    var provider: EmbeddingProvider?

    @Option(help: "Model name (remote providers).")
    var model: String?

    @Option(help: "Base URL of the remote embedding API.")
    var baseURL: String?

    @Option(help: "Environment variable holding the embedding API's key.")
    var apiKeyEnv: String?

    /// One line per setting: key, environment variable, summary.
    static var settingsHelp: String {
        ServiceSetting.all.map { setting in
            let env = setting.environment.map { " (\($0))" } ?? ""
            return "  \(setting.key)\(env): \(setting.summary)"
        }.joined(separator: "\n")
    }

    func run() async throws {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.resolve(flags: flags(), configFile: config, embedder: embedder())
        } catch {
            throw CLIError("configuration: \(error.message)")
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            JSONLogHandler(label: label, level: level, metadataProvider: LogContext.metadataProvider)
        }
        var logger = Logger(label: "cairn")
        logger.logLevel = level
        let registry = PrometheusCollectorRegistry()
        let service = CairnService(configuration: configuration, logger: logger,
                                   metricsFactory: CairnServer.metricsFactory(registry: registry))
        do {
            try service.lockDataDirectory()
        } catch {
            throw CLIError(error.message)
        }
        let server = CairnServer(service: service, registry: registry, logger: logger)
        do {
            try await server.run { [service] url in
                Self.printBanner(url: url, info: service.readyInfo, dataDirectory: configuration.dataDirectory,
                                 mirror: configuration.databaseURL.map { PostgresURL($0).redacted },
                                 chatModel: configuration.llm.baseURL.map { Self.chatModelLine(configuration.llm, base: $0) })
            }
        } catch let error as ServiceError {
            throw CLIError("cairn serve stopped: \(error.message)")
        }
    }

    private func flags() -> [ServiceConfiguration.Flag] {
        var out: [ServiceConfiguration.Flag] = []
        if let host { out.append(.init(key: "host", value: .string(host), flag: "--host")) }
        if let port { out.append(.init(key: "port", value: .number(Double(port)), flag: "--port")) }
        if let dataDir { out.append(.init(key: "data_dir", value: .string(dataDir), flag: "--data-dir")) }
        if !bulkRoot.isEmpty { out.append(.init(key: "bulk_roots", value: .strings(bulkRoot), flag: "--bulk-root")) }
        if let databaseURL { out.append(.init(key: "database_url", value: .string(databaseURL), flag: "--database-url")) }
        if let logLevel { out.append(.init(key: "log_level", value: .string(logLevel), flag: "--log-level")) }
        return out
    }

    private func embedder() -> EmbedderConfiguration? {
        guard provider != nil || model != nil || baseURL != nil || apiKeyEnv != nil else { return nil }
        var config = EmbedderConfiguration(provider: provider ?? .builtin, model: model, baseURL: baseURL)
        if let apiKeyEnv { config.apiKeyEnvironmentVariable = apiKeyEnv }
        return config
    }

    /// What a person starting the server needs: where it is, the admin key (once), and calls that work.
    /// `gpt-4o-mini at api.openai.com` (the host only: a URL may carry credentials).
    static func chatModelLine(_ llm: LLMSettings, base: String) -> String {
        let host = URLComponents(string: base)?.host ?? "the configured endpoint"
        return "\(llm.model) at \(host)"
    }

    static func printBanner(url: String, info: CairnService.ReadyInfo?, dataDirectory: String, mirror: String? = nil,
                            chatModel: String? = nil) {
        let key = info?.createdAdminKey
        var lines = [
            "Cairn is serving \(dataDirectory) at \(url)"
                + (info.map { String(format: " (%d materials, %d chunks; ready in %.2f s)", $0.materials, $0.chunks,
                                     $0.startSeconds) } ?? ""),
        ]
        if let mirror {
            lines.append("Mirroring every change to \(mirror) (its lag: \(url)/readyz; docs/POSTGRES.md)")
        }
        lines.append(chatModel.map { "Answering POST /v1/answer with \($0)" }
            ?? "POST /v1/answer needs a chat model (set CAIRN_LLM_URL); POST /v1/prompt renders prompts for your own model")
        if let key {
            lines += ["", "Admin key (shown once; keep it secret — `cairn keys create` makes more):", "  \(key)"]
        }
        let bearer = key ?? "$CAIRN_KEY"
        lines += [
            "", "Try it:",
            "  curl -s \(url)/readyz",
            "  curl -s \(url)/v1/materials -H 'Authorization: Bearer \(bearer)' -F file=@notes.pdf -F owner_id=class-7b",
            "  curl -s \(url)/v1/retrieve -H 'Authorization: Bearer \(bearer)' -H 'Content-Type: application/json' \\",
            "       -d '{\"query\": \"How do plants make glucose?\", \"top_k\": 3, \"filters\": {\"owner_id\": \"class-7b\"}}'",
            "  API description: \(url)/openapi.json    Stop: Ctrl-C",
        ]
        if key == nil {
            lines.append("  (CAIRN_KEY: an API key; create one with `cairn keys create --role admin`)")
        }
        print(lines.joined(separator: "\n"))
        fflush(nil)
    }
}

