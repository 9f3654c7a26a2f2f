import CairnDialogue
import Foundation

extension ServiceSetting {
    /// The dialogue module's settings: the price table, the SLOs, the LLM of `/v1/answer`, prompt templates.
    static let dialogue: [ServiceSetting] = dialogueFiles + llm + objectives

    static let objectives: [ServiceSetting] = ServiceLevelObjective.Metric.allCases.map(slo)

    static func setPricesFile(_ c: inout ServiceConfiguration, _ v: String) throws(ConfigurationError) {
        let loaded = Result { () throws(DialogueError) in try PriceTable.load(v) }
        if case .failure(let error) = loaded { throw ConfigurationError("cannot be used: " + error.message) }
        c.pricesFile = v
    }

    static func setPromptsDirectory(_ c: inout ServiceConfiguration, _ v: String) throws(ConfigurationError) {
        let loaded = Result { () throws(DialogueError) in try PromptLibrary.load(directory: v) }
        if case .failure(let error) = loaded { throw ConfigurationError("cannot be used: " + error.message) }
        c.promptsDirectory = v
    }

    static let dialogueFiles: [ServiceSetting] = [
        .string("prices_file", "CAIRN_PRICES_FILE", "price table: JPY per million tokens per model (JSON)",
                setPricesFile),
        .string("prompts_dir", "CAIRN_PROMPTS_DIR", "directory of prompt templates replacing the built-in ones",
                setPromptsDirectory),
        .flag("daily_jobs", "CAIRN_DAILY_JOBS", "run the metrics rollup and retention daily after 00:00 UTC") {
            $0.dailyJobs = $1
        },
    ]

    static let llm: [ServiceSetting] = [
        .string("llm.base_url", "CAIRN_LLM_URL", "OpenAI-compatible API base URL for /v1/answer (…/v1)") {
            (c, v) throws(ConfigurationError) in
            guard v.hasPrefix("http://") || v.hasPrefix("https://") else {
                throw ConfigurationError("is not an http:// or https:// URL")
            }
            c.llm.baseURL = v.hasSuffix("/") ? String(v.dropLast()) : v
        },
        .string("llm.model", "CAIRN_LLM_MODEL", "chat model /v1/answer asks for") { $0.llm.model = $1 },
        .string("llm.api_key", "CAIRN_LLM_API_KEY", "bearer key of the chat endpoint") { $0.llm.apiKey = $1 },
        .int("llm.timeout_ms", "CAIRN_LLM_TIMEOUT_MS", "time limit per chat request", 100...600_000) {
            $0.llm.timeoutMilliseconds = $1
        },
        .int("llm.max_retries", nil, "retries of a failed chat request", 0...10) { $0.llm.maxRetries = $1 },
        .double("llm.temperature", nil, "default sampling temperature", 0...2) { $0.llm.temperature = $1 },
        .int("llm.max_tokens", nil, "most completion tokens per answer", 1...100_000) { $0.llm.maxTokens = $1 },
    ]

    /// `slo.<metric>`: the target, or `"off"` to drop a default objective.
    static func slo(_ metric: ServiceLevelObjective.Metric) -> ServiceSetting {
        let range: ClosedRange<Double> = switch metric {
        case .latencyP50, .latencyP95, .latencyP99: 0...3_600_000
        case .costPerAnswer: 0...999_999.99
        case .citationRate, .relevance, .negativeFeedbackShare, .uncitedShare: 0...1
        }
        let bound = metric.isUpperBound ? "at most" : "at least"
        return ServiceSetting(key: "slo.\(metric.rawValue)", environment: nil,
                              summary: "objective: \(metric.rawValue) \(bound) this (\"off\" to drop it)") {
            (c, v) throws(ConfigurationError) in
            c.objectives.removeAll { $0.metric == metric }
            if case .string(let s) = v, s == "off" { return }
            guard let x = v.number, x.isFinite else { throw ConfigurationError("must be a number or \"off\"") }
            guard range.contains(x) else {
                throw ConfigurationError("is out of range \(range.lowerBound)...\(range.upperBound)")
            }
            c.objectives.append(ServiceLevelObjective(metric, x))
            c.objectives.sort { a, b in
                ServiceLevelObjective.Metric.allCases.firstIndex(of: a.metric)! < ServiceLevelObjective.Metric.allCases.firstIndex(of: b.metric)!
            }
        }
    }

    static func flag(_ key: String, _ env: String?, _ summary: String,
                     _ set: @escaping @Sendable (inout ServiceConfiguration, Bool) -> Void) -> ServiceSetting {
        ServiceSetting(key: key, environment: env, summary: summary) { (c, v) throws(ConfigurationError) in
            switch v {
            case .bool(let b): set(&c, b)
            case .string(let s) where ["true", "1", "on", "yes"].contains(s.lowercased()): set(&c, true)
            case .string(let s) where ["false", "0", "off", "no"].contains(s.lowercased()): set(&c, false)
            default: throw ConfigurationError("must be true or false")
            }
        }
    }
}
