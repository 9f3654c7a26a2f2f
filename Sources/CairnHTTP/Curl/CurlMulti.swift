import CCurl

/// Owns one libcurl multi handle: the set of transfers run together, and the connection pool they share.
///
/// Used only by ``CurlTransferDriver``'s thread, except ``wakeup()``, which libcurl allows from any thread.
/// Freed with `curl_multi_cleanup` in `deinit`, once every easy handle has been removed.
final class CurlMulti: @unchecked Sendable {
    /// The `CURLM *`.
    private let handle: UnsafeMutableRawPointer

    /// Creates a multi handle.
    init() throws(HTTPError) {
        try CurlGlobal.ensureInitialized()
        guard let handle = curl_multi_init() else {
            throw HTTPError(.transport, "curl_multi_init failed")
        }
        self.handle = handle
    }

    deinit {
        curl_multi_cleanup(handle)
    }

    /// Starts running `easy` with the other transfers.
    func add(_ easy: CurlEasy) throws(HTTPError) {
        try check(curl_multi_add_handle(handle, easy.handle), "curl_multi_add_handle", easy.label)
    }

    /// Stops running `easy` (finished or abandoned); its connection goes back to the pool when reusable.
    func remove(_ easy: CurlEasy) {
        // Fails only for a handle that is not in this multi, which the driver never passes.
        _ = curl_multi_remove_handle(handle, easy.handle)
    }

    /// Does whatever reading, writing and timer work is due without blocking.
    func perform() throws(HTTPError) {
        var running: Int32 = 0
        try check(curl_multi_perform(handle, &running), "curl_multi_perform", nil)
    }

    /// The transfers that finished since the last call: each easy handle with its result.
    func completed() -> [(easy: UnsafeMutableRawPointer, code: CURLcode)] {
        var done: [(easy: UnsafeMutableRawPointer, code: CURLcode)] = []
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(handle, &remaining) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                done.append((easy, message.pointee.data.result))
            }
        }
        return done
    }

    /// Blocks until a socket is ready, a libcurl timer fires, ``wakeup()`` is called, or `timeoutMilliseconds`
    /// pass — whichever comes first (libcurl shortens the wait to its own next timeout).
    func poll(timeoutMilliseconds: Int32) throws(HTTPError) {
        try check(curl_multi_poll(handle, nil, 0, timeoutMilliseconds, nil), "curl_multi_poll", nil)
    }

    /// Makes a blocked ``poll(timeoutMilliseconds:)`` return at once; safe from any thread.
    func wakeup() {
        _ = curl_multi_wakeup(handle)
    }

    private func check(_ code: CURLMcode, _ call: String, _ label: String?) throws(HTTPError) {
        guard code != CURLM_OK else { return }
        let text = String(cString: curl_multi_strerror(code))
        let prefix = label.map { "\($0): " } ?? ""
        throw HTTPError(.transport, "\(prefix)\(call) failed: \(text) (CURLMcode \(code.rawValue))", curlCode: code.rawValue)
    }
}
