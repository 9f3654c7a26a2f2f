import Foundation

/// The UTC timestamp that names one benchmark run's files under `Benchmarks/results/`, e.g. `20250101-120000`.
enum BenchIndexStamp {
    static func string(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }
}
