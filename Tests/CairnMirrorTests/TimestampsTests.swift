@testable import CairnIngest
@testable import CairnMirror
import Testing

/// Every time the store accepts becomes a timestamptz: the mirror must never meet one it cannot read.
struct TimestampsTests {
    @Test func everyFormTheStoreAcceptsIsRead() throws {
        let cases: [(String, String)] = [
            ("2024-03-01", "2024-03-01T00:00:00.000Z"),
            ("2024-03-01T09:30", "2024-03-01T09:30:00.000Z"),
            ("2024-03-01 09:30:15", "2024-03-01T09:30:15.000Z"),
            ("2024-03-01t09:30:15.5Z", "2024-03-01T09:30:15.500Z"),
            ("2024-03-01T09:30:15,123456z", "2024-03-01T09:30:15.123456Z"),
            ("2024-03-01T09:30+09", "2024-03-01T00:30:00.000Z"),
            ("2024-03-01T09:30:00+0900", "2024-03-01T00:30:00.000Z"),
            ("2024-03-01T09:30:00-05:30", "2024-03-01T15:00:00.000Z"),
            ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
            ("2026-12-05T01:18:49.066Z", "2026-12-05T01:18:49.066Z"),
        ]
        for (text, canonical) in cases {
            #expect(MetadataFields.isISO8601(text), "the store refuses \(text)")
            let micros = try #require(Timestamps.microseconds(text), "\(text)")
            #expect(Timestamps.text(microseconds: micros) == canonical, "\(text)")
        }
        for bad in ["2024-13-01", "2024-03-01T", "2024-03-01T9:30", "2024-03-01T09:30Zx", "2024-03-01T09:30+9", "yesterday"] {
            #expect(Timestamps.microseconds(bad) == nil, "\(bad)")
        }
    }
}
