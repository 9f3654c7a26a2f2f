import CCurl

/// Owns one libcurl easy handle for one request: its options, the header list and error buffer libcurl
/// points into, and the response collected by the write and header callbacks.
///
/// Created and configured by the calling task, then handed to ``CurlTransferDriver``'s thread, the only
/// thread that touches it while the transfer runs — hence `@unchecked Sendable`. The handle is freed with
/// `curl_easy_cleanup` in `deinit`, after the driver has removed it from the multi handle.
final class CurlEasy: @unchecked Sendable {
    /// The `CURL *`.
    let handle: UnsafeMutableRawPointer
    /// `METHOD url`, for messages.
    let label: String
    let timeout: Duration

    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let maxResponseBytes: Int

    private var body: [UInt8] = []
    private var responseHeaders = HTTPHeaders()
    private var bodyTooLarge = false

    /// Creates a handle configured for `request`.
    init(request: HTTPRequest, userAgent: String) throws(HTTPError) {
        try CurlGlobal.ensureInitialized()
        label = "\(request.method) \(request.url)"
        timeout = request.timeout
        maxResponseBytes = request.maxResponseBytes
        guard let handle = curl_easy_init() else {
            throw HTTPError(.transport, "\(label): curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configure(request, userAgent: userAgent)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPRequest, userAgent: String) throws(HTTPError) {
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeRawPointer(errorBuffer))
        try set(CURLOPT_URL, string: request.url)
        try set(CURLOPT_PROTOCOLS_STR, string: "http,https")
        // Timeouts are enforced with timers, not SIGALRM, which is unsafe in a threaded process.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_TIMEOUT_MS, milliseconds(request.timeout))
        try set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(min(request.connectTimeout, request.timeout)))
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_USERAGENT, string: userAgent)
        try set(CURLOPT_ACCEPT_ENCODING, string: "")  // every encoding this libcurl decodes
        try set(CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        try set(CURLOPT_MAXREDIRS, 5)
        try configureMethod(request)
        try configureHeaders(request)
        try configureCallbacks()
    }

    private func configureMethod(_ request: HTTPRequest) throws(HTTPError) {
        switch request.method {
        case .get where request.body == nil: try set(CURLOPT_HTTPGET, 1)
        case .head: try set(CURLOPT_NOBODY, 1)
        case .post: try set(CURLOPT_POST, 1)
        default: try set(CURLOPT_CUSTOMREQUEST, string: request.method.rawValue)
        }
        guard let body = request.body, request.method != .head else { return }
        // The size first: COPYPOSTFIELDS copies exactly that many bytes (the body may hold NULs).
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: curl_off_t(body.count))
        let code = body.withUnsafeBytes { raw in
            cairn_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, raw.baseAddress ?? UnsafeRawPointer(errorBuffer))
        }
        try check(code, "CURLOPT_COPYPOSTFIELDS")
    }

    private func configureHeaders(_ request: HTTPRequest) throws(HTTPError) {
        var lines = request.headers.map { "\($0.name): \($0.value)" }
        // libcurl would send `Expect: 100-continue` before larger bodies and wait up to a second for the
        // interim answer; APIs answer at once, so suppress it unless the caller asked for it.
        if !request.headers.contains("Expect") { lines.append("Expect:") }
        for line in lines {
            guard !line.utf8.contains(where: { $0 == 13 || $0 == 10 }) else {
                throw HTTPError(.invalidRequest, "\(label): header line contains a line break: \(line.debugDescription)")
            }
            guard let extended = curl_slist_append(headerList, line) else {
                throw HTTPError(.transport, "\(label): curl_slist_append failed (out of memory)")
            }
            headerList = extended
        }
        try set(CURLOPT_HTTPHEADER, pointer: UnsafeRawPointer(headerList))
    }

    private func configureCallbacks() throws(HTTPError) {
        let context = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        try check(cairn_curl_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let easy = Unmanaged<CurlEasy>.fromOpaque(context!).takeUnretainedValue()
            return easy.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        }, "CURLOPT_WRITEFUNCTION")
        try set(CURLOPT_WRITEDATA, pointer: context)
        try check(cairn_curl_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let easy = Unmanaged<CurlEasy>.fromOpaque(context!).takeUnretainedValue()
            easy.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }, "CURLOPT_HEADERFUNCTION")
        try set(CURLOPT_HEADERDATA, pointer: context)
    }

    // MARK: Callbacks (driver thread)

    private func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        guard body.count + chunk.count <= maxResponseBytes else {
            bodyTooLarge = true
            return 0  // makes libcurl stop with CURLE_WRITE_ERROR
        }
        body.append(contentsOf: chunk)
        return chunk.count
    }

    private func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        var end = raw.count
        while end > 0, raw[end - 1] == 10 || raw[end - 1] == 13 { end -= 1 }
        let line = String(decoding: raw[..<end], as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new status line: an interim (1xx) or redirect response ended; keep only the final headers.
            responseHeaders = HTTPHeaders()
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...]).trimmingSpaces
            responseHeaders.add(name, value)
        }
    }

    // MARK: Completion

    /// Turns the transfer's `CURLcode` and status into the response or a typed error.
    func finish(code: CURLcode) -> Result<HTTPResponse, HTTPError> {
        if code != CURLE_OK {
            return .failure(error(for: code))
        }
        var status = 0
        let infoCode = cairn_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard infoCode == CURLE_OK else {
            return .failure(HTTPError(.transport, "\(label): no status code (\(describe(infoCode)))", curlCode: Int32(infoCode.rawValue)))
        }
        let response = HTTPResponse(status: status, headers: responseHeaders, body: body)
        guard response.isSuccess else {
            return .failure(HTTPError(.status(status), "\(label): HTTP \(status)\(Self.excerpt(body))", response: response))
        }
        return .success(response)
    }

    /// The `errno` of the last failed socket operation (to tell a refused connection from others).
    var osErrno: Int {
        var value = 0
        return cairn_curl_easy_getinfo_long(handle, CURLINFO_OS_ERRNO, &value) == CURLE_OK ? value : 0
    }

    var responseWasTooLarge: Bool { bodyTooLarge }

    /// libcurl's detailed message for the last failure, or its generic text for `code`.
    func describe(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return "curl \(code.rawValue): \(text)"
    }

    /// The start of a body for an error message: at most 200 characters, on one line.
    static func excerpt(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        var text = String(decoding: body.prefix(200), as: UTF8.self)
        text = String(text.map { $0.isNewline ? " " : $0 })
        return ": " + text + (body.count > 200 ? "…" : "")
    }

    // MARK: Options

    private func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(cairn_curl_easy_setopt_long(handle, option, value), "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, offset: curl_off_t) throws(HTTPError) {
        try check(cairn_curl_easy_setopt_off(handle, option, offset), "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, string: String) throws(HTTPError) {
        // libcurl copies string options (since 7.17), so the temporary C string may go away afterwards.
        try check(cairn_curl_easy_setopt_pointer(handle, option, string), "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, pointer: UnsafeRawPointer?) throws(HTTPError) {
        try check(cairn_curl_easy_setopt_pointer(handle, option, pointer), "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPError) {
        guard code != CURLE_OK else { return }
        let kind: HTTPError.Kind = code == CURLE_OUT_OF_MEMORY ? .transport : .invalidRequest
        throw HTTPError(kind, "\(label): libcurl refused \(what) (\(describe(code)))", curlCode: Int32(code.rawValue))
    }

    private func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
