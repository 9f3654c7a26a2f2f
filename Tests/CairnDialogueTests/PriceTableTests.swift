@testable import CairnDialogue
import Foundation
import TestSupport
import Testing

@Suite("Price table and yen")
struct PriceTableTests {
    @Test("the built-in table is config/prices.json")
    func builtinIsTheFile() throws {
        let path = try RepositoryFile.path("config/prices.json")
        let file = try PriceTable.load(path)
        #expect(file.models == PriceTable.standard.models)
        #expect(file.asOf == PriceTable.standard.asOf)
    }

    @Test("cost of every entry, exact against a decimal computation by hand, rounded half away from zero")
    func everyEntry() throws {
        let table = PriceTable.standard
        let cases: [(Int, Int)] = [(0, 0), (1, 1), (1_234, 567), (4_000, 800), (123_457, 98_765), (2_000_000, 500_000)]
        for (model, price) in table.models {
            for (p, c) in cases {
                let cost = try table.cost(model: model, promptTokens: p, completionTokens: c)
                // Oracle: the same sum on integers of millionths of a yen per token.
                func micro(_ d: Decimal) -> Int64 { NSDecimalNumber(decimal: d * 1_000_000).int64Value }
                let numerator = Int64(p) * micro(price.prompt) + Int64(c) * micro(price.completion)  // yen × 10^12
                let hundredths = (numerator + 5_000_000_000) / 10_000_000_000  // half up, non-negative
                #expect(cost == Yen(hundredths: hundredths), "\(model) \(p)/\(c)")
            }
        }
    }

    @Test("rounding at the half, sub-sen prices, NUMERIC(8,2) overflow refused")
    func rounding() throws {
        let price = PriceTable.Price(prompt: Decimal(string: "22.5")!, completion: Decimal(string: "90")!)
        // 200 × 22.5 / 1e6 = 0.0045 → 0.00; 222 × 22.5 / 1e6 = 0.004995 → 0.00; 1000 × 90 / 1e6 = 0.09.
        #expect(try PriceTable.cost(price, promptTokens: 200, completionTokens: 0).description == "0.00")
        #expect(try PriceTable.cost(price, promptTokens: 0, completionTokens: 1_000).description == "0.09")
        // 55,500 completion tokens × ¥90 / 1e6 = 4.995 → 5.00 (half away from zero, as NUMERIC rounds).
        #expect(try PriceTable.cost(price, promptTokens: 0, completionTokens: 55_500).description == "5.00")
        // 0.1 + 0.2 in binary floating point is not 0.3; here it is.
        let tenth = PriceTable.Price(prompt: Decimal(string: "100000")!, completion: Decimal(string: "200000")!)
        #expect(try PriceTable.cost(tenth, promptTokens: 1, completionTokens: 1).description == "0.30")
        let huge = PriceTable.Price(prompt: 1_000_000, completion: 1_000_000)
        #expect(throws: DialogueError.self) { try PriceTable.cost(huge, promptTokens: 1_000_000, completionTokens: 0) }
        #expect(try PriceTable.cost(huge, promptTokens: 999_999, completionTokens: 0).description == "999999.00")
    }

    @Test("model matching: exact ignoring case, longest dated or tagged prefix, unknown → nil")
    func matching() throws {
        let t = PriceTable.standard
        #expect(t.price(of: "GPT-4o-mini")?.key == "gpt-4o-mini")
        #expect(t.price(of: "gpt-4o-mini-2024-07-18")?.key == "gpt-4o-mini")
        #expect(t.price(of: "gpt-4o-2024-08-06")?.key == "gpt-4o")
        #expect(t.price(of: "gpt-4.1-mini-2025-04-14")?.key == "gpt-4.1-mini")
        #expect(t.price(of: "llama3.1:8b")?.key == "llama3.1")
        #expect(t.price(of: "gpt-4omega") == nil)
        #expect(try t.cost(model: "mystery", promptTokens: 10, completionTokens: 10) == nil)
    }

    @Test("a bad file is refused naming the entry")
    func badFiles() {
        func refuse(_ json: String, _ fragment: String) {
            let outcome = Result { () throws(DialogueError) in try PriceTable.parse(Data(json.utf8), source: "p.json") }
            guard case .failure(let error) = outcome else {
                Issue.record("accepted \(json)")
                return
            }
            let message = error.message
            #expect(message.contains(fragment), "\(message)")
        }
        refuse(#"{"models": {"m": {"prompt": "-1", "completion": "1"}}}"#, "models.m.prompt")
        refuse(#"{"models": {"m": {"prompt": "1.1234567", "completion": "1"}}}"#, "models.m.prompt")
        refuse(#"{"models": {"m": {"prompt": "1"}}}"#, "models.m")
        refuse(#"{"currency": "USD", "models": {"m": {"prompt": "1", "completion": "1"}}}"#, "currency")
        refuse(#"{"modles": {}}"#, "unknown key")
    }

    @Test("yen text round trip and means")
    func yen() {
        #expect(Yen(hundredths: 5).description == "0.05")
        #expect(Yen(hundredths: -150).description == "-1.50")
        #expect(Yen("12.34") == Yen(hundredths: 1_234))
        #expect(Yen("12.3") == nil)
        #expect(Yen.mean(Yen(hundredths: 10), count: 4) == Yen(hundredths: 3))  // 2.5 → 3
        #expect(Yen.mean(Yen(hundredths: 10), count: 3) == Yen(hundredths: 3))  // 3.33 → 3
        #expect(Yen.mean(Yen(hundredths: 0), count: 0) == nil)
    }
}

@Suite("Percentiles")
struct PercentileTests {
    @Test("nearest rank equals a brute-force count on random data, every size 1…300")
    func bruteForce() {
        var generator = SystemRandomNumberGenerator()
        for n in 1...300 {
            let values = (0..<n).map { _ in Double(Int.random(in: 0...400, using: &generator)) / 4 }.sorted()
            for perMille in [1, 250, 500, 900, 950, 990, 999, 1_000] {
                // The smallest observed value v with count(x ≤ v) × 1000 ≥ perMille × n.
                let oracle = values.first { v in values.filter { $0 <= v }.count * 1_000 >= perMille * n }
                #expect(Percentile.nearestRank(values, perMille: perMille) == oracle, "n \(n) p \(perMille)")
            }
        }
        #expect(Percentile.nearestRank([], perMille: 500) == nil)
    }
}
