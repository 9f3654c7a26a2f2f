/// RFC 3339 text (what the store writes: `2026-12-05T01:18:49.066Z`, and what users give for `acquired_at`:
/// a date or a date-time with an offset) to and from Unix microseconds, for `timestamptz` in binary.
enum Timestamps {
    /// Microseconds since 1970-01-01T00:00:00Z, or `nil` when `text` is not a time the store accepts: what
    /// `MetadataFields.isISO8601` takes — a date `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DD[T| ]HH:MM[:SS[.f…]]`
    /// with `Z`, `±HH`, `±HHMM` or `±HH:MM`, or no offset (read as UTC).
    static func microseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for i in from..<(from + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 10, let year = digits(0, 4), b[4] == 0x2D, let month = digits(5, 2), b[7] == 0x2D,
              let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if b.count == 10 { return seconds * 1_000_000 }
        guard b.count >= 16, b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20, let hour = digits(11, 2), b[13] == 0x3A,
              let minute = digits(14, 2), hour < 24, minute < 60
        else { return nil }
        seconds += Int64(hour * 3_600 + minute * 60)
        var micros: Int64 = 0
        var i = 16
        if i < b.count, b[i] == 0x3A {
            guard let second = digits(i + 1, 2), second <= 60 else { return nil }
            seconds += Int64(second)
            i += 3
            if i < b.count, b[i] == 0x2E || b[i] == 0x2C {
                i += 1
                var scale: Int64 = 100_000
                let start = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                    micros += Int64(b[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        if i == b.count { return seconds * 1_000_000 + micros }
        if b[i] == 0x5A || b[i] == 0x7A {
            guard i + 1 == b.count else { return nil }
            return seconds * 1_000_000 + micros
        }
        guard b[i] == 0x2B || b[i] == 0x2D, let oh = digits(i + 1, 2), oh <= 23 else { return nil }
        var j = i + 3
        var om = 0
        if j < b.count {
            if b[j] == 0x3A { j += 1 }
            guard let minutes = digits(j, 2), minutes <= 59, j + 2 == b.count else { return nil }
            om = minutes
        }
        let offset = Int64(oh * 3_600 + om * 60)
        seconds -= b[i] == 0x2B ? offset : -offset
        return seconds * 1_000_000 + micros
    }

    /// `2026-12-05T01:18:49.066Z` (milliseconds, as the store writes) or `…49.066123Z` when the microseconds
    /// need it.
    static func text(microseconds value: Int64) -> String {
        let micros = Int(((value % 1_000_000) + 1_000_000) % 1_000_000)
        let seconds = (value - Int64(micros)) / 1_000_000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let rest = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = civil(fromDays: days)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let fraction = micros % 1_000 == 0 ? pad(micros / 1_000, 3) : pad(micros, 6)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3_600, 2)):\(pad(rest / 60 % 60, 2)):"
            + "\(pad(rest % 60, 2)).\(fraction)Z"
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD`, or nil.
    static func days(_ text: String) -> Int32? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        let days = daysFromCivil(year: y, month: m, day: d)
        guard civil(fromDays: days) == (y, m, d) else { return nil }
        return Int32(days)
    }

    /// `YYYY-MM-DD` of a day counted from 1970-01-01.
    static func day(daysSince1970 days: Int64) -> String {
        let (y, m, d) = civil(fromDays: Int(days))
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
}
