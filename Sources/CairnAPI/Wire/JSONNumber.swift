import CairnIngest
import Foundation

/// A JSON number of a request, judged as written.
///
/// Foundation keeps a number with more digits than a Double holds as an `NSDecimalNumber`, whose `doubleValue`
/// rounds: `1000000000.0000001` would read as 1e9 and `2.00000000000000001` as a whole 2. Bounds and wholeness are
/// checked on the decimal then, so a number just past a limit is refused rather than rounded into it.
struct JSONNumber {
    let number: NSNumber

    /// `nil` for anything but a number (a JSON `true`/`false` is not one).
    init?(_ value: Any) {
        guard let n = value as? NSNumber, !MetadataFields.isJSONBoolean(n) else { return nil }
        number = n
    }

    var double: Double { number.doubleValue }

    /// The value as an Int64 when it is whole (exact for decimals too, whose `doubleValue` may round).
    var wholeValue: Int64? {
        guard isWhole else { return nil }
        if var exact = decimal {
            var rounded = Decimal()
            NSDecimalRound(&rounded, &exact, 0, .plain)
            return Int64(rounded.description)
        }
        return abs(double) < 9.2e18 ? Int64(double) : nil
    }

    private var decimal: Decimal? { (number as? NSDecimalNumber)?.decimalValue }

    var isWhole: Bool {
        if var exact = decimal {
            var rounded = Decimal()
            NSDecimalRound(&rounded, &exact, 0, .plain)
            return rounded == exact
        }
        return double.isFinite && double == double.rounded()
    }

    /// `bound` as a Decimal with the same value: `Decimal(Double)` is not exact (it makes 9007199254740991 into
    /// 9007199254740989.952), so whole bounds go through Int64 and others through their shortest text.
    static func exactDecimal(_ bound: Double) -> Decimal {
        if bound == bound.rounded(), abs(bound) < 9e18 { return Decimal(Int64(bound)) }
        return Decimal(string: "\(bound)", locale: Locale(identifier: "en_US_POSIX")) ?? Decimal(bound)
    }

    /// Whether `low ≤ value ≤ high`, exactly.
    func isWithin(_ low: Double, _ high: Double) -> Bool {
        if let exact = decimal { return exact >= Self.exactDecimal(low) && exact <= Self.exactDecimal(high) }
        return double >= low && double <= high
    }
}
