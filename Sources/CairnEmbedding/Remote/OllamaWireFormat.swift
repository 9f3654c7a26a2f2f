public import CairnHTTP

/// Ollama's batch embedding API: `POST {base}/api/embed`.
///
/// Request: `{"model": …, "input": [texts], "truncate": true}` (Ollama cuts inputs at the model's context
/// instead of failing). Response: `{"embeddings": [[…], …], "prompt_eval_count": n}`.
public enum OllamaWireFormat: RemoteWireFormat {
    public static let provider = EmbeddingProvider.ollama
    public static let name = "Ollama"

    public static func endpoint(baseURL: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/api/embed"
    }

    struct Request: Encodable {
        var model: String
        var input: [String]
        var truncate = true
    }

    struct Response: Decodable {
        var embeddings: [[Float]]
        var prompt_eval_count: Int?
    }

    public static func requestBody(texts: [String], configuration: EmbedderConfiguration) throws(EmbeddingError) -> [UInt8] {
        try WireJSON.encode(Request(model: configuration.model, input: texts), for: name)
    }

    public static func parseResponse(_ response: HTTPResponse, inputCount: Int) throws(EmbeddingError) -> (vectors: [[Float]], usage: TokenUsage?) {
        let decoded = try WireJSON.decode(Response.self, from: response.body, for: name)
        try WireJSON.checkCount(decoded.embeddings.count, inputs: inputCount, for: name)
        let usage = decoded.prompt_eval_count.map { TokenUsage(promptTokens: $0, totalTokens: $0) }
        return (decoded.embeddings, usage)
    }
}
