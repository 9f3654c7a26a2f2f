public import CairnHTTP

/// Hugging Face Text Embeddings Inference: `POST {base}/embed`.
///
/// Request: `{"inputs": [texts], "truncate": true}` (TEI cuts inputs at the model's limit instead of
/// answering 413). Response: a JSON array of vectors in input order. TEI reports no usage in the body; its
/// `x-compute-tokens` response header is used when present.
public enum TEIWireFormat: RemoteWireFormat {
    public static let provider = EmbeddingProvider.tei
    public static let name = "TEI"

    public static func endpoint(baseURL: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/embed"
    }

    struct Request: Encodable {
        var inputs: [String]
        var truncate = true
    }

    public static func requestBody(texts: [String], configuration: EmbedderConfiguration) throws(EmbeddingError) -> [UInt8] {
        try WireJSON.encode(Request(inputs: texts), for: name)
    }

    public static func parseResponse(_ response: HTTPResponse, inputCount: Int) throws(EmbeddingError) -> (vectors: [[Float]], usage: TokenUsage?) {
        let vectors = try WireJSON.decode([[Float]].self, from: response.body, for: name)
        try WireJSON.checkCount(vectors.count, inputs: inputCount, for: name)
        let usage = response.headers["x-compute-tokens"].flatMap { Int($0) }.map {
            TokenUsage(promptTokens: $0, totalTokens: $0)
        }
        return (vectors, usage)
    }
}
