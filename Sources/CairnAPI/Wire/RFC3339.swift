import CairnIngest
import Foundation

/// RFC 3339 dates (`2026-12-04`, midnight UTC) and date-times (`2026-12-04T09:30:00.250+09:00`) to `Date`s —
/// what JSON Schema's `date` and `date-time` formats accept (a leap second `:60` reads as the next second).
enum RFC3339 {
    static func date(_ text: String) -> Date? {
        guard MetadataFields.isRFC3339(text) else { return nil }
        let s = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int {
            range.reduce(0) { $0 * 10 + Int(s[$1] - 48) }
        }
        var components = DateComponents(year: number(0..<4), month: number(5..<7), day: number(8..<10))
        var offsetSeconds = 0
        if s.count > 10 {
            components.hour = number(11..<13)
            components.minute = number(14..<16)
            components.second = number(17..<19)
            var i = 19
            var fraction = 0.0
            if s[i] == 46 {
                var scale = 0.1
                i += 1
                while i < s.count, (48...57).contains(s[i]) {
                    fraction += Double(s[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
            }
            if s[i] == 43 || s[i] == 45 {
                let sign = s[i] == 43 ? 1 : -1
                offsetSeconds = sign * (number(i + 1..<i + 3) * 3_600 + number(i + 4..<i + 6) * 60)
            }
            components.nanosecond = Int(fraction * 1e9)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components).map { $0.addingTimeInterval(TimeInterval(-offsetSeconds)) }
    }
}
