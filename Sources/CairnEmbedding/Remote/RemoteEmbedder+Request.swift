import CairnHTTP
import Logging

extension RemoteEmbedder {
    /// Embeds one batch: sends it, retrying as the policy allows, and checks the answer.
    func send(_ texts: [String], estimatedTokens: Int) async -> Result<BatchResult, EmbeddingError> {
        let request: HTTPRequest
        do throws(EmbeddingError) {
            request = try makeRequest(texts)
        } catch {
            return .failure(error)
        }
        var attempts = 0
        while true {
            attempts += 1
            let outcome = await limiter.withSlot { () async -> Result<HTTPResponse, HTTPError> in
                do throws(HTTPError) {
                    return .success(try await client.send(request))
                } catch {
                    return .failure(error)
                }
            }
            let failure: HTTPError
            switch outcome {
            case .success(let response):
                return checked(response, texts: texts, estimatedTokens: estimatedTokens, attempts: attempts)
            case .failure(let error):
                failure = error
            }
            let decision = retryDecision(for: failure)
            guard decision.retry, attempts <= policy.maxRetries else {
                return .failure(embeddingError(for: failure, attempts: attempts))
            }
            let wait: Duration
            if let asked = decision.retryAfter {
                guard asked <= policy.maxRetryAfter else {
                    return .failure(embeddingError(for: failure, attempts: attempts, retryAfterRefused: asked))
                }
                wait = asked
            } else {
                wait = policy.jitteredBackoff(beforeRetry: attempts)
            }
            logger.notice("\(Format.name) embeddings: \(failure.kind); retry \(attempts)/\(policy.maxRetries) in \(wait)")
            do {
                try await Task.sleep(for: wait)
            } catch {
                return .failure(EmbeddingError(.connection, "\(Format.name) embeddings request to \(endpoint) was cancelled"))
            }
        }
    }

    private func makeRequest(_ texts: [String]) throws(EmbeddingError) -> HTTPRequest {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": "application/json"]
        if let apiKey { headers.add("Authorization", "Bearer \(apiKey)") }
        return HTTPRequest(
            method: .post, url: endpoint, headers: headers,
            body: try Format.requestBody(texts: texts, configuration: configuration),
            timeout: configuration.requestTimeout,
            connectTimeout: min(configuration.requestTimeout, .seconds(10)))
    }

    /// Parses a 2xx answer and checks the vectors' dimension.
    private func checked(
        _ response: HTTPResponse, texts: [String], estimatedTokens: Int, attempts: Int
    ) -> Result<BatchResult, EmbeddingError> {
        do throws(EmbeddingError) {
            let (vectors, reported) = try Format.parseResponse(response, inputCount: texts.count)
            for vector in vectors where vector.count != model.dimension {
                throw EmbeddingError.dimensionMismatch(
                    model: configuration.model, provider: Format.provider, produced: vector.count,
                    indexDimension: model.dimension)
            }
            var usage = reported ?? TokenUsage(promptTokens: estimatedTokens, totalTokens: estimatedTokens)
            usage.requests = attempts
            return .success(BatchResult(vectors: vectors, usage: usage))
        } catch {
            return .failure(error)
        }
    }
}
