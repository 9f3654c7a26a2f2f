import CairnHTTP
import Foundation

extension RemoteEmbedder {
    /// Whether a failed attempt is worth retrying (429 other than an exhausted quota, 5xx, timeouts,
    /// connection and DNS failures) and the wait the server asked for, if any.
    func retryDecision(for error: HTTPError) -> (retry: Bool, retryAfter: Duration?) {
        if case .status(let status) = error.kind, status == 429 || status == 402,
           let body = error.response?.body, RemoteErrorBody.isQuotaExhausted(body) || status == 402 {
            return (false, nil)
        }
        return (error.isRetryable, error.response?.retryAfter())
    }

    /// The embedding error for an attempt that will not be retried.
    func embeddingError(for error: HTTPError, attempts: Int, retryAfterRefused: Duration? = nil) -> EmbeddingError {
        let api = "\(Format.name) embeddings request to \(endpoint)"
        let tries = attempts == 1 ? "" : " (\(attempts) attempts)"
        let said = error.response.flatMap { RemoteErrorBody.message(in: $0.body) }.map { ": \($0)" } ?? ""
        switch error.kind {
        case .status(let status):
            if let asked = retryAfterRefused {
                let kind: EmbeddingError.Kind = status == 429 ? .rateLimited : .server(status: status)
                return EmbeddingError(kind, "\(api): HTTP \(status)\(said); the server asked to retry after "
                    + "\(EmbedderConfiguration.seconds(asked)) s, more than max_retry_after_seconds = "
                    + "\(EmbedderConfiguration.seconds(policy.maxRetryAfter))")
            }
            return statusError(status, api: api, said: said, tries: tries, body: error.response?.body ?? [])
        case .timeout:
            return EmbeddingError(.timeout, "\(api): no response within \(EmbedderConfiguration.seconds(configuration.requestTimeout)) s"
                + " (timeout_seconds)\(tries)")
        case .dnsFailure, .connectionRefused, .connectionFailed, .connectionLost, .transport:
            return EmbeddingError(.connection, "\(api) failed\(tries): \(error.kind) — \(error.message)")
        case .tls:
            return EmbeddingError(.connection, "\(api): TLS failure — \(error.message)")
        case .invalidRequest:
            return EmbeddingError(.configuration, "\(api): base_url = \"\(configuration.baseURL)\" is not usable — \(error.message)")
        case .responseTooLarge:
            return EmbeddingError(.malformedResponse, "\(api): \(error.message)")
        case .cancelled:
            return EmbeddingError(.connection, "\(api) was cancelled")
        }
    }

    private func statusError(_ status: Int, api: String, said: String, tries: String, body: [UInt8]) -> EmbeddingError {
        switch status {
        case 401, 403:
            let key = configuration.apiKeyEnvironmentVariable.map { "check the API key in $\($0)" }
                ?? "set api_key_env to the environment variable holding the API key"
            return EmbeddingError(.authentication, "\(api): HTTP \(status), credentials refused\(said); \(key)")
        case 402:
            return EmbeddingError(.quotaExceeded, "\(api): HTTP 402, payment required\(said)")
        case 429 where RemoteErrorBody.isQuotaExhausted(body):
            return EmbeddingError(.quotaExceeded, "\(api): HTTP 429, quota exhausted\(said); retrying will not help "
                + "until the account's plan or billing allows more")
        case 429:
            return EmbeddingError(.rateLimited, "\(api): still rate-limited (HTTP 429)\(tries)\(said)")
        case 400, 422:
            return EmbeddingError(.invalidInput, "\(api): HTTP \(status), input refused\(said)")
        case 413:
            return EmbeddingError(.invalidInput, "\(api): HTTP 413, request too large\(said); lower max_batch_count "
                + "or max_batch_tokens")
        case 404:
            return EmbeddingError(.configuration, "\(api): HTTP 404\(said); check base_url and model "
                + "(\(configuration.model))")
        default:
            return EmbeddingError(.server(status: status), "\(api): HTTP \(status)\(tries)\(said)")
        }
    }
}

/// Reading the error bodies of embedding APIs.
enum RemoteErrorBody {
    /// The message in `{"error": {"message": …}}` (OpenAI), `{"error": "…"}` (Ollama, TEI) or
    /// `{"message": "…"}`, else the start of the body; at most 300 characters.
    static func message(in body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let error = object?["error"]
        let text = (error as? [String: Any])?["message"] as? String ?? error as? String ?? object?["message"] as? String
            ?? WireJSON.excerpt(body)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    /// Whether a 429 body says the account is out of quota (OpenAI's `insufficient_quota`), not just
    /// sending too fast.
    static func isQuotaExhausted(_ body: [UInt8]) -> Bool {
        String(decoding: body, as: UTF8.self).contains("insufficient_quota")
    }
}
