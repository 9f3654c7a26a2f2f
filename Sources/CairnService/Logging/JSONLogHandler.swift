import CairnIngest
import Foundation
public import Logging

/// A swift-log handler that writes one JSON object per line to standard error:
/// `{"ts","level","label","message","request_id",…metadata}` — what log collectors read without parsing rules.
///
/// ```swift
/// LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .info) }
/// ```
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", storeTimestamp()), ("level", event.level.rawValue), ("label", label),
            ("message", event.message.description),
        ]
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        for key in all.keys.sorted() { fields.append((key, Self.text(all[key]!))) }
        var line = JSONValue.object(fields.map { ($0.0, JSONValue.string($0.1)) }).bytes()
        line.append(0x0A)
        FileHandle.standardError.write(Data(line))
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let a): "[" + a.map(text).joined(separator: ", ") + "]"
        case .dictionary(let d): "{" + d.keys.sorted().map { "\($0): \(text(d[$0]!))" }.joined(separator: ", ") + "}"
        }
    }
}
