public import CairnEmbedding
import CairnIngest
public import Foundation

extension ServiceConfiguration {
    /// A value given on the command line: the setting's key, the value and the flag that gave it.
    public struct Flag: Sendable, Hashable {
        public var key: String
        public var value: ConfigValue
        public var flag: String

        public init(key: String, value: ConfigValue, flag: String) {
            self.key = key
            self.value = value
            self.flag = flag
        }
    }

    /// Builds and validates the configuration: `flags` over `environment` over the configuration file (the
    /// `--config` flag's, else `CAIRN_CONFIG`'s) over the defaults.
    ///
    /// - Parameters:
    ///   - configFile: the `--config` flag's value, if given.
    ///   - embedder: the embedder the command-line flags describe, when any embedder flag was given; it
    ///     replaces the file's `embedder` object.
    /// - Throws: ``ConfigurationError`` naming the setting, its value and its source, for an unknown key in the
    ///   file, a value of the wrong type or out of range, or a file that cannot be read.
    public static func resolve(
        flags: [Flag] = [], configFile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        embedder: EmbedderConfiguration? = nil
    ) throws(ConfigurationError) -> ServiceConfiguration {
        var config = ServiceConfiguration()
        let settings = Dictionary(uniqueKeysWithValues: ServiceSetting.all.map { ($0.key, $0) })
        func apply(_ key: String, _ value: ConfigValue, source: String) throws(ConfigurationError) {
            guard let setting = settings[key] else {
                throw ConfigurationError("\(source): unknown setting \"\(key)\"; settings are "
                    + ServiceSetting.all.map(\.key).joined(separator: ", ") + ", embedder")
            }
            do {
                try setting.apply(&config, value)
            } catch {
                // A database URL may carry a password: never echo it.
                let shown = key == "database_url" || key == "llm.api_key" ? "(the value given)" : "\(value)"
                throw ConfigurationError("\(key) = \(shown) (from \(source)) \(error.message)")
            }
            config.sources[key] = source
        }

        let file = configFile ?? environment["CAIRN_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let file {
            let (values, fileEmbedder) = try readFile(file)
            for (key, value) in values { try apply(key, value, source: file) }
            if let fileEmbedder {
                config.embedder = fileEmbedder
                config.sources["embedder"] = file
            }
        }
        for setting in ServiceSetting.all {
            if let name = setting.environment, let raw = environment[name], !raw.isEmpty {
                try apply(setting.key, .string(raw), source: name)
            }
        }
        for flag in flags { try apply(flag.key, flag.value, source: flag.flag) }
        if let embedder {
            config.embedder = embedder
            config.sources["embedder"] = "command-line flags"
        }
        return try config.validated()
    }

    /// Checks the settings that depend on each other or on the machine.
    public func validated() throws(ConfigurationError) -> ServiceConfiguration {
        var config = self
        func source(_ key: String) -> String { sources[key].map { " (from \($0))" } ?? "" }
        // Absolute, so that paths recorded under it (spooled uploads) mean the same after a restart from
        // another working directory.
        if !dataDirectory.hasPrefix("/") {
            config.dataDirectory = (FileManager.default.currentDirectoryPath as NSString)
                .appendingPathComponent(dataDirectory)
        }
        config.dataDirectory = (config.dataDirectory as NSString).standardizingPath
        guard overlapTokens * 2 <= maxTokens else {
            throw ConfigurationError("ingest.overlap = \(overlapTokens)\(source("ingest.overlap")) must be at most half "
                + "of ingest.max_tokens = \(maxTokens)")
        }
        config.bulkRoots = try bulkRoots.map { (root) throws(ConfigurationError) -> String in
            guard root.hasPrefix("/") else {
                throw ConfigurationError("bulk_roots: \"\(root)\"\(source("bulk_roots")) must be an absolute path")
            }
            guard let real = realpath(root, nil) else {
                throw ConfigurationError("bulk_roots: \"\(root)\"\(source("bulk_roots")) does not exist")
            }
            defer { free(real) }
            return String(cString: real)
        }
        do {
            config.embedder = try embedder.validated()
        } catch {
            throw ConfigurationError("embedder\(source("embedder")): \(error.message)")
        }
        return config
    }

    /// The file's settings as dotted keys, and its `embedder` object.
    static func readFile(_ path: String) throws(ConfigurationError) -> ([(String, ConfigValue)], EmbedderConfiguration?) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("configuration file \(path) cannot be read")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConfigurationError("configuration file \(path) is not a JSON object")
        }
        var values: [(String, ConfigValue)] = []
        var embedder: EmbedderConfiguration?
        func walk(_ object: [String: Any], prefix: String) throws(ConfigurationError) {
            for key in object.keys.sorted() {
                let value = object[key]!
                let dotted = prefix.isEmpty ? key : prefix + "." + key
                if dotted == "embedder" {
                    do {
                        let bytes = try JSONSerialization.data(withJSONObject: value)
                        embedder = try JSONDecoder().decode(EmbedderConfiguration.self, from: bytes)
                    } catch {
                        throw ConfigurationError("\(path): \"embedder\" is not a valid embedder configuration: \(error)")
                    }
                } else if let nested = value as? [String: Any] {
                    try walk(nested, prefix: dotted)
                } else if let list = value as? [Any] {
                    guard let strings = list as? [String] else {
                        throw ConfigurationError("\(path): \"\(dotted)\" must be a list of strings")
                    }
                    values.append((dotted, .strings(strings)))
                } else if let s = value as? String {
                    values.append((dotted, .string(s)))
                } else if let n = value as? NSNumber {
                    values.append((dotted, MetadataFields.isJSONBoolean(n) ? .bool(n.boolValue) : .number(n.doubleValue)))
                } else {
                    throw ConfigurationError("\(path): \"\(dotted)\" has an unsupported value (null?)")
                }
            }
        }
        try walk(root, prefix: "")
        return (values, embedder)
    }
}
