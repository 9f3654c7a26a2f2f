import CairnEmbedding
import CairnIngest
import CairnIndex
import CairnKeyword
import CairnService
import Foundation
import Testing
import TestSupport

/// One validated configuration from flags over environment over file over defaults; bad values are refused
/// naming the setting, its value and where it came from.
@Suite struct ConfigurationTests {
    @Test func defaultsAreTheEmbeddedSetup() throws {
        let config = try ServiceConfiguration.resolve(environment: [:])
        #expect(config.host == "127.0.0.1" && config.port == 8080)
        #expect(config.embedder.provider == .builtin)
        #expect(config.maxUploadBytes == 64 << 20 && config.maxJSONBytes == 4 << 20)
        #expect(config.bulkRoots.isEmpty)
        #expect(config.baseURL == "http://127.0.0.1:8080")
        // Relative data directories are made absolute (paths recorded under it must survive a restart elsewhere).
        #expect(config.dataDirectory == FileManager.default.currentDirectoryPath + "/index-data")
    }

    @Test func flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-config")
        let file = dir.file("cairn.json")
        try """
            {"host": "0.0.0.0", "port": 9000, "data_dir": "/srv/cairn", "limits": {"json_bytes": 8192},
             "rate_limit": {"requests_per_second": 5, "burst": 9}, "bulk_roots": ["\(dir.path)"],
             "embedder": {"provider": "builtin"}}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let config = try ServiceConfiguration.resolve(
            flags: [.init(key: "port", value: .number(7000), flag: "--port")], configFile: file,
            environment: ["CAIRN_PORT": "8000", "CAIRN_HOST": "127.0.0.2", "CAIRN_RATE_BURST": "11"])
        #expect(config.port == 7000)
        #expect(config.sources["port"] == "--port")
        #expect(config.host == "127.0.0.2" && config.sources["host"] == "CAIRN_HOST")
        #expect(config.dataDirectory == "/srv/cairn" && config.sources["data_dir"] == file)
        #expect(config.maxJSONBytes == 8192 && config.rateLimitPerSecond == 5 && config.rateLimitBurst == 11)
        #expect(config.bulkRoots == [dir.path])
        // CAIRN_CONFIG names the file when --config does not.
        let viaEnvironment = try ServiceConfiguration.resolve(environment: ["CAIRN_CONFIG": file])
        #expect(viaEnvironment.port == 9000)
    }

    @Test func badSettingsAreRefusedNamingTheSettingAndItsSource() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-config")
        func refusal(_ flags: [ServiceConfiguration.Flag] = [], file: String? = nil, environment: [String: String] = [:])
            -> String
        {
            do {
                _ = try ServiceConfiguration.resolve(flags: flags, configFile: file, environment: environment)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(refusal(environment: ["CAIRN_PORT": "70000"]) == "port = \"70000\" (from CAIRN_PORT) is out of range 0...65535")
        #expect(refusal([.init(key: "port", value: .string("http"), flag: "--port")]).contains("must be a whole number"))
        #expect(refusal(environment: ["CAIRN_MAX_UPLOAD_BYTES": "10"]).contains("limits.upload_bytes = \"10\""))
        #expect(refusal(environment: ["CAIRN_LOG_LEVEL": "loud"]).contains("log_level"))
        let file = dir.file("bad.json")
        try "{\"limits\": {\"uplod_bytes\": 5}}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(refusal(file: file).contains("unknown setting \"limits.uplod_bytes\""))
        try "{\"ingest\": {\"max_tokens\": 100, \"overlap\": 60}}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(refusal(file: file).contains("ingest.overlap = 60"))
        try "{\"bulk_roots\": [\"relative/dir\"]}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(refusal(file: file).contains("must be an absolute path"))
        try "{\"bulk_roots\": [\"/no/such/root\"]}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(refusal(file: file).contains("does not exist"))
        try "{\"embedder\": {\"provider\": \"openai\", \"max_retries\": 99}}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(refusal(file: file).contains("max_retries"))
        try "[1, 2]".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(refusal(file: file).contains("not a JSON object"))
        #expect(refusal(file: dir.file("missing.json")).contains("cannot be read"))
        #expect(refusal(environment: ["CAIRN_INDEX_QUANTIZATION": "int4"]).contains("index.quantization = \"int4\""))
        // Retrieval's settings.
        #expect(refusal(environment: ["CAIRN_RETRIEVAL_MODE": "semantic"]).contains("retrieval.mode = \"semantic\""))
        try "{\"keyword\": {\"b\": 1.5}}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(refusal(file: file).contains("keyword.b = 1.5"))
        try "{\"keyword\": {\"stop_words\": \"french\"}}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(refusal(file: file).contains("keyword.stop_words"))
        try "{\"grounding\": {\"keyword_threshold\": 2}}".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(refusal(file: file).contains("grounding.keyword_threshold"))
    }

    @Test func retrievalSettingsReachTheConfiguration() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-config")
        let file = dir.file("cairn.json")
        try """
            {"retrieval": {"mode": "vector", "mmr_lambda": 0.7}, "keyword": {"k1": 1.5, "b": 0.5, "stop_words": "none"},
             "grounding": {"similarity_threshold": 0.4, "keyword_threshold": 0.25}}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let config = try ServiceConfiguration.resolve(configFile: file, environment: [:])
        #expect(config.retrieval.mode == .vector && config.retrieval.mmrLambda == 0.7)
        #expect(config.retrieval.keyword.bm25 == BM25Parameters(k1: 1.5, b: 0.5))
        #expect(!config.retrieval.keyword.tokenizer.englishStopWords)
        #expect(config.retrieval.grounding == GroundingThresholds(similarity: 0.4, keyword: 0.25))
        let defaults = try ServiceConfiguration.resolve(environment: [:])
        #expect(defaults.retrieval.mode == .hybrid && defaults.retrieval.keyword == .standard)
        #expect(defaults.indexQuantization == .none)
        let int8 = try ServiceConfiguration.resolve(environment: ["CAIRN_INDEX_QUANTIZATION": "int8"])
        #expect(int8.indexQuantization == .int8 && int8.sources["index.quantization"] == "CAIRN_INDEX_QUANTIZATION")
    }
}
