public import CairnHTTP

/// OpenAI's embeddings API and the many servers that copy it: `POST {base}/v1/embeddings`.
///
/// Request: `{"input": [texts], "model": …, "encoding_format": "float", "dimensions": n?}` with
/// `Authorization: Bearer <key>`. Response: `{"data": [{"index": i, "embedding": […]}, …],
/// "usage": {"prompt_tokens": p, "total_tokens": t}}`; vectors are placed by `index`, not list position.
///
/// The API does not truncate: an input over the model's limit (8,191 tokens for OpenAI's models) is
/// refused with HTTP 400, reported as ``EmbeddingError/Kind/invalidInput``. Chunk text below the limit.
public enum OpenAIWireFormat: RemoteWireFormat {
    public static let provider = EmbeddingProvider.openai
    public static let name = "OpenAI"

    /// `{base}/v1/embeddings`; a base that already ends in `/v1` is not given a second one.
    public static func endpoint(baseURL: String) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base.hasSuffix("/v1") ? base + "/embeddings" : base + "/v1/embeddings"
    }

    struct Request: Encodable {
        var input: [String]
        var model: String
        var encoding_format = "float"
        var dimensions: Int?
    }

    struct Response: Decodable {
        struct Item: Decodable {
            var index: Int
            var embedding: [Float]
        }

        struct Usage: Decodable {
            var prompt_tokens: Int?
            var total_tokens: Int?
        }

        var data: [Item]
        var usage: Usage?
    }

    public static func requestBody(texts: [String], configuration: EmbedderConfiguration) throws(EmbeddingError) -> [UInt8] {
        try WireJSON.encode(Request(input: texts, model: configuration.model, dimensions: configuration.dimensions), for: name)
    }

    public static func parseResponse(_ response: HTTPResponse, inputCount: Int) throws(EmbeddingError) -> (vectors: [[Float]], usage: TokenUsage?) {
        let decoded = try WireJSON.decode(Response.self, from: response.body, for: name)
        try WireJSON.checkCount(decoded.data.count, inputs: inputCount, for: name)
        var vectors = [[Float]?](repeating: nil, count: inputCount)
        for item in decoded.data {
            guard (0..<inputCount).contains(item.index), vectors[item.index] == nil else {
                throw EmbeddingError(.malformedResponse, "\(name) returned an embedding with index \(item.index), "
                    + "out of range or repeated for \(inputCount) inputs")
            }
            vectors[item.index] = item.embedding
        }
        let usage = decoded.usage.map { usage in
            let prompt = usage.prompt_tokens ?? usage.total_tokens ?? 0
            return TokenUsage(promptTokens: prompt, totalTokens: usage.total_tokens ?? prompt)
        }
        return (vectors.map { $0! }, usage)
    }
}
