public import CairnHTTP
public import Foundation

/// What a chat model answered, with the usage the endpoint reported.
public struct ChatCompletion: Sendable, Hashable {
    public var content: String
    /// The model the endpoint says answered (may be a dated snapshot of the one asked for).
    public var model: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var finishReason: String?
    /// Attempts made (1 when the first succeeded).
    public var attempts: Int
    public var milliseconds: Double
}

/// An OpenAI-compatible `POST {base}/chat/completions` client over libcurl (`CairnHTTP`), with the retry rules
/// the remote embedders have: 429, 5xx (not 501/505), time-outs and lost or refused connections are retried up
/// to `maxRetries` times with exponential back-off and full jitter (0.5 s doubling, at most 8 s), honouring
/// `Retry-After` / `retry-after-ms` up to 30 s. Every failure is a ``DialogueError`` of kind `.upstream` whose
/// `upstreamStatus` says what happened (`rate_limited`, `timeout`, `unavailable`, `authentication`, `refused`,
/// `malformed`), and whose message never carries the URL or the key.
public struct ChatClient: Sendable {
    public var baseURL: String
    public var apiKey: String?
    public var timeout: Duration
    public var policy: RetryPolicy
    let http: HTTPClient

    public init(baseURL: String, apiKey: String?, timeout: Duration, maxRetries: Int, http: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.timeout = timeout
        self.policy = RetryPolicy(maxRetries: maxRetries, initialBackoff: .milliseconds(500), maxBackoff: .seconds(8),
                                  maxRetryAfter: .seconds(30))
        self.http = http
    }

    /// Asks `model` to continue `messages`.
    public func complete(model: String, messages: [ChatMessage], temperature: Double, maxTokens: Int)
        async throws(DialogueError) -> ChatCompletion {
        let started = ContinuousClock.now
        let body: [String: Any] = [
            "model": model, "temperature": temperature, "max_tokens": maxTokens, "stream": false,
            "messages": messages.map { ["role": $0.role, "content": $0.content] },
        ]
        var request = HTTPRequest(method: .post, url: baseURL + "/chat/completions", timeout: timeout,
                                  connectTimeout: min(timeout, .seconds(10)), maxResponseBytes: 16 << 20)
        request.headers["Content-Type"] = "application/json"
        if let apiKey { request.headers["Authorization"] = "Bearer \(apiKey)" }
        request.body = Array((try? JSONSerialization.data(withJSONObject: body)) ?? Data())
        var attempt = 0
        while true {
            attempt += 1
            let outcome: Result<HTTPResponse, HTTPError>
            do {
                outcome = .success(try await http.send(request))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let response):
                var completion = try Self.parse(response.body)
                completion.attempts = attempt
                completion.milliseconds = Self.milliseconds(since: started)
                return completion
            case .failure(let error):
                if error.kind == .cancelled {
                    throw DialogueError(.upstream, "the chat request was cancelled", upstreamStatus: "unavailable")
                }
                guard error.isRetryable, attempt <= policy.maxRetries else { throw Self.failure(error, attempts: attempt) }
                let wait = error.response?.retryAfter().map { min($0, policy.maxRetryAfter) }
                    ?? policy.jitteredBackoff(beforeRetry: attempt)
                do { try await Task.sleep(for: wait) } catch {
                    throw DialogueError(.upstream, "the chat request was cancelled", upstreamStatus: "unavailable")
                }
            }
        }
    }

    /// Milliseconds since `start`.
    public static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) * 1_000 + Double(d.components.attoseconds) / 1e15
    }

    /// A failed request as a typed error without the URL or the key.
    static func failure(_ error: HTTPError, attempts: Int) -> DialogueError {
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        switch error.kind {
        case .status(let code):
            let detail = error.response.flatMap { Self.errorMessage($0.body) }.map { ": \($0)" } ?? ""
            let status = code == 429 ? "rate_limited" : code == 401 || code == 403 ? "authentication"
                : (500...599).contains(code) ? "unavailable" : "refused"
            let seconds = error.response?.retryAfter().map { Int(($0.components.seconds)) + 1 }
            return DialogueError(.upstream, "the chat model endpoint answered HTTP \(code)\(tries)\(detail)",
                                 upstreamStatus: status, retryAfterSeconds: code == 429 ? seconds : nil)
        case .timeout:
            return DialogueError(.upstream, "the chat model endpoint did not answer in time\(tries)", upstreamStatus: "timeout")
        default:
            return DialogueError(.upstream, "the chat model endpoint could not be reached (\(error.kind))\(tries)",
                                 upstreamStatus: "unavailable")
        }
    }

    /// The `error.message` of an OpenAI-shaped error body, cut to 200 characters.
    static func errorMessage(_ body: [UInt8]) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let message = (object["error"] as? [String: Any])?["message"] as? String ?? object["error"] as? String
        else { return nil }
        return String(message.prefix(200))
    }

    /// Reads a chat-completions response: the first choice's message and the usage.
    static func parse(_ body: [UInt8]) throws(DialogueError) -> ChatCompletion {
        func malformed(_ what: String) -> DialogueError {
            DialogueError(.upstream, "the chat model endpoint sent a malformed response: \(what)", upstreamStatus: "malformed")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw malformed("not a JSON object")
        }
        guard let choices = object["choices"] as? [[String: Any]], let first = choices.first,
              let message = first["message"] as? [String: Any] else {
            throw malformed("no choices[0].message")
        }
        guard let content = message["content"] as? String else { throw malformed("choices[0].message.content is not text") }
        guard let usage = object["usage"] as? [String: Any],
              let prompt = (usage["prompt_tokens"] as? NSNumber)?.intValue,
              let completion = (usage["completion_tokens"] as? NSNumber)?.intValue, prompt >= 0, completion >= 0 else {
            throw malformed("no usage.prompt_tokens and usage.completion_tokens")
        }
        return ChatCompletion(content: content, model: object["model"] as? String ?? "", promptTokens: prompt,
                              completionTokens: completion, finishReason: first["finish_reason"] as? String,
                              attempts: 1, milliseconds: 0)
    }
}
