/// An amount of yen with two decimal places, held exactly as hundredths (sen): `NUMERIC(…, 2)` semantics, no
/// binary floating point anywhere between the price table and the store.
public struct Yen: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Hundredths of a yen.
    public var hundredths: Int64

    public init(hundredths: Int64) { self.hundredths = hundredths }

    /// The largest value of `NUMERIC(8,2)`: 999,999.99.
    public static let numeric82Max = Yen(hundredths: 99_999_999)

    public static func < (a: Yen, b: Yen) -> Bool { a.hundredths < b.hundredths }
    public static func + (a: Yen, b: Yen) -> Yen { Yen(hundredths: a.hundredths + b.hundredths) }

    /// `12.34`, `0.05`, `-1.50`.
    public var description: String {
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = hundredths.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// Parses `12.34` (exactly two decimals, as the store writes); nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, !parts[0].isEmpty else { return nil }
        let negative = parts[0].hasPrefix("-")
        let whole = negative ? parts[0].dropFirst() : parts[0]
        guard !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let w = Int64(whole), let f = Int64(parts[1]) else { return nil }
        hundredths = (negative ? -1 : 1) * (w * 100 + f)
    }

    /// `total / count` rounded half away from zero to hundredths (what PostgreSQL's `round(numeric, 2)` does).
    public static func mean(_ total: Yen, count: Int) -> Yen? {
        guard count > 0 else { return nil }
        let n = Int64(count)
        let q = total.hundredths / n, r = total.hundredths % n
        return Yen(hundredths: q + (2 * r.magnitude >= n.magnitude ? (total.hundredths < 0 ? -1 : 1) : 0))
    }
}
