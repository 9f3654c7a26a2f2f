public import Foundation

/// Yen per million prompt and completion tokens, per model: what an answer cost.
///
/// The table is a JSON file (`config/prices.json` in the repository is the default, compiled in as
/// ``standard``; the `prices_file` setting names another):
///
/// ```json
/// {"currency": "JPY", "per_tokens": 1000000, "as_of": "2026-12-01",
///  "models": {"gpt-4o-mini": {"prompt": "22.50", "completion": "90.00"}}}
/// ```
///
/// Prices are decimals (strings or JSON numbers, at most six decimal places, 0 to 1,000,000) read without
/// binary floating point. A model id matches an entry exactly (ignoring case), else the longest entry it
/// starts with followed by `-` or `:` (`gpt-4o-mini-2024-07-18` takes `gpt-4o-mini`, `llama3.1:8b` takes
/// `llama3.1`). The cost of `p` prompt and `c` completion tokens is `(p × prompt + c × completion) / 1,000,000`
/// rounded half away from zero to hundredths of a yen, as PostgreSQL rounds a `NUMERIC(8,2)`.
public struct PriceTable: Sendable, Hashable {
    /// One model's prices in yen per million tokens.
    public struct Price: Sendable, Hashable {
        public var prompt: Decimal
        public var completion: Decimal

        public init(prompt: Decimal, completion: Decimal) {
            self.prompt = prompt
            self.completion = completion
        }
    }

    public var models: [String: Price]
    /// When the prices were taken, as the file says.
    public var asOf: String?
    /// The file it came from (nil for the built-in table).
    public var source: String?

    public init(models: [String: Price], asOf: String? = nil, source: String? = nil) {
        self.models = Dictionary(models.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.asOf = asOf
        self.source = source
    }

    /// The entry `model` takes, with its key; nil when none matches.
    public func price(of model: String) -> (key: String, price: Price)? {
        let id = model.lowercased()
        if let p = models[id] { return (id, p) }
        var best: (String, Price)? = nil
        for (key, p) in models where id.hasPrefix(key) {
            let next = id.unicodeScalars.dropFirst(key.unicodeScalars.count).first
            guard next == "-" || next == ":" else { continue }
            if best == nil || key.count > best!.0.count { best = (key, p) }
        }
        return best
    }

    /// The cost of an answer, or nil when the model has no price.
    /// - Throws: `.unprocessable` naming `prompt_tokens` when the cost is over `NUMERIC(8,2)`'s 999,999.99.
    public func cost(model: String, promptTokens: Int, completionTokens: Int) throws(DialogueError) -> Yen? {
        guard let (_, price) = price(of: model) else { return nil }
        return try Self.cost(price, promptTokens: promptTokens, completionTokens: completionTokens)
    }

    /// `(p × prompt + c × completion) / 1,000,000`, rounded half away from zero to hundredths.
    public static func cost(_ price: Price, promptTokens: Int, completionTokens: Int) throws(DialogueError) -> Yen {
        var total = Decimal(promptTokens) * price.prompt + Decimal(completionTokens) * price.completion
        total /= Decimal(1_000_000)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &total, 2, .plain)
        let hundredths = NSDecimalNumber(decimal: rounded * 100).int64Value
        let yen = Yen(hundredths: hundredths)
        guard yen <= .numeric82Max else {
            throw DialogueError(.unprocessable, "the answer's cost, ¥\(yen), is over the ¥999,999.99 a dialogue record holds; "
                + "check prompt_tokens and completion_tokens", field: "prompt_tokens")
        }
        return yen
    }

    /// Reads a price table file.
    /// - Throws: `.configuration` naming the file and the entry at fault.
    public static func load(_ path: String) throws(DialogueError) -> PriceTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DialogueError(.configuration, "the price table \(path) cannot be read")
        }
        return try parse(data, source: path)
    }

    /// Parses a price table (see the type's description).
    public static func parse(_ data: Data, source: String) throws(DialogueError) -> PriceTable {
        func bad(_ message: String) -> DialogueError { DialogueError(.configuration, "price table \(source): \(message)") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw bad("is not a JSON object")
        }
        let known: Set<String> = ["currency", "per_tokens", "as_of", "note", "models"]
        if let unknown = Set(object.keys).subtracting(known).sorted().first {
            throw bad("unknown key \"\(unknown)\"; keys are \(known.sorted().joined(separator: ", "))")
        }
        if let currency = object["currency"], (currency as? String) != "JPY" { throw bad("currency must be \"JPY\"") }
        if let per = object["per_tokens"], (per as? NSNumber)?.intValue != 1_000_000 {
            throw bad("per_tokens must be 1000000 (prices are per million tokens)")
        }
        guard let models = object["models"] as? [String: Any], !models.isEmpty else {
            throw bad("\"models\" must be an object of model id → {prompt, completion}")
        }
        var out: [String: Price] = [:]
        for (model, value) in models {
            guard let entry = value as? [String: Any], Set(entry.keys) == ["prompt", "completion"] else {
                throw bad("models.\(model) must be {\"prompt\": yen, \"completion\": yen}")
            }
            func decimal(_ key: String) throws(DialogueError) -> Decimal {
                let text = (entry[key] as? String) ?? (entry[key] as? NSNumber).map { "\($0)" } ?? ""
                guard text.range(of: #"^[0-9]{1,7}(\.[0-9]{1,6})?$"#, options: .regularExpression) != nil,
                      let d = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), d <= 1_000_000
                else {
                    throw bad("models.\(model).\(key) is \(entry[key].map { "\($0)" } ?? "missing"); give yen per million "
                        + "tokens from 0 to 1000000 with at most six decimals")
                }
                return d
            }
            out[model] = Price(prompt: try decimal("prompt"), completion: try decimal("completion"))
        }
        return PriceTable(models: out, asOf: object["as_of"] as? String, source: source)
    }
}
