public import CairnHTTP
import Foundation

/// One embedding API's request and response shapes; ``RemoteEmbedder`` does the rest (batching,
/// concurrency, retries, error classification, dimension checks).
public protocol RemoteWireFormat: Sendable {
    /// The provider that speaks this format.
    static var provider: EmbeddingProvider { get }
    /// The API's name in messages, e.g. `OpenAI`.
    static var name: String { get }
    /// The endpoint for a base URL, e.g. `https://api.openai.com/v1/embeddings`.
    static func endpoint(baseURL: String) -> String
    /// The JSON request body embedding `texts`.
    static func requestBody(texts: [String], configuration: EmbedderConfiguration) throws(EmbeddingError) -> [UInt8]
    /// The vectors of a 2xx response in input order, with the usage the API reported (nil if it did not).
    ///
    /// - Throws: ``EmbeddingError/Kind/malformedResponse`` when the body is not the expected JSON or holds
    ///   another number of vectors than `inputCount`.
    static func parseResponse(_ response: HTTPResponse, inputCount: Int) throws(EmbeddingError) -> (vectors: [[Float]], usage: TokenUsage?)
}

/// Shared JSON helpers of the wire formats.
enum WireJSON {
    static func encode<T: Encodable>(_ value: T, for name: String) throws(EmbeddingError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw EmbeddingError(.invalidInput, "\(name): could not encode the request as JSON: \(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], for name: String) throws(EmbeddingError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch let error as DecodingError {
            throw EmbeddingError(.malformedResponse, "\(name) returned an unexpected response: \(describe(error)) "
                + "(\(body.count) bytes: \(excerpt(body)))")
        } catch {
            throw EmbeddingError(.malformedResponse, "\(name) returned an unreadable response: \(error)")
        }
    }

    /// Checks the number of vectors against the number of inputs.
    static func checkCount(_ vectors: Int, inputs: Int, for name: String) throws(EmbeddingError) {
        guard vectors == inputs else {
            throw EmbeddingError(.malformedResponse, "\(name) returned \(vectors) embeddings for \(inputs) inputs")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "the body is not valid JSON (truncated or malformed)"
        case .dataCorrupted(let context):
            return "bad value at \(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "missing field \"\(key.stringValue)\" in \(path(context))"
        case .typeMismatch(let type, let context):
            return "\(path(context)) is not of type \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is null where \(type) was expected"
        @unknown default:
            return "\(error)"
        }
    }

    /// The start of a body for a message: at most 120 characters on one line.
    static func excerpt(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(120), as: UTF8.self).map { $0.isNewline ? " " : $0 }
        return String(text) + (body.count > 120 ? "…" : "")
    }
}
