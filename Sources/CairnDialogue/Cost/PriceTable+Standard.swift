import Foundation

extension PriceTable {
    /// The repository's `config/prices.json`, compiled in: the table used when no `prices_file` is set (a test
    /// keeps the two equal).
    public static let standard: PriceTable = {
        do {
            return try parse(Data(standardJSON.utf8), source: "built-in (config/prices.json)")
        } catch {
            fatalError("the built-in price table does not parse: \(error)")
        }
    }()

    static let standardJSON = #"""
{
  "currency": "JPY",
  "per_tokens": 1000000,
  "as_of": "2026-12-01",
  "note": "Yen per million tokens, list prices converted at 150 JPY/USD. A model id matches an entry exactly (ignoring case), else the longest entry it starts with followed by '-' or ':' (gpt-4o-mini-2024-07-18 takes gpt-4o-mini). Local models cost nothing.",
  "models": {
    "gpt-4o-mini": {"prompt": "22.50", "completion": "90.00"},
    "gpt-4o": {"prompt": "375.00", "completion": "1500.00"},
    "gpt-4.1": {"prompt": "300.00", "completion": "1200.00"},
    "gpt-4.1-mini": {"prompt": "60.00", "completion": "240.00"},
    "gpt-4.1-nano": {"prompt": "15.00", "completion": "60.00"},
    "o4-mini": {"prompt": "165.00", "completion": "660.00"},
    "claude-3-5-haiku": {"prompt": "120.00", "completion": "600.00"},
    "claude-sonnet-4": {"prompt": "450.00", "completion": "2250.00"},
    "gemini-2.0-flash": {"prompt": "15.00", "completion": "60.00"},
    "gemini-2.5-flash": {"prompt": "45.00", "completion": "375.00"},
    "llama3.1": {"prompt": "0", "completion": "0"},
    "qwen2.5": {"prompt": "0", "completion": "0"}
  }
}
"""#
}
